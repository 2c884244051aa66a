"""The fairness page: band shares by broad area and region, as published and
without the value-added adjustment, and final scores against deprivation."""

from __future__ import annotations

import math

from indicators.models import Area
from ratings import bands

from .. import charts
from ..formatting import format_number, percent_of, plural_of, rated_band_words
from .charting import chart_sample_sentence, svg, wide_and_narrow

AREA_WORDS = dict(Area.choices)


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


def sections(data: dict, types, regions) -> list[dict]:
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
                if type_code != code or band not in bands.RATED_CODES:
                    continue
                for kind, key in (("area", area.get(region_code)), ("region", region_code)):
                    counts = groups[kind].setdefault(key, {"published": {}, "unadjusted": {}})[source]
                    counts[band] = counts.get(band, 0) + count
        area_rows = [_share_row(AREA_WORDS[key], groups["area"].get(key)) for key in Area.values]
        region_rows = [_share_row(region_names[r.code], groups["region"].get(r.code)) for r in regions
                       if r.code in groups["region"]]
        scores = data["deprivation"][code]
        sums = scores.sums
        after = correlation_of_sums(sums["n"], sums["x"], sums["y"], sums["xx"], sums["yy"], sums["xy"])
        before = correlation_of_sums(sums["n_u"], sums["x_u"], sums["u"], sums["xx_u"], sums["uu"], sums["xu"])
        trend = trend_of_sums(sums["n"], sums["x"], sums["y"], sums["xx"], sums["yy"], sums["xy"])
        points = sums["n"]
        plural = plural_of(organisation_type)
        run = next(run for run in data["runs"] if run.organisation_type.code == code)
        sections.append({
            "area_split": [area_split_sentence(words, (run.area_split or {}).get(source), plural)
                           for source, words in (("published", "As published"),
                                                 ("unadjusted", "Without the adjustment"))
                           if (run.area_split or {}).get(source)],
            "type": organisation_type, "plural": plural,
            "area_rows": area_rows, "region_rows": region_rows,
            "kings_fund": _kings_fund(groups["area"], plural),
            "chart": wide_and_narrow(
                charts.share_bars, chart_id=f"areas-{code}",
                title=f"Bands of {plural} by broad area, published and without adjustment",
                description=f"For each broad area, the share of {rated_band_words()} as published and as it would "
                            "have been without the value-added adjustment. The same figures are in the table.",
                rows=[row for r in area_rows for row in (
                    charts.ShareRow(f"{r['label']}: published", r["published"]),
                    charts.ShareRow(f"{r['label']}: without adjustment", r["unadjusted"]))]),
            "correlation_before": format_number(before), "correlation_after": format_number(after),
            "strength_before": strength(before), "strength_after": strength(after), "points": points,
            "scatter": wide_and_narrow(
                charts.scatter_plot, chart_id=f"deprivation-{code}", title=f"Final score against deprivation, {plural}",
                description="Each organisation's published final score against the deprivation score of the "
                            f"population it serves; the line is the least-squares trend of all of them."
                            f"{chart_sample_sentence(points)}",
                points=[charts.ScatterPoint("", p[0], p[1], p[3]) for p in scores.points], fit=trend,
                x_label="Deprivation score (higher is more deprived)", y_label="Final score") if points else "",
        })
    return sections


def _share_row(label: str, counts: dict | None) -> dict:
    counts = counts or {"published": {}, "unadjusted": {}}
    row = {"label": label, "published": counts["published"], "unadjusted": counts["unadjusted"]}
    for source in ("published", "unadjusted"):
        total = sum(counts[source].values())
        row[f"{source}_total"] = total
        row[f"{source}_cells"] = [(band.word, counts[source].get(band.code, 0),
                                   percent_of(counts[source].get(band.code, 0), total)) for band in bands.RATED]
    return row


def _kings_fund(areas: dict, plural: str) -> list[str]:
    sentences = []
    for source, words in (("published", "As published"), ("unadjusted", "Without the adjustment")):
        green_total = sum(a[source].get(bands.GREEN, 0) for a in areas.values())
        red_total = sum(a[source].get(bands.RED, 0) for a in areas.values())
        green_south = areas.get(Area.SOUTH, {}).get(source, {}).get(bands.GREEN, 0)
        red_north = areas.get(Area.NORTH, {}).get(source, {}).get(bands.RED, 0)
        sentences.append(f"{words}: {percent_of(green_south, green_total)} of green {plural} were in the south "
                         f"and {percent_of(red_north, red_total)} of red {plural} in the north.")
    return sentences


# A split that chance gives this seldom or less is called unlikely to be chance.
SIGNIFICANT = 0.05


def area_split_sentence(words: str, test: dict, plural: str) -> str:
    """A permutation test of the north/south split of green and red (`ratings.area_split`) in words."""
    north, south = sum(test["north"]), sum(test["south"])
    if test["p_value"] is None:
        return (f"{words}: whether the split of green and red between north and south could be chance cannot be "
                f"measured ({north} rated {plural} in the north, {south} in the south).")
    shuffles = test["permutations"]
    as_lopsided = round(test["p_value"] * (shuffles + 1)) - 1
    tilt = ("more red in the north and more green in the south" if test["split"] > 0
            else "no more red in the north and green in the south")
    verdict = ("unlikely to be chance" if test["p_value"] < SIGNIFICANT
               else "it could well be chance")
    return (f"{words}: the {north} rated {plural} in the north and {south} in the south show {tilt} "
            f"(a difference of {format_number(test['split'] * 100, 1)} percentage points in their shares of red "
            f"and green together). When the same bands were shuffled at random between the two areas "
            f"{shuffles:,} times (seed {test['seed']}), {as_lopsided:,} shuffles gave a split at least as lopsided "
            f"(p = {format_number(test['p_value'], 3)}): {verdict}.")
