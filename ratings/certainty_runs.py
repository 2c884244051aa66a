"""The bridge between a stored run and the pure certainty simulation
(`certainty`, beside the engine): what one chunk of draws reads (the run's
figures as they were when it was computed, its frozen parameters and
definitions, and for a band change last year's published run), its partial
result packed for the database (numpy arrays, no pickles), and the combined
figures written to the run's ratings. Used by `actions.certainty` on the
worker and by `verification`."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from django.db import connection

from .models import Rating, RatingRun


def pack(partial: dict[str, np.ndarray]) -> bytes:
    """A chunk's partial result (named numpy arrays) as bytes for the database."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{name: np.asarray(value) for name, value in partial.items()})
    return buffer.getvalue()


def unpack(data: bytes) -> dict[str, np.ndarray]:
    # allow_pickle=False: the stored bytes are read as plain arrays, never as code.
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


@dataclass(frozen=True)
class Figures:
    """Per organisation (ids in `organisations`): P(each band), certainty
    (P(the band it has)), the rank interval (0 = none) and P(real) for a band
    change (NaN when its band did not change or it was not rated last year)."""

    organisations: np.ndarray
    p_green: np.ndarray
    p_yellow: np.ndarray
    p_red: np.ndarray
    p_not_rated: np.ndarray
    certainty: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    p_change_real: np.ndarray


FIGURE_FIELDS = ("p_green", "p_yellow", "p_red", "p_not_rated", "certainty", "rank_low", "rank_high",
                 "p_change_real")


def write_figures(run: RatingRun, figures: Figures) -> None:
    """Each rating's figures, in one executemany; NaN and rank 0 stored as null."""
    def value(array, i):
        number = array[i].item()
        if isinstance(number, float) and np.isnan(number):
            return None
        return None if array.dtype.kind in "iu" and number == 0 else number

    rows = [[value(getattr(figures, name), i) for name in FIGURE_FIELDS]
            + [run.pk, int(figures.organisations[i])] for i in range(len(figures.organisations))]
    assignments = ", ".join(f"{name} = %s" for name in FIGURE_FIELDS)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {Rating._meta.db_table} SET {assignments} WHERE run_id = %s AND "
                           f"organisation_id = %s", rows)
