"""Work done by the background worker (`manage.py db_worker`)."""

from django_tasks import task

from . import actions


@task()
def recalculate_year(recalculation_id: int) -> list[int]:
    """Carry out a queued recalculation; returns the ids of the runs it made."""
    return actions.run_recalculation(recalculation_id=recalculation_id)


@task()
def compute_what_if(what_if_id: int) -> bool:
    """Carry out a queued what-if; returns whether it finished."""
    return actions.run_what_if(what_if_id=what_if_id)
