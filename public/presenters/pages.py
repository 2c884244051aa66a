"""The home, indicator, region and withdrawn pages."""

from __future__ import annotations

from indicators.years import format_year
from ratings import bands

from .. import charts
from ..formatting import format_number, percent_of, plural_of, position_words, rated_band_words
from . import band_meanings
from .charting import chart_sample_sentence, svg, wide_and_narrow
from .funnel import classification_words, funnel_section
from .report_card import core_target
from .revisions import revisions, withdrawal_notice


def home(counts: dict, types) -> dict:
    """Each type's band counts ({(type code, band): count}) for the types with
    ratings (those of "not rated" only if any), the rated bands in words, and
    the key to the colours, in the words of the parameters of the types' runs
    (`parameters` on each type: see `queries.organisation_types`)."""
    rows, parameter_sets = [], []
    for organisation_type in types:
        if not any(key[0] == organisation_type.code for key in counts):
            continue
        count_of = {band: counts.get((organisation_type.code, band), 0) for band in bands.CODES}
        rows.append({"type": organisation_type, "plural": plural_of(organisation_type),
                     "counts": [(band, count_of[band]) for band in bands.RATED_CODES],
                     "unrated": [(band.code, count_of[band.code]) for band in bands.BANDS
                                 if not band.rated and count_of[band.code]]})
        if getattr(organisation_type, "parameters", None) is not None:
            parameter_sets.append((plural_of(organisation_type), organisation_type.parameters))
    return {"types": rows, "key": band_meanings.key(parameter_sets), "band_words": rated_band_words(last="or")}


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
    table = [{"code": code, "name": name, "band": band, "band_word": bands.word(band),
              "position": position_words(position, tied_with=tied_with) if position is not None else "–",
              "shown_value": format_number(value),
              "shown_adjusted": format_number(adjusted) if adjusted != value else "",
              "denominator": format_number(denominator, 0) if denominator is not None else "",
              "funnel": classification_words(funnel)}
             for position, tied_with, code, name, band, value, adjusted, denominator, funnel in reading.page]
    reference = [charts.ReferenceLine(f"Median {format_number(median)}", median)] if median is not None else []
    if indicator.core_threshold is not None:
        reference.append(charts.ReferenceLine(f"Core target {format_number(indicator.core_threshold)}",
                                              indicator.core_threshold))
    plural = plural_of(run.organisation_type)
    count = reading.rows
    return {
        "rows": table, "median": format_number(median), "count": count, "core_target": target,
        "adjusted": reading.adjusted > 0, "funnel": funnel_section(indicator, run, reading),
        "chart": wide_and_narrow(
            charts.dot_plot, "distribution", title=f"{indicator.name}: {plural}, {format_year(run.year)}",
            description=f"Each dot is one of {count} {plural}, placed by its figure and shaped by its band."
                        f"{chart_sample_sentence(reading.with_value)} The same figures are in the table below.",
            points=[charts.DotPoint(name, value, band) for name, value, band in reading.chart_points],
            axis_label=indicator.unit or indicator.name, reference_lines=reference) if count else "",
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
        plural = plural_of(organisation_type)
        unrated = counts.get((code, bands.NOT_RATED), 0)
        comparison.append({
            "plural": plural.capitalize(),
            "shares_of": f"Shares are of the {region_total} rated {plural} in {region.name} and the "
                         f"{national_total} in England"
                         + (f"; {unrated} more in {region.name} {'was' if unrated == 1 else 'were'} not rated "
                            f"(too few figures reported)." if unrated else "."),
            "cells": [(band.word, counts.get((code, band.code), 0),
                       percent_of(counts.get((code, band.code), 0), region_total),
                       national.get((code, band.code), 0),
                       percent_of(national.get((code, band.code), 0), national_total))
                      for band in bands.RATED],
            "region_total": region_total, "national_total": national_total,
            "chart": wide_and_narrow(
                charts.share_bars, chart_id=f"region-{code}",
                title=f"{plural_of(organisation_type).capitalize()}: {region.name} against England",
                description=f"Shares of {rated_band_words()} in the region and nationally. "
                            "The same figures are in the table.",
                rows=[charts.ShareRow(region.name, {band: counts.get((code, band), 0) for band in bands.RATED_CODES}),
                      charts.ShareRow("England", {band: national.get((code, band), 0)
                                                  for band in bands.RATED_CODES})]),
        })
    return {"comparison": comparison}


def regions_index(regions, counts) -> dict:
    """Every region with its organisations' band counts in the year
    ({(region code, band): count}), green, yellow and red, and the not rated."""
    rows = []
    for region in regions:
        count_of = {band: counts.get((region.code, band), 0) for band in bands.CODES}
        rows.append({"region": region, "counts": [count_of[band] for band in bands.RATED_CODES],
                     "unrated": sum(count for band, count in count_of.items() if band not in bands.RATED_CODES),
                     "total": sum(count_of.values())})
    return {"rows": rows, "bands": bands.RATED}
