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
from .parameters import SchemeParameters


def pack(partial: dict[str, np.ndarray]) -> bytes:
    """A chunk's partial result (named numpy arrays) as bytes for the database."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{name: np.asarray(value) for name, value in partial.items()})
    return buffer.getvalue()


def unpack(data: bytes) -> dict[str, np.ndarray]:
    # allow_pickle=False: the stored bytes are read as plain arrays, never as code.
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


def simulate_chunk(run: RatingRun, *, first_draw: int, stop_draw: int) -> dict[str, np.ndarray]:
    """The tallies of draws first_draw to stop_draw - 1 of the run (its band
    and rank counts, and for a band change the draws that moved it as
    published), from the figures as they were when it was computed: the same
    whichever worker computes them, and whenever."""
    from . import simulation

    params = SchemeParameters.from_dict(run.parameters)
    inputs = _inputs_of(run)
    draws = range(first_draw, stop_draw)
    code = run.organisation_type.code
    counts = simulation.certainty_counts(inputs, params, draws).get(code)
    partial = {"draws": np.int64(len(draws))}
    if counts is not None:
        partial.update(organisations=counts.organisations, bands=counts.bands, ranks=counts.ranks)
    baseline = run.change_baseline
    if baseline is not None and counts is not None:
        change = simulation.change_counts(_inputs_of(baseline, moment=run.created_at),
                                          SchemeParameters.from_dict(baseline.parameters), inputs, params,
                                          draws).get(code)
        if change is not None:
            partial.update(change_organisations=change.organisations, change_before=change.before,
                           change_after=change.after, change_real=change.real)
    return partial


def combine(run: RatingRun, partials: list[dict[str, np.ndarray]]) -> "Figures":
    """Every chunk's tallies added, as each rating's figures. The certainty is
    P(the band stored with the rating); P(real) is kept only where the
    simulation's published bands of both years are the stored ones (so the
    card's "from yellow to green" is the change that was simulated)."""
    from . import simulation

    params = SchemeParameters.from_dict(run.parameters)
    code = run.organisation_type.code
    stored = dict(run.ratings.values_list("organisation_id", "band"))
    parts = [p for p in partials if "organisations" in p]
    if any("ranks" not in p for p in parts):
        raise ValueError("some chunks' tallies were stored by an earlier version (a rank histogram, not the draws' "
                         "ranks): recalculate the year")
    if not parts:
        return Figures.empty()
    counts = simulation.combine_counts(
        {code: simulation.CertaintyCounts(code, p["organisations"], int(p["draws"]), p["bands"], p["ranks"])}
        for p in parts)
    table = simulation.certainty_table(_inputs_of(run), params, counts)
    table = table[table["organisation"].isin(list(stored))].reset_index(drop=True)
    band_share = {band: table[f"p_{band}"].to_numpy() for band in ("green", "yellow", "red", "not_rated")}
    bands_stored = [stored[int(o)] for o in table["organisation"]]
    certainty = np.array([np.nan if band == "not_rated" else band_share[band][i]
                          for i, band in enumerate(bands_stored)], dtype=float)
    p_real = np.full(len(table), np.nan)
    changes = [p for p in parts if "change_real" in p]
    if changes and run.change_baseline_id:
        before_stored = dict(Rating.objects.filter(run_id=run.change_baseline_id).values_list(
            "organisation_id", "band"))
        change = simulation.change_table(simulation.combine_change_counts(
            {code: simulation.ChangeCounts(code, p["change_organisations"], p["change_before"], p["change_after"],
                                           int(p["draws"]), p["change_real"])} for p in changes))
        where = {int(o): i for i, o in enumerate(table["organisation"])}
        for organisation, before, after, share in zip(change["organisation"], change["band_before"], change["band"],
                                                      change["p_real"]):
            organisation = int(organisation)
            if (organisation in where and before_stored.get(organisation) == before
                    and stored.get(organisation) == after):
                p_real[where[organisation]] = share
    return Figures(organisations=table["organisation"].to_numpy(dtype=np.int64),
                   p_green=band_share["green"], p_yellow=band_share["yellow"], p_red=band_share["red"],
                   p_not_rated=band_share["not_rated"], certainty=certainty,
                   rank_low=table["rank_low"].to_numpy(dtype=float), rank_high=table["rank_high"].to_numpy(dtype=float),
                   p_change_real=p_real)


def _inputs_of(run: RatingRun, moment=None):
    from .inputs import load_engine_inputs_as_of

    return load_engine_inputs_as_of(run, moment=moment or run.created_at)


@dataclass(frozen=True)
class Figures:
    """Per organisation (ids in `organisations`): P(each band), certainty
    (P(the band it has)), the rank interval and P(real) for a band change;
    NaN where there is none (not rated, never ranked, no change)."""

    organisations: np.ndarray
    p_green: np.ndarray
    p_yellow: np.ndarray
    p_red: np.ndarray
    p_not_rated: np.ndarray
    certainty: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    p_change_real: np.ndarray

    @classmethod
    def empty(cls) -> "Figures":
        return cls(*(np.empty(0) for _ in range(9)))


FIGURE_FIELDS = ("p_green", "p_yellow", "p_red", "p_not_rated", "certainty", "rank_low", "rank_high",
                 "p_change_real")


def write_figures(run: RatingRun, figures: Figures) -> None:
    """Each rating's figures, in one executemany; NaN stored as null."""
    def value(name, array, i):
        number = float(array[i])
        if np.isnan(number):
            return None
        return int(number) if name in ("rank_low", "rank_high") else number

    rows = [[value(name, getattr(figures, name), i) for name in FIGURE_FIELDS]
            + [run.pk, int(figures.organisations[i])] for i in range(len(figures.organisations))]
    assignments = ", ".join(f"{name} = %s" for name in FIGURE_FIELDS)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {Rating._meta.db_table} SET {assignments} WHERE run_id = %s AND "
                           f"organisation_id = %s", rows)
