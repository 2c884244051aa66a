"""Publishing a year and type's run now or at a set time, correcting ratings
the public has seen, withdrawing them, and settling schedules whose time has
come. What a run's state allows is decided by RatingRun's predicates
(`can_publish`, `can_withdraw`, `was_public`, `is_due`), the twins of the
queryset filters the public site reads."""

from django.db import transaction
from django.utils import dateformat, timezone

from indicators.times import uk_time
from indicators.years import format_year

from ..models import AuditEntry, RatingRun
from ..queries import certainty_progress
from .audit import audit
from .errors import RecalculationError
from .fact_checks import open_challenges_of


@transaction.atomic
def publish_run(*, run: RatingRun, user=None, at=None, note: str = "", open_challenges_reason: str = "") -> RatingRun:
    """Publish a draft run now, or schedule it for `at` (nothing of it is public
    before then). Whatever it replaces is kept: the published run is marked
    superseded when the new one takes effect; another pending schedule for the
    same year and type goes back to draft. Publishing a published run again does nothing.

    Replacing ratings the public has already seen (published, or withdrawn
    after publication) is a correction, and needs a `note` saying what it
    corrects: report cards show it with its date.

    While challenges from a fact-check window of the year and type are still
    open, publishing needs `open_challenges_reason`, kept in the audit log."""
    now = timezone.now()
    siblings = _locked_siblings(run)
    _settle(siblings, now)
    run = next(r for r in siblings if r.pk == run.pk)
    if run.is_published and at is None:
        return run
    if not run.can_publish:
        raise RecalculationError(f"Run {run.pk} is {run.status} and cannot be published.")
    if not run.certainty_ready:
        raise RecalculationError(_certainty_refusal(run))
    open_challenges = sorted(open_challenges_of(run).values_list("pk", flat=True))
    open_challenges_reason = open_challenges_reason.strip()
    if open_challenges and not open_challenges_reason:
        raise RecalculationError(
            f"{_label(run)} has {len(open_challenges)} open fact-check challenge{'s' if len(open_challenges) > 1 else ''} "
            f"({', '.join(map(str, open_challenges))}): resolve {'them' if len(open_challenges) > 1 else 'it'} "
            f"first, or record why the ratings are published with {'them' if len(open_challenges) > 1 else 'it'} open.")
    note = note.strip()
    public_before = [s for s in siblings if s.pk != run.pk and s.was_public(now)]
    if public_before and not note:
        first = min(s.published_at for s in public_before)
        raise RecalculationError(
            f"{_label(run)} ratings were first published on {dateformat.format(timezone.localtime(first), 'j F Y')}, so this is a "
            f"correction: say what it corrects. Report cards show the note with the date it takes effect.")
    correction = bool(public_before)
    for sibling in siblings:
        if sibling.pk != run.pk and sibling.is_scheduled:
            sibling.status, sibling.published_at = RatingRun.Status.DRAFT, None
            sibling.save(update_fields=["status", "published_at"])
            audit(user=user, action=AuditEntry.Action.UNSCHEDULED, year=run.year, run=sibling,
                  description=f"{_label(sibling)}: run {sibling.pk} no longer scheduled; run {run.pk} replaces it.")
    run.revision_note = note if correction else ""
    details = {"note": run.revision_note} if correction else {}
    if open_challenges:
        details |= {"open_challenges": open_challenges, "open_challenges_reason": open_challenges_reason}
    with_challenges = (f" With open fact-check challenges {', '.join(map(str, open_challenges))}, because: "
                       f"{open_challenges_reason}" if open_challenges else "")
    if at is not None and at > now:
        run.status, run.published_at, run.published_by = RatingRun.Status.SCHEDULED, at, user
        run.save(update_fields=["status", "published_at", "published_by", "revision_note"])
        audit(user=user, action=AuditEntry.Action.SCHEDULED, year=run.year, run=run,
              details={"at": at.isoformat(), **details},
              description=f"{_label(run)}: run {run.pk} scheduled for publication at "
                          f"{uk_time(at)}"
                          + (f" as a correction: {note}" if correction else ".") + with_challenges)
        return run
    replaced = _supersede(siblings, except_run=run)
    run.status, run.published_at, run.published_by = RatingRun.Status.PUBLISHED, now, user
    run.save(update_fields=["status", "published_at", "published_by", "revision_note"])
    audit(user=user, action=AuditEntry.Action.CORRECTED if correction else AuditEntry.Action.PUBLISHED,
          year=run.year, run=run, details={"superseded": replaced, **details},
          description=f"{_label(run)}: run {run.pk} published"
                      + (f", replacing run {replaced[-1]}" if replaced else "")
                      + (f", as a correction: {note}" if correction else ".") + with_challenges)
    return run


@transaction.atomic
def publish_runs(*, runs: list[RatingRun], user=None, at=None, note: str = "",
                 open_challenges_reason: str = "") -> list[RatingRun]:
    """Publish (or schedule) several runs together, e.g. a year's drafts of
    every type at one announced time: all of them or, if one cannot be, none."""
    return [publish_run(run=run, user=user, at=at, note=note, open_challenges_reason=open_challenges_reason)
            for run in runs]


@transaction.atomic
def withdraw_run(*, run: RatingRun, user=None, reason: str) -> RatingRun:
    """Take a published (or scheduled) run off the public site at once, saying why."""
    if not reason.strip():
        raise RecalculationError("Say why the ratings are withdrawn: the reason is kept with the run.")
    now = timezone.now()
    siblings = _locked_siblings(run)
    _settle(siblings, now)
    run = next(r for r in siblings if r.pk == run.pk)
    if not run.can_withdraw:
        raise RecalculationError(f"Run {run.pk} is {run.status}: only a published or scheduled run can be "
                                 f"withdrawn.")
    run.status, run.withdrawn_at, run.withdrawal_reason = RatingRun.Status.WITHDRAWN, now, reason.strip()
    run.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    audit(user=user, action=AuditEntry.Action.WITHDRAWN, year=run.year, run=run, details={"reason": reason},
          description=f"{_label(run)}: run {run.pk} withdrawn: {reason.strip()}")
    return run


@transaction.atomic
def settle_scheduled_runs() -> list[RatingRun]:
    """Record as published the scheduled runs whose time has passed (the public
    site already shows them: this only tidies the statuses). For a timer."""
    settled = []
    now = timezone.now()
    for year, type_id in set(RatingRun.objects.due(now).values_list("year", "organisation_type_id")):
        siblings = list(RatingRun.objects.select_for_update().filter(year=year, organisation_type_id=type_id))
        settled += _settle(siblings, now)
    return settled


def _locked_siblings(run: RatingRun) -> list[RatingRun]:
    # Every run of the year and type, locked, so two admins publishing at once queue.
    return list(RatingRun.objects.select_for_update().select_related("organisation_type").filter(
        year=run.year, organisation_type_id=run.organisation_type_id).order_by("pk"))


def _settle(siblings: list[RatingRun], now) -> list[RatingRun]:
    settled = []
    for run in siblings:
        if run.is_due(now):
            replaced = _supersede(siblings, except_run=run)
            run.status = RatingRun.Status.PUBLISHED
            run.save(update_fields=["status"])
            correction = {"note": run.revision_note} if run.revision_note else {}
            audit(user=None, action=AuditEntry.Action.CORRECTED if correction else AuditEntry.Action.PUBLISHED,
                  year=run.year, run=run, details={"superseded": replaced, "scheduled": True, **correction},
                  description=f"{_label(run)}: run {run.pk} published as scheduled"
                              + (f", replacing run {replaced[-1]}" if replaced else "")
                              + (f", as a correction: {run.revision_note}" if correction else "."))
            settled.append(run)
    return settled


def _supersede(siblings: list[RatingRun], *, except_run: RatingRun) -> list[int]:
    replaced = []
    for sibling in siblings:
        if sibling.pk != except_run.pk and sibling.is_published:
            sibling.status = RatingRun.Status.SUPERSEDED
            sibling.save(update_fields=["status"])
            replaced.append(sibling.pk)
    return replaced


def _certainty_refusal(run: RatingRun) -> str:
    if run.certainty_state == RatingRun.Certainty.FAILED:
        return (f"{_label(run)} run {run.pk} cannot be published: the simulation of its band certainty failed "
                f"({run.certainty_error}) Recalculate the year to try again.")
    done, total = certainty_progress([run]).get(run.pk, (0, 0))
    return (f"{_label(run)} run {run.pk} cannot be published yet: its band certainty is still being simulated "
            f"({done} of {total} chunks of draws done). Publish it when the simulation is complete.")


def _label(run: RatingRun) -> str:
    return f"{run.organisation_type.code} {format_year(run.year)}"
