"""The background worker's tasks (`manage.py db_worker`).

Each is defined beside the action that queues it (`ratings/actions/`), so
the actions never import this module: the dependency runs one way, from here
to the actions. They are named here too because a queued task is stored
under its path: tasks queued as `ratings.tasks.recalculate_year` or
`ratings.tasks.compute_what_if` still find them."""

from .actions.certainty import compute_certainty_chunk, watch_certainty_chunks
from .actions.recalculation import recalculate_year
from .actions.what_ifs import compute_what_if

__all__ = ["compute_certainty_chunk", "compute_what_if", "recalculate_year", "watch_certainty_chunks"]
