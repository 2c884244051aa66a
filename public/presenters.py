"""Shape stored ratings into what the public templates show: words, rounded
numbers, sentences. Templates hold no arithmetic; this module holds no queries."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe

from indicators.models import Area, Domain, Indicator
from indicators.years import format_year
from ratings import peers
from ratings.parameters import DOMAINS
from ratings.ladder import consecutive_years
from ratings.models import Band, RatingRun

from . import charts

BAND_WORDS = dict(Band.choices)
BAND_MEANINGS = {
    Band.GREEN: "Among the best performers of its type, having failed no core national target.",
    Band.YELLOW: "Neither among the best of its type nor failing enough core national targets to be red.",
    Band.RED: "Failed core national targets.",
    Band.NOT_RATED: "Too few of its indicator figures were reported to rate it fairly.",
}
QUARTER_WORDS = {"top": ("Best quarter", Band.GREEN), "middle": ("Middle half", Band.YELLOW),
                 "bottom": ("Worst quarter", Band.RED)}
DOMAIN_WORDS = dict(Domain.choices)
AREA_WORDS = dict(Area.choices)


# A chart draws at most this many points (each a shape in the page's markup):
# past it, an even sample across the ordered points, said in the chart's
# description; the table beside it has every organisation.
MAX_CHART_POINTS = 500


def chart_sample(count: int) -> list[int]:
    """Which of `count` ordered points a chart draws (positions from 0): all
    of them up to MAX_CHART_POINTS; past it, that many evenly spread, always
    including the first and last."""
    if count <= MAX_CHART_POINTS:
        return list(range(count))
    # i * (count - 1) / (points - 1), rounded half up in whole numbers: the
    # database picks the same positions with the same arithmetic (IndicatorFigures).
    spaces = MAX_CHART_POINTS - 1
    return [(2 * i * (count - 1) + spaces) // (2 * spaces) for i in range(MAX_CHART_POINTS)]


def chart_sample_sentence(count: int) -> str:
    """What a chart's description says when it draws a sample (empty when it draws every point)."""
    if count <= MAX_CHART_POINTS:
        return ""
    return f" To keep the chart readable it draws {MAX_CHART_POINTS} of the {count:,}, evenly spread from lowest to highest."


def svg(markup: str):
    """Chart markup is built with every text escaped (public/charts.py), so it is safe to insert."""
    return mark_safe(markup)  # noqa: S308


def format_number(value, places: int = 2) -> str:
    """Plain figures: thousands separated, at most `places` decimals, no trailing zeros."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def format_points(value: float) -> str:
    return format_number(abs(value)) + (" point" if abs(round(value, 2)) == 1 else " points")


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def plural_of(organisation_type) -> str:
    return (organisation_type.plural_name or f"{organisation_type.name}s").lower()


def band_word(band: str) -> str:
    return BAND_WORDS.get(band, "Not rated")


def long_date(moment) -> str:
    """3 March 2001, in the site's time zone."""
    return dateformat.format(timezone.localtime(moment), "j F Y")


def sentence(text: str) -> str:
    """Text as written by an admin, ending with a full stop unless it already ends a sentence."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


@dataclass
class IndicatorRow:
    indicator: Indicator
    domain: str
    value: str
    adjusted: str  # empty unless the value-added adjustment changed the value
    adjustment_note: str
    median: str
    position: str
    quarter: str  # the words
    quarter_band: str  # green/yellow/red: the indicator's own small traffic light
    core_target: str
    core_result: str  # "Met", "Missed", "No data" or ""
    improvement: str


@dataclass
class ReportCard:
    organisation: object
    rating: object
    year: str
    band: str
    band_word: str
    band_meaning: str
    why: str
    core_targets: list[dict]
    indicator_rows: list[IndicatorRow]
    domain_rows: list[dict]
    rank_sentence: str
    gap_sentence: str
    improvement_sentence: str
    adjustment_sentence: str
    history_rows: list[dict]
    trend_chart: str
    consequences: list[dict]
    red_streak: int
    provenance: dict
    parameters: dict
    revisions: list[dict]
    version_notice: str  # on a previous version's page: what replaced it, and when

    @property
    def other_years(self) -> list[dict]:
        return [row for row in self.history_rows if not row["current"]]


def report_card(data) -> ReportCard:
    organisation, rating = data.organisation, data.rating
    run, params = rating.run, rating.run.parameters
    names = {indicator.code: indicator.name for indicator in data.indicators}
    plural = plural_of(organisation.type)
    rows = [_indicator_row(indicator, rating, run) for indicator in data.indicators]
    streak = red_streak(data.history, run.year)
    return ReportCard(
        organisation=organisation, rating=rating, year=format_year(run.year), band=rating.band,
        band_word=band_word(rating.band), band_meaning=BAND_MEANINGS.get(rating.band, ""),
        why=why(rating, params, names, plural, run.rated_count),
        core_targets=[{"name": row.indicator.name, "code": row.indicator.code, "value": row.adjusted or row.value,
                       "target": row.core_target, "result": row.core_result} for row in rows if row.core_target],
        indicator_rows=rows,
        domain_rows=[{"domain": DOMAIN_WORDS[d], "level": format_number(rating.domain_scores.get("level", {}).get(d)),
                      "improvement": format_number(rating.domain_scores.get("improvement", {}).get(d))}
                     for d in DOMAINS],
        rank_sentence=rank_sentence(rating, plural, run.rated_count),
        gap_sentence=gap_sentence(rating),
        improvement_sentence=improvement_sentence(rating, params),
        adjustment_sentence=adjustment_sentence(rating, params),
        history_rows=[{"year": format_year(r.run.year), "band": r.band, "band_word": band_word(r.band),
                       "score": format_number(r.score), "rank": r.rank, "rated": r.run.rated_count,
                       "current": r.pk == rating.pk} for r in data.history],
        trend_chart=svg(charts.trend_chart(
            chart_id="trend", title=f"{organisation.name}: final score by year",
            description="The final score in each published year, marked with the band's shape; "
                        "the dashed line is the green cut-off. The same figures are in the table below.",
            years=[format_year(r.run.year) for r in data.history], scores=[r.score for r in data.history],
            bands=[r.band for r in data.history], cutoffs=[r.green_cutoff for r in data.history])),
        consequences=consequences(data.consequences, rating.band, streak),
        red_streak=streak,
        provenance=data.provenance,
        parameters=params,
        revisions=revisions(data.versions, shown=run.pk),
        version_notice=version_notice(data.versions, data.version) if data.version else "",
    )


def revisions(versions, shown=None) -> list[dict]:
    """The public history of a year's ratings of a type, oldest first: when
    they were first published, each correction with what it corrected, each
    withdrawal with its reason, and a link to every earlier version that rates
    the organisation (not the one `shown`). Empty when they were never revised.
    Each entry: {"text", "version" (a run id to link to, or None), "date"}."""
    if len(versions) < 2 and not any(run.status == RatingRun.Status.WITHDRAWN for run in versions):
        return []
    events = []
    for position, run in enumerate(versions):
        when = long_date(run.published_at)
        if position == 0:
            text = f"First published on {when}."
        else:
            text = f"Corrected on {when}" + (f": {sentence(run.revision_note)}" if run.revision_note else ".")
        earlier = run.rated and not run.current and run.status != RatingRun.Status.WITHDRAWN and run.pk != shown
        events.append((run.published_at, {"text": text, "version": run.pk if earlier else None, "date": when}))
        if run.status == RatingRun.Status.WITHDRAWN:
            events.append((run.withdrawn_at, {"text": f"Withdrawn on {long_date(run.withdrawn_at)}: "
                                                      f"{sentence(run.withdrawal_reason)}", "version": None,
                                              "date": long_date(run.withdrawn_at)}))
    return [entry for _, entry in sorted(events, key=lambda event: event[0])]


def version_notice(versions, run) -> str:
    """What a previous version's page says first: when it was published, and
    when and why the next version replaced it."""
    later = versions[versions.index(run) + 1:]
    text = f"This is a previous version of these ratings, published on {long_date(run.published_at)}."
    if not later:
        return text
    replacement = later[0]
    return (f"{text} It was replaced on {long_date(replacement.published_at)}"
            + (f": {sentence(replacement.revision_note)}" if replacement.revision_note else "."))


def withdrawal_notice(run, organisation_type) -> str:
    """The 2000-01 ratings of acute trusts were withdrawn on 3 March 2001: (the reason)."""
    return (f"The {format_year(run.year)} ratings of {plural_of(organisation_type)} were withdrawn on "
            f"{long_date(run.withdrawn_at)}: {sentence(run.withdrawal_reason)}")


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


def why(rating, params: dict, names: dict, plural: str, rated_count: int) -> str:
    """The one plain-English sentence that explains the band."""
    failures = rating.core_failures or []
    failed = "; ".join(_failure_words(f, names) for f in failures)
    count = len(failures)
    targets = "core national target" + ("" if count == 1 else "s")
    share = format_number(params.get("green_share", 0.25) * 100, 0)
    if rating.band == Band.RED:
        return f"Red: failed {count} {targets}: {failed}."
    if rating.band == Band.GREEN:
        return (f"Green: failed no core national target and scored in the top {share}% of {plural} "
                f"(ranked {ordinal(rating.rank)} of {rated_count}).")
    if rating.band == Band.YELLOW:
        if count:
            return (f"Yellow: failed {count} {targets} ({failed}), so it cannot be green; "
                    f"{params.get('red_core_failures', 2)} or more would have made it red.")
        if rating.gap_to_green is not None:
            return (f"Yellow: failed no core national target, but its score was "
                    f"{format_points(rating.gap_to_green)} below the green cut-off for the top {share}%.")
        return "Yellow: failed no core national target, but no green places were available."
    return f"Not rated: {rating.not_rated_reason or 'too few figures were reported.'}"


def _failure_words(failure: dict, names: dict) -> str:
    name = names.get(failure["indicator"], failure["indicator"])
    if failure.get("reason") == "no data" or failure.get("value") is None:
        return f"{name} (no data)"
    return f"{name} ({format_number(failure['value'])} against a target of {format_number(failure['threshold'])})"


def rank_sentence(rating, plural: str, rated_count: int) -> str:
    if rating.rank is None:
        return "Not ranked."
    return f"Ranked {ordinal(rating.rank)} of {rated_count} {plural} by final score."


def gap_sentence(rating) -> str:
    if rating.score is None:
        return ""
    if rating.green_cutoff is None:
        return "No organisation of this type was green this year, so there was no green cut-off."
    gap = rating.gap_to_green
    if abs(gap) < 0.005:
        return f"Its final score ({format_number(rating.score)}) was at the green cut-off."
    where = "above" if gap > 0 else "below"
    return (f"Its final score of {format_number(rating.score)} was {format_points(gap)} {where} "
            f"the green cut-off of {format_number(rating.green_cutoff)}.")


def improvement_sentence(rating, params: dict) -> str:
    weight = params.get("improvement_weight", 0)
    if not weight:
        return "Improvement did not count this year."
    share = format_number(weight * 100, 0)
    if rating.improvement_score is None:
        return (f"Improvement counts for {share}% of the final score, but there were no figures for the "
                f"year before to compare with, so the final score is the level score alone.")
    direction = "better than" if rating.improvement_score > 0 else "worse than" if rating.improvement_score < 0 \
        else "the same as"
    return (f"Improvement counts for {share}% of the final score. Its improvement score of "
            f"{format_number(rating.improvement_score)} means it improved {direction} the average "
            f"organisation of its type since the year before.")


def adjustment_sentence(rating, params: dict) -> str:
    if not params.get("value_added"):
        return "The value-added adjustment for deprivation was off this year."
    if rating.band_without_adjustment != rating.band:
        return (f"Without the value-added adjustment for deprivation it would have been "
                f"{band_word(rating.band_without_adjustment).lower()}.")
    return "The value-added adjustment for deprivation did not change its band."


def red_streak(history, year: int) -> int:
    """Consecutive red years up to and including `year`, from the published history."""
    return consecutive_years({rating.run.year for rating in history if rating.band == Band.RED}, year)


def consequences(items, band: str, streak: int) -> list[dict]:
    """What the band means: the freedoms of green, yellow's usual monitoring, or
    the red escalation ladder with each step marked as reached or not."""
    shown = []
    for item in items:
        if item.band != band:
            continue
        reached = item.band != Band.RED or item.consecutive_years <= streak
        shown.append({"title": item.title, "description": item.description, "years": item.consecutive_years,
                      "reached": reached})
    return shown


def _indicator_row(indicator: Indicator, rating, run) -> IndicatorRow:
    scores = rating.indicator_scores.get(indicator.code)
    adjustment = next((a for a in rating.adjustments if a["indicator"] == indicator.code), None)
    failure = next((f for f in rating.core_failures if f["indicator"] == indicator.code), None)
    value, adjusted, z, delta_z = scores if scores else (None, None, None, None)
    if value is None and adjustment:
        value, adjusted = adjustment["value"], adjustment["adjusted"]
    median, standing = _peer_standing(indicator.code, z, rating, run)
    quarter, quarter_band = QUARTER_WORDS[standing.quarter] if standing else ("", "")
    if indicator.core_threshold is None:
        core_result = ""
    elif failure:
        core_result = "No data" if failure.get("reason") == "no data" else "Missed"
    else:
        core_result = "Met" if value is not None else ("No data" if rating.band != Band.NOT_RATED else "")
    changed = adjustment is not None and adjustment.get("status") == "adjusted" and adjusted is not None
    return IndicatorRow(
        indicator=indicator, domain=DOMAIN_WORDS.get(indicator.domain, ""),
        value=format_number(value), adjusted=format_number(adjusted) if changed else "",
        adjustment_note=(adjustment or {}).get("status", "") if adjustment and not changed else "",
        median=format_number(median),
        position=f"{ordinal(standing.position)} of {standing.count}" if standing else "",
        quarter=quarter, quarter_band=quarter_band,
        core_target=(("at least " if indicator.direction == Indicator.Direction.HIGHER_BETTER else "at most ")
                     + format_number(indicator.core_threshold)) if indicator.core_threshold is not None else "",
        core_result=core_result, improvement=format_number(delta_z),
    )


def _peer_standing(code: str, z, rating, run) -> tuple[float | None, peers.Standing | None]:
    """The peers' median and where the organisation stands among them, as
    stored with the rating and its run; for ratings stored before those were
    kept (migration 0009), placed from the run's whole peer summary."""
    if rating.peer_standings is not None and run.peer_medians is not None:
        stored = rating.peer_standings.get(code)
        return run.peer_medians.get(code), peers.Standing(*stored) if stored and z is not None else None
    summary = run.indicator_summary.get(code, {})
    return summary.get("median"), peers.standing(z, summary["z"]) if z is not None and summary.get("z") else None


def methodology(runs, indicator_names: dict) -> list[dict]:
    """The year's parameters in plain English, one section per distinct set
    (normally one set covers every type)."""
    groups: dict[str, dict] = {}
    for run in runs:
        key = repr(sorted(run.parameters.items()))
        group = groups.setdefault(key, {"parameters": run.parameters, "types": [], "engine_versions": set()})
        group["types"].append(run.organisation_type.plural_name or run.organisation_type.name)
        group["engine_versions"].add(run.engine_version)
    return [{"types": group["types"], "engine_versions": sorted(group["engine_versions"]),
             "rules": parameter_sentences(group["parameters"], indicator_names)} for group in groups.values()]


def parameter_sentences(params: dict, indicator_names: dict) -> list[tuple[str, str]]:
    """(rule, sentence) pairs, in the order of the method's steps."""
    share = format_number(params["green_share"] * 100, 1)
    coverage = format_number(params["min_coverage"] * 100, 1)
    improvement = format_number(params["improvement_weight"] * 100, 1)
    level = format_number(100 - params["improvement_weight"] * 100, 1)
    red = params["red_core_failures"]
    weights = params.get("domain_weights") or {}
    equal = len(set(weights.values())) <= 1
    deprivation = indicator_names.get(params["deprivation_indicator"], params["deprivation_indicator"])
    return [
        ("Who is rated", f"An organisation is rated only if it reported at least {coverage}% of the performance "
                         f"indicators that apply to its type. Others are shown as not rated, with the reason."),
        ("Fair comparison", "Each organisation is compared only with organisations of the same type."),
        ("Adjustment for deprivation",
         f"Indicators marked for adjustment are adjusted for the deprivation of the population served "
         f"(using {deprivation}): the typical effect of deprivation across organisations of the type is "
         f"estimated and removed, so an organisation serving a deprived area is not marked down for that."
         if params["value_added"] else "No adjustment for deprivation was made this year."),
        ("Core national targets",
         f"Failing {red} or more core national targets makes an organisation red. A missing figure for a "
         f"core target counts as a failure. Failing any core target rules out green."),
        ("Scores", f"Each indicator is turned into a standard score (how far above or below the average of its "
                   f"type, in standard deviations), limited to between −{format_number(params['clip_z'])} and "
                   f"+{format_number(params['clip_z'])} so that one extreme figure cannot dominate."),
        ("Domains", "Scores are averaged within each of the four domains (service quality, efficiency, access "
                    "and patient experience), and the domains are "
                    + ("weighted equally." if equal else "weighted: " + ", ".join(
                        f"{DOMAIN_WORDS.get(d, d)} {format_number(w)}" for d, w in weights.items()) + ".")),
        ("Improvement", f"The final score is {level}% the level score for the year and {improvement}% the "
                        f"improvement score since the year before (the level score alone when there is no "
                        f"figure for the year before)."
         if params["improvement_weight"] else "Improvement did not count: the final score is the level score."),
        ("Green", f"At most {share}% of the rated organisations of each type can be green: those with the best "
                  f"final scores among the organisations that failed no core national target. Organisations tied "
                  f"at the cut-off are all green."),
        ("Yellow", "Every other rated organisation is yellow."),
    ]


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None with fewer than 3 points or no spread."""
    return correlation_of_sums(len(xs), sum(xs), sum(ys), sum(x * x for x in xs), sum(y * y for y in ys),
                               sum(x * y for x, y in zip(xs, ys)))


def correlation_of_sums(n: int, x: float, y: float, xx: float, yy: float, xy: float) -> float | None:
    """Pearson's r from the sums the database makes (n, Σx, Σy, Σx², Σy², Σxy),
    or None with fewer than 3 points or no spread in either."""
    spread = _spreads(n, x, y, xx, yy, xy)
    if spread is None or not spread[0] or not spread[1]:
        return None
    sxx, syy, sxy = spread
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def trend_of_sums(n: int, x: float, y: float, xx: float, yy: float, xy: float) -> tuple[float, float] | None:
    """The least-squares line (slope, intercept) of y on x from the same sums,
    or None with fewer than 3 points or no spread in x."""
    spread = _spreads(n, x, y, xx, yy, xy)
    if spread is None or not spread[0]:
        return None
    sxx, _, sxy = spread
    slope = sxy / sxx
    return slope, (y - slope * x) / n


def _spreads(n, x, y, xx, yy, xy) -> tuple[float, float, float] | None:
    """Sums of squares and products about the means; a spread within rounding
    of nothing is given as 0. None with fewer than 3 points."""
    if not n or n < 3:
        return None
    sxx, syy, sxy = xx - x * x / n, yy - y * y / n, xy - x * y / n
    return (sxx if sxx > 1e-12 * xx else 0.0), (syy if syy > 1e-12 * yy else 0.0), sxy


def strength(r: float | None) -> str:
    if r is None:
        return "cannot be measured"
    size = abs(r)
    words = "very weak" if size < 0.1 else "weak" if size < 0.3 else "moderate" if size < 0.5 else "strong"
    if size < 0.1:
        return words
    return f"{words}, {'more deprived areas scoring lower' if r < 0 else 'more deprived areas scoring higher'}"


def share(count: int, total: int) -> str:
    return f"{round(100 * count / total)}%" if total else "–"


def fairness(data: dict, types, regions) -> list[dict]:
    """Per type: band shares by area and region, published beside without
    adjustment; the King's Fund question; scores against deprivation."""
    area = {region.code: region.area for region in regions}
    region_names = {region.code: region.name for region in regions}
    sections = []
    run_types = {run.organisation_type.code for run in data["runs"]}
    for organisation_type in types:
        code = organisation_type.code
        if code not in run_types:
            continue
        groups = {"area": {}, "region": {}}
        for source in ("published", "unadjusted"):
            for (type_code, region_code, band), count in data[source].items():
                if type_code != code or band == Band.NOT_RATED:
                    continue
                for kind, key in (("area", area.get(region_code)), ("region", region_code)):
                    counts = groups[kind].setdefault(key, {"published": {}, "unadjusted": {}})[source]
                    counts[band] = counts.get(band, 0) + count
        area_rows = [_share_row(AREA_WORDS[key], groups["area"].get(key)) for key in Area.values]
        region_rows = [_share_row(region_names[r.code], groups["region"].get(r.code)) for r in regions
                       if r.code in groups["region"]]
        scores = data["deprivation"][code]
        sums = scores["sums"]
        after = correlation_of_sums(sums["n"], sums["x"], sums["y"], sums["xx"], sums["yy"], sums["xy"])
        before = correlation_of_sums(sums["n_u"], sums["x_u"], sums["u"], sums["xx_u"], sums["uu"], sums["xu"])
        trend = trend_of_sums(sums["n"], sums["x"], sums["y"], sums["xx"], sums["yy"], sums["xy"])
        points = sums["n"]
        plural = plural_of(organisation_type)
        sections.append({
            "type": organisation_type, "plural": plural,
            "area_rows": area_rows, "region_rows": region_rows,
            "kings_fund": _kings_fund(groups["area"], plural),
            "chart": svg(charts.share_bars(
                chart_id=f"areas-{code}", title=f"Bands of {plural} by broad area, published and without adjustment",
                description="For each broad area, the share of green, yellow and red as published and as it would "
                            "have been without the value-added adjustment. The same figures are in the table.",
                rows=[row for r in area_rows for row in (
                    charts.ShareRow(f"{r['label']}: published", r["published"]),
                    charts.ShareRow(f"{r['label']}: without adjustment", r["unadjusted"]))])),
            "correlation_before": format_number(before), "correlation_after": format_number(after),
            "strength_before": strength(before), "strength_after": strength(after), "points": points,
            "scatter": svg(charts.scatter_plot(
                chart_id=f"deprivation-{code}", title=f"Final score against deprivation, {plural}",
                description="Each organisation's published final score against the deprivation score of the "
                            f"population it serves; the line is the least-squares trend of all of them."
                            f"{chart_sample_sentence(points)}",
                points=[charts.ScatterPoint("", p[0], p[1], p[3]) for p in scores["points"]], fit=trend,
                x_label="Deprivation score (higher is more deprived)", y_label="Final score")) if points else "",
        })
    return sections


def _share_row(label: str, counts: dict | None) -> dict:
    counts = counts or {"published": {}, "unadjusted": {}}
    row = {"label": label, "published": counts["published"], "unadjusted": counts["unadjusted"]}
    for source in ("published", "unadjusted"):
        total = sum(counts[source].values())
        row[f"{source}_total"] = total
        row[f"{source}_cells"] = [(band_word(b), counts[source].get(b, 0), share(counts[source].get(b, 0), total))
                                  for b in (Band.GREEN, Band.YELLOW, Band.RED)]
    return row


def _kings_fund(areas: dict, plural: str) -> list[str]:
    sentences = []
    for source, words in (("published", "As published"), ("unadjusted", "Without the adjustment")):
        green_total = sum(a[source].get(Band.GREEN, 0) for a in areas.values())
        red_total = sum(a[source].get(Band.RED, 0) for a in areas.values())
        green_south = areas.get(Area.SOUTH, {}).get(source, {}).get(Band.GREEN, 0)
        red_north = areas.get(Area.NORTH, {}).get(source, {}).get(Band.RED, 0)
        sentences.append(f"{words}: {share(green_south, green_total)} of green {plural} were in the south "
                         f"and {share(red_north, red_total)} of red {plural} in the north.")
    return sentences


def core_target(indicator) -> str:
    if indicator.core_threshold is None:
        return "None"
    return (("At least " if indicator.direction == Indicator.Direction.HIGHER_BETTER else "At most ")
            + format_number(indicator.core_threshold))


def indicator_page(indicator, run, reading) -> dict:
    """The distribution of an indicator across the organisations of a type
    (`reading`: an `IndicatorReading`): a dot plot of its chart points (a
    sample when there are many, see `chart_sample`) and a table of one page of
    its rows, best first."""
    if run is None:
        return {"rows": [], "count": 0, "chart": "", "core_target": core_target(indicator)}
    median = run.median  # from the run's peer summary, this indicator's part
    table = [{"code": code, "name": name, "band": band, "band_word": band_word(band), "position": position,
              "shown_value": format_number(value), "shown_adjusted": format_number(adjusted) if adjusted != value else ""}
             for position, code, name, band, value, adjusted in reading.page]
    reference = [charts.ReferenceLine(f"Median {format_number(median)}", median)] if median is not None else []
    if indicator.core_threshold is not None:
        reference.append(charts.ReferenceLine(f"Core target {format_number(indicator.core_threshold)}",
                                              indicator.core_threshold))
    plural = plural_of(run.organisation_type)
    count = reading.rows
    return {
        "rows": table, "median": format_number(median), "count": count, "core_target": core_target(indicator),
        "adjusted": reading.adjusted > 0,
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
        region_total = sum(v for (t, b), v in counts.items() if t == organisation_type.code and b != Band.NOT_RATED)
        national_total = sum(v for (t, b), v in national.items()
                             if t == organisation_type.code and b != Band.NOT_RATED)
        if not national_total:
            continue
        comparison.append({
            "plural": plural_of(organisation_type).capitalize(),
            "cells": [(band_word(b), counts.get((organisation_type.code, b), 0),
                       share(counts.get((organisation_type.code, b), 0), region_total),
                       national.get((organisation_type.code, b), 0),
                       share(national.get((organisation_type.code, b), 0), national_total))
                      for b in (Band.GREEN, Band.YELLOW, Band.RED)],
            "region_total": region_total, "national_total": national_total,
            "chart": svg(charts.share_bars(
                chart_id=f"region-{organisation_type.code}",
                title=f"{plural_of(organisation_type).capitalize()}: {region.name} against England",
                description="Shares of green, yellow and red in the region and nationally. "
                            "The same figures are in the table.",
                rows=[charts.ShareRow(region.name, {b: counts.get((organisation_type.code, b), 0)
                                                    for b in (Band.GREEN, Band.YELLOW, Band.RED)}),
                      charts.ShareRow("England", {b: national.get((organisation_type.code, b), 0)
                                                  for b in (Band.GREEN, Band.YELLOW, Band.RED)})])),
        })
    return {"comparison": comparison}
