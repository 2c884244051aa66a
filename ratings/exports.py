"""The ratings CSV: what `export_ratings` writes and the public download serves."""

from __future__ import annotations

import csv
from typing import Iterable, TextIO

from indicators.exports import neutralise
from indicators.years import format_year

from .engine import DOMAINS
from .models import Rating, RatingRun

COLUMNS = (["year", "organisation_code", "organisation_name", "organisation_type", "region", "band", "score",
            "level_score", "improvement_score", "core_targets_failed", "rank"]
           + [f"{domain}_score" for domain in DOMAINS])


def rating_rows(runs: Iterable[RatingRun]) -> Iterable[list]:
    return rows_of(Rating.objects.filter(run__in=list(runs))
                   .order_by("organisation__type__code", "rank", "organisation__name"))


def rows_of(ratings) -> Iterable[list]:
    """CSV rows (COLUMNS) of a queryset of ratings, in its order."""
    ratings = ratings.select_related("run", "organisation__type", "organisation__region")
    for rating in ratings.iterator(chunk_size=2000):
        level = rating.domain_scores.get("level", {})
        yield [format_year(rating.run.year), rating.organisation.code, rating.organisation.name,
               rating.organisation.type.code, rating.organisation.region.name, rating.band,
               _round(rating.score), _round(rating.level_score), _round(rating.improvement_score),
               rating.core_targets_failed, rating.rank] + [_round(level.get(domain)) for domain in DOMAINS]


def write_csv(rows: Iterable[list], handle: TextIO, columns: list[str] = COLUMNS) -> int:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
        count += 1
    return count


def _round(value):
    # Six decimal places: enough to order and reproduce, without float noise.
    return None if value is None else round(value, 6)
