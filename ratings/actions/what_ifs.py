"""What-ifs: the year's data rated under other parameters against the method
as set, computed by the background worker. Nothing is published or audited;
the answer is kept on the WhatIf for the admin to read."""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from indicators.models import OrganisationType

from ..models import RatingScheme, WhatIf
from ..parameters import SchemeParameters
from .background_work import WorkAbandoned, finish, heartbeat, report, start, still_running

WHAT_IF_STEPS = ["Reading the year's data and rating it under the method as set",
                 "Rating it under the parameters tried", "Keeping the answer"]


@transaction.atomic
def request_what_if(*, year: int, parameters: SchemeParameters, user=None) -> WhatIf:
    """Queue a what-if for the background worker: the year's data rated under
    `parameters` against the year's method as set now."""
    scheme = RatingScheme.objects.filter(year=year).first() or RatingScheme(year=year)
    what_if = WhatIf.objects.create(
        year=year, base_parameters=scheme.parameters().as_dict(), parameters=parameters.as_dict(),
        type_codes=sorted(OrganisationType.objects.values_list("code", flat=True)), requested_by=user,
        heartbeat_at=timezone.now(), step="Waiting for the worker", steps_total=len(WHAT_IF_STEPS))
    # Queued in the same transaction: the task exists exactly when the what-if does.
    what_if.task_id = str(compute_what_if.enqueue(what_if_id=what_if.pk).id)
    what_if.save(update_fields=["task_id"])
    return what_if


@task()
def compute_what_if(what_if_id: int) -> bool:
    """The background task: carry out a queued what-if; whether it finished."""
    return run_what_if(what_if_id=what_if_id)


def run_what_if(*, what_if_id: int) -> bool:
    """Carry out a queued what-if (the background task's body); whether it finished."""
    from .. import admin_comparisons  # pandas: only in the worker (see ratings.actions)

    if not start(WhatIf, what_if_id):
        return False
    what_if = WhatIf.objects.get(pk=what_if_id)
    try:
        with heartbeat(what_if):
            before = SchemeParameters.from_dict(what_if.base_parameters)
            after = SchemeParameters.from_dict(what_if.parameters)
            sides = {"before": 0, "after": 1}
            outcomes = admin_comparisons.what_if_outcomes(
                year=what_if.year, before=before, after=after, type_codes=what_if.type_codes,
                progress=lambda side: report(what_if, WHAT_IF_STEPS[sides[side]], sides[side]))
            report(what_if, WHAT_IF_STEPS[2], 2)
            with transaction.atomic():
                still_running(what_if)
                what_if.outcomes = admin_comparisons.outcomes_as_json(outcomes)
                what_if.save(update_fields=["outcomes"])
                finish(what_if, WhatIf.Status.SUCCEEDED, step="Finished")
    except WorkAbandoned:
        return False
    except Exception:
        finish(what_if, WhatIf.Status.FAILED, error="An unexpected error stopped it. The worker's log has the "
                                                    "details.")
        raise
    return True
