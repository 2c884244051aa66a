"""Every write to the ratings app, by job: keyword-only, atomic.

- `schemes`: a year's method (its rating scheme) and what each band means;
- `recalculation`: claiming a year and computing its draft runs, here or on
  the background worker;
- `what_ifs`: a year rated under other parameters, on the worker;
- `certainty`: a run's band certainty, simulated in chunks of draws on the
  workers (or here, on the command line) and combined by the last chunk;
- `background_work`: what those two share (taking the work, heartbeat,
  progress, finishing, an admin marking dead work failed);
- `publication`: publishing now or at a set time, corrections, withdrawal;
- `fact_checks`: the fact-check window, organisations' challenges and their resolution.

The background tasks are defined beside the actions that queue them, so
nothing here imports `ratings.tasks`. The engine and its pandas tables
(`inputs`, `outputs`, `counterfactuals`, `admin_comparisons`) are imported
only inside the functions that compute: the admin imports this package, and a
web process serving only stored ratings should never load pandas (about
50 MB of a worker's memory)."""

from .background_work import mark_failed
from .errors import RecalculationError, describe_error
from .fact_checks import (Attachment, FactCheckError, close_due_windows, close_window, make_challenge, open_window,
                          resolve_challenge)
from .publication import publish_run, publish_runs, settle_scheduled_runs, withdraw_run
from .recalculation import RecalculationBusy, recalculate, request_recalculation, run_recalculation
from .schemes import SchemeInUse, copy_scheme, delete_consequence, delete_scheme, save_consequence, update_scheme
from .what_ifs import request_what_if, run_what_if

__all__ = [
    "Attachment", "FactCheckError", "close_due_windows", "close_window", "make_challenge", "open_window",
    "resolve_challenge",
    "RecalculationBusy", "RecalculationError", "SchemeInUse", "copy_scheme", "delete_consequence", "delete_scheme",
    "describe_error", "mark_failed",
    "publish_run", "publish_runs", "recalculate", "request_recalculation", "request_what_if", "run_recalculation",
    "run_what_if", "save_consequence", "settle_scheduled_runs", "update_scheme", "withdraw_run",
]
