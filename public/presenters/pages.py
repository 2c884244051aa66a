"""The home, indicator, region and withdrawn pages."""

from __future__ import annotations

from indicators.years import format_year
from ratings import bands
from ratings.parameters import SchemeParameters

from .. import charts
from ..formatting import format_number, percent_of, plural_of, rated_band_words
from .charting import chart_sample_sentence, svg
from .funnel import classification_words, funnel_section
from .report_card import core_target
from .revisions import revisions, withdrawal_notice

# The green share in words, where there is a word for it.
SHARE_WORDS = {0.5: "half", 0.25: "quarter"}


def home(counts: dict, types) -> dict:
    """Each type's band counts ({(type code, band): count}) for the types with
    ratings (those of "not rated" only if any), the rated bands in words, and
    the key to the colours, with the green share of the types' runs
    (`green_share` on each type: see `queries.organisation_types`)."""
    rows, shares = [], set()
    for organisation_type in types:
        if not any(key[0] == organisation_type.code for key in counts):
            continue
        count_of = {band: counts.get((organisation_type.code, band), 0) for band in bands.CODES}
        rows.append({"type": organisation_type, "plural": plural_of(organisation_type),
                     "counts": [(band, count_of[band]) for band in bands.RATED_CODES],
                     "unrated": [(band.code, count_of[band.code]) for band in bands.BANDS
                                 if not band.rated and count_of[band.code]]})
        shares.add(organisation_type.green_share)
    shares.discard(None)
    best = best_share(shares or {SchemeParameters().green_share})
    return {"types": rows, "key": [(band.code, band.key.format(best=best)) for band in bands.RATED],
            "band_words": rated_band_words(last="or")}


def best_share(shares) -> str:
    """The best organisations a green share covers: "best quarter", "best 30%"."""
    words = [SHARE_WORDS.get(round(share, 6)) or f"{format_number(share * 100, 1)}%" for share in sorted(shares)]
    return "best " + " or ".join(words)


def withdrawn_card(data) -> dict:
    """The page a report card shows while its year's ratings are withdrawn."""
    organisation = data.organisation
    return {"title": f"{organisation.name}: report card {format_year(data.withdrawn.year)}",
            "year": data.withdrawn.year,
            "notices": [withdrawal_notice(data.withdrawn, organisation.type)],
            "revisions": revisions(data.versions),
            "other_years": [format_year(r.run.year) for r in data.history]}


def withdrawn_year(year: int, withdrawn: list) -> dict:
    """The page a year's ratings show when every type's were withdrawn."""
    return {"title": f"Ratings for {format_year(year)}", "year": year,
            "notices": [withdrawal_notice(run, run.organisation_type) for run in withdrawn]}


def indicator_page(indicator, run, reading) -> dict:
    """The distribution of an indicator across the organisations of a type
    (`reading`: an `IndicatorReading`): a dot plot of its chart points (a
    sample when there are many, see `chart_sample`), a table of one page of
    its rows, best first, and its funnel plot (`funnel.funnel_section`)."""
    target = core_target(indicator).capitalize() or "None"
    if run is None:
        return {"rows": [], "count": 0, "chart": "", "core_target": target, "funnel": None}
    median = run.median  # from the run's peer summary, this indicator's part
    table = [{"code": code, "name": name, "band": band, "band_word": bands.word(band), "position": position,
              "shown_value": format_number(value),
              "shown_adjusted": format_number(adjusted) if adjusted != value else "",
              "denominator": format_number(denominator, 0) if denominator is not None else "",
              "funnel": classification_words(funnel)}
             for position, code, name, band, value, adjusted, denominator, funnel in reading.page]
    reference = [charts.ReferenceLine(f"Median {format_number(median)}", median)] if median is not None else []
    if indicator.core_threshold is not None:
        reference.append(charts.ReferenceLine(f"Core target {format_number(indicator.core_threshold)}",
                                              indicator.core_threshold))
    plural = plural_of(run.organisation_type)
    count = reading.rows
    return {
        "rows": table, "median": format_number(median), "count": count, "core_target": target,
        "adjusted": reading.adjusted > 0, "funnel": funnel_section(indicator, run, reading),
        "chart": svg(charts.dot_plot(
            chart_id="distribution", title=f"{indicator.name}: {plural}, {format_year(run.year)}",
            description=f"Each dot is one of {count} {plural}, placed by its figure and shaped by its band."
                        f"{chart_sample_sentence(reading.with_value)} The same figures are in the table below.",
            points=[charts.DotPoint(name, value, band) for name, value, band in reading.chart_points],
            axis_label=indicator.unit or indicator.name, reference_lines=reference)) if count else "",
    }


def region_page(region, counts, national, types) -> dict:
    """The region's band counts beside the national ones ({(type code, band): count} each)."""
    comparison = []
    for organisation_type in types:
        code = organisation_type.code
        region_total = sum(v for (t, b), v in counts.items() if t == code and b in bands.RATED_CODES)
        national_total = sum(v for (t, b), v in national.items() if t == code and b in bands.RATED_CODES)
        if not national_total:
            continue
        comparison.append({
            "plural": plural_of(organisation_type).capitalize(),
            "cells": [(band.word, counts.get((code, band.code), 0),
                       percent_of(counts.get((code, band.code), 0), region_total),
                       national.get((code, band.code), 0),
                       percent_of(national.get((code, band.code), 0), national_total))
                      for band in bands.RATED],
            "region_total": region_total, "national_total": national_total,
            "chart": svg(charts.share_bars(
                chart_id=f"region-{code}",
                title=f"{plural_of(organisation_type).capitalize()}: {region.name} against England",
                description=f"Shares of {rated_band_words()} in the region and nationally. "
                            "The same figures are in the table.",
                rows=[charts.ShareRow(region.name, {band: counts.get((code, band), 0) for band in bands.RATED_CODES}),
                      charts.ShareRow("England", {band: national.get((code, band), 0)
                                                  for band in bands.RATED_CODES})])),
        })
    return {"comparison": comparison}
