"""The fact-check window: opening and closing it, organisations' challenges,
and admins resolving them. Rights are checked here, under the lock of what
is touched, against the memberships held at that moment; every write is
audited; emails go out once the transaction has committed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from indicators import queries
from indicators.access import is_admin
from indicators.actions import apply_return
from indicators.actions.results import lock_region_years
from indicators.models import Indicator, Organisation, OrganisationMembership, OrganisationType, ReturnImport
from indicators.returns import FIELD_LABELS, validate_correction
from indicators.times import uk_time
from indicators.years import format_year

from .. import notifications
from ..fact_checks import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, Challenge, FactCheckWindow
from ..models import AuditEntry, RatingRun
from .audit import audit
from .errors import RecalculationError


class FactCheckError(RecalculationError):
    """A fact-check write that cannot be done as asked; the message says why,
    and `field` names the form field at fault, when one is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes


def draft_run_for(window: FactCheckWindow, organisation: Organisation, at=None) -> RatingRun | None:
    """The draft run an organisation's staff see in an open window: the newest
    draft of the window's year for the organisation's type, if the window
    covers the type and nothing of the year and type was published (or
    scheduled) since it opened; None otherwise. After publication the public
    card takes over. Two queries."""
    at = at or timezone.now()
    if not window.is_open(at) or not FactCheckWindow.objects.covering(organisation.type_id).filter(
            pk=window.pk).exists():
        return None
    runs = RatingRun.objects.filter(year=window.year, organisation_type_id=organisation.type_id)
    published_since = Q(status__in=RatingRun.SHOWN_STATUSES + (RatingRun.Status.WITHDRAWN,),
                        published_at__gte=window.opened_at)
    newest = list(runs.filter(Q(status=RatingRun.Status.DRAFT, ratings__organisation=organisation)
                              | published_since).order_by("-created_at", "-pk")[:1]
                  .select_related("organisation_type"))
    run = next(iter(newest), None)
    if run is None or not run.is_draft or runs.filter(published_since).exists():
        return None
    return run


def open_window_for(year: int, organisation: Organisation, at=None) -> FactCheckWindow | None:
    """The year's open window covering the organisation's type, if any: one query."""
    return FactCheckWindow.objects.open(at).covering(organisation.type_id).filter(year=year).first()


@transaction.atomic
def open_window(*, year: int, closes_at, user, type_codes: list[str] | None = None) -> FactCheckWindow:
    """Open a fact-check window of the year's drafts (every type, or those of
    `type_codes`) until `closes_at`. Audited; the staff of every organisation
    the drafts rate are told by email."""
    _require_admin(user)
    now = timezone.now()
    if closes_at <= now:
        raise FactCheckError(f"The closing time ({uk_time(closes_at)}) has passed: choose a later one.")
    close_due_windows()
    if FactCheckWindow.objects.filter(year=year, closed_at__isnull=True).exists():
        raise FactCheckError(f"A fact-check window of {format_year(year)} is already open: close it first.")
    types = list(OrganisationType.objects.filter(code__in=type_codes)) if type_codes else []
    if type_codes and len(types) != len(set(type_codes)):
        unknown = sorted(set(type_codes) - {t.code for t in types})
        raise FactCheckError(f"No organisation type has the code {', '.join(unknown)}.")
    drafts = RatingRun.objects.drafts().filter(year=year)
    if types:
        drafts = drafts.filter(organisation_type__in=types)
    if not drafts.exists():
        raise FactCheckError(f"{format_year(year)} has no draft runs{' of those types' if types else ''}: "
                             f"recalculate the year first.")
    window = FactCheckWindow.objects.create(year=year, closes_at=closes_at, opened_by=user)
    window.organisation_types.set(types)
    scope = ", ".join(t.code for t in types) if types else "every type"
    audit(user=user, action=AuditEntry.Action.FACT_CHECK_OPENED, year=year,
          details={"window": window.pk, "types": [t.code for t in types], "closes_at": closes_at.isoformat()},
          description=f"{format_year(year)}: fact-check window {window.pk} opened ({scope}) until "
                      f"{uk_time(closes_at)}.")
    notifications.window_opened(window, _staff_of_window(window))
    return window


@transaction.atomic
def close_window(*, window: FactCheckWindow, user=None) -> bool:
    """Record the window as closed (by an admin, or with no user when its time
    has come): audited, and its organisations' staff told. False when it was
    already closed."""
    if user is not None:
        _require_admin(user)
    window = FactCheckWindow.objects.select_for_update().get(pk=window.pk)
    if window.closed_at is not None:
        return False
    window.closed_at, window.closed_by = timezone.now(), user
    window.save(update_fields=["closed_at", "closed_by"])
    how = "closed by an admin" if user is not None else f"closed at its closing time, {uk_time(window.closes_at)}"
    audit(user=user, action=AuditEntry.Action.FACT_CHECK_CLOSED, year=window.year, details={"window": window.pk},
          description=f"{format_year(window.year)}: fact-check window {window.pk} {how}.")
    notifications.window_closed(window, _staff_of_window(window))
    return True


@transaction.atomic
def close_due_windows() -> list[FactCheckWindow]:
    """Close every window past its closing time (for a timer: the
    `close_due_fact_check_windows` command). Nothing is shown after the closing
    time even before this runs: this records it and sends the emails."""
    return [window for window in FactCheckWindow.objects.due() if close_window(window=window)]


@transaction.atomic
def make_challenge(*, user, organisation: Organisation, year: int, reason: str, indicator_code: str = "",
                   figure_year: int | None = None, proposed_value: float | None = None, statement: str = "",
                   attachment: Attachment | None = None) -> Challenge:
    """An organisation's staff member challenges a figure (an indicator's value
    in a year) or a statement of its draft card. Checked under the lock of the
    organisation's membership rows, against the memberships and window as they
    are now."""
    list(OrganisationMembership.objects.select_for_update().filter(organisation=organisation))
    if not OrganisationMembership.objects.filter(user=user, organisation=organisation).exists():
        raise FactCheckError(f"You are not registered as staff of {organisation.name}.")
    window = open_window_for(year, organisation)
    run = draft_run_for(window, organisation) if window else None
    if run is None:
        raise FactCheckError(f"No fact-check window of {format_year(year)} is open for {organisation.name}.")
    reason, statement = reason.strip(), statement.strip()
    if not reason:
        raise FactCheckError("Say why: the reason is what an admin checks.")
    indicator = None
    if indicator_code:
        indicator = Indicator.objects.filter(code=indicator_code).first()
        if indicator is None:
            raise FactCheckError(f"There is no indicator with the code {indicator_code}.")
        if figure_year is None or proposed_value is None:
            raise FactCheckError("A challenged figure needs its year and the value it should be.")
    elif not statement:
        raise FactCheckError("Name the figure (indicator, year and value) or quote the statement you challenge.")
    else:
        figure_year = proposed_value = None
    checked = check_attachment(attachment) if attachment else None
    challenge = Challenge.objects.create(
        window=window, run=run, organisation=organisation, indicator=indicator, figure_year=figure_year,
        proposed_value=proposed_value, statement="" if indicator else statement, reason=reason,
        attachment=checked.content if checked else None, attachment_name=checked.name if checked else "",
        created_by=user)
    audit(user=user, action=AuditEntry.Action.CHALLENGE_MADE, year=year, run=run,
          details={"challenge": challenge.pk, "organisation": organisation.code},
          description=f"{organisation.code} {format_year(year)}: challenge {challenge.pk} made: "
                      f"{challenge.subject()}. Reason: {reason}")
    return challenge


def check_attachment(attachment: Attachment) -> Attachment:
    """The attachment, if it is a PDF, CSV, XLSX, PNG or JPEG of at most 5 MB
    whose first bytes are of its kind; FactCheckError naming the file otherwise."""
    name = PurePath(attachment.name.replace("\\", "/")).name[:200] or "attachment"
    suffix = PurePath(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        kind = suffix or "a file with no extension"
        raise FactCheckError(f"{name}: attach a PDF, CSV, XLSX, PNG or JPEG file, not {kind}.")
    if len(attachment.content) > ATTACHMENT_MAX_BYTES:
        raise FactCheckError(f"{name}: the file is {len(attachment.content) / 1048576:.1f} MB; "
                             f"attachments may be at most 5 MB.")
    if not attachment.content:
        raise FactCheckError(f"{name}: the file is empty.")
    if not _looks_like(suffix, attachment.content):
        raise FactCheckError(f"{name}: the file is not a {suffix[1:].upper()} file (its contents are of "
                             f"another kind).")
    return Attachment(name=name, content=attachment.content)


MAGIC = {".pdf": (b"%PDF-",), ".xlsx": (b"PK\x03\x04",), ".png": (b"\x89PNG\r\n\x1a\n",),
         ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}


def _looks_like(suffix: str, content: bytes) -> bool:
    if suffix == ".csv":  # text: no NUL, and readable as UTF-8 or Windows-1252
        if b"\x00" in content:
            return False
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                content.decode("cp1252")
            except UnicodeDecodeError:
                return False
        return True
    return content.startswith(MAGIC[suffix])


@transaction.atomic
def resolve_challenge(*, challenge: Challenge, user, accept: bool, resolution: str,
                      numerator: float | None = None, denominator: float | None = None) -> Challenge:
    """An admin accepts or rejects an open challenge, saying why. An accepted
    figure is corrected through the returns path: checked as a return's row is
    (a proportion's or rate's with its corrected numerator and denominator),
    under the locks of the figure's region and year, then stored as a
    correction import (the replaced value kept as a revision); and the year's
    type is recalculated as a new draft on the worker, by a recalculation that
    reads the corrected figure. An accepted statement records the decision
    only. Two admins at once: the second is told it is already resolved."""
    _require_admin(user)
    resolution = resolution.strip()
    if not resolution:
        raise FactCheckError("Say why: the organisation sees the reason with the decision.")
    # The organisation and the figure challenged never change: read them before the locks.
    challenge = Challenge.objects.select_related("organisation__type", "indicator").get(pk=challenge.pk)
    correcting = accept and challenge.is_figure
    if correcting:
        # The returns path's locks, first as every writer of results takes them (before the challenge's row).
        organisation_regions = queries.organisation_regions()
        lock_region_years({(challenge.figure_year, organisation_regions[challenge.organisation.code])})
    challenge = (Challenge.objects.select_for_update(of=("self",)).select_related("organisation__type", "indicator")
                 .get(pk=challenge.pk))
    if not challenge.is_open:
        raise FactCheckError(f"Challenge {challenge.pk} was already {challenge.status} by {challenge.resolved_by} "
                             f"at {uk_time(challenge.resolved_at)}.")
    organisation = challenge.organisation
    recalculation = None
    if correcting:
        # Checked under the locks, against the organisations and definitions as they are now.
        parsed = validate_correction(
            organisation_code=organisation.code, indicator_code=challenge.indicator.code,
            year=challenge.figure_year, value=challenge.proposed_value, numerator=numerator,
            denominator=denominator, reference=queries.returns_reference())
        if not parsed.ok:
            problem = parsed.problems[0]
            raise FactCheckError(f"{FIELD_LABELS.get(problem.column, 'The figure')}: {problem.message} "
                                 f"Nothing was stored.", field=problem.column)
        summary = apply_return(rows=parsed.rows, filename=f"Fact-check challenge {challenge.pk}",
                               channel=ReturnImport.Channel.FACT_CHECK, user=user)
        challenge.correction = summary.return_import
        from .recalculation import recalculate_after_correction  # the worker's actions import this module's neighbours
        recalculation = recalculate_after_correction(year=challenge.run.year, user=user,
                                                     type_codes=[organisation.type.code])
    challenge.status = Challenge.Status.ACCEPTED if accept else Challenge.Status.REJECTED
    challenge.resolution, challenge.resolved_at, challenge.resolved_by = resolution, timezone.now(), user
    challenge.save(update_fields=["status", "resolution", "resolved_at", "resolved_by", "correction"])
    audit(user=user, action=AuditEntry.Action.CHALLENGE_ACCEPTED if accept else AuditEntry.Action.CHALLENGE_REJECTED,
          year=challenge.run.year, run=challenge.run,
          details={"challenge": challenge.pk, "organisation": organisation.code, "resolution": resolution,
                   "correction": challenge.correction_id, "recalculation": recalculation.pk if recalculation else None},
          description=f"{organisation.code} {format_year(challenge.run.year)}: challenge {challenge.pk} "
                      f"{challenge.status}: {resolution}")
    notifications.challenge_resolved(challenge)
    return challenge


def open_challenges_of(run: RatingRun):
    """The open challenges of the run's year and type: publishing it needs a recorded reason while any remain."""
    return Challenge.objects.filter(status=Challenge.Status.OPEN, window__year=run.year,
                                    organisation__type_id=run.organisation_type_id)


def _staff_of_window(window: FactCheckWindow):
    """The staff of every organisation the window's drafts rate."""
    drafts = RatingRun.objects.drafts().filter(year=window.year)
    types = list(window.organisation_types.values_list("pk", flat=True))
    if types:
        drafts = drafts.filter(organisation_type__in=types)
    memberships = OrganisationMembership.objects.filter(organisation__ratings__run__in=drafts).distinct()
    return memberships.select_related("user", "organisation")


def _require_admin(user) -> None:
    if user is None or not is_admin(user):
        raise FactCheckError("Only admins can do this.")
