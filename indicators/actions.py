"""Every write to the indicators app goes through these functions: keyword-only,
atomic, given rows that the pure validators have already accepted."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import access, queries

from .models import Indicator, Organisation, OrganisationType, Region, Result, ResultRevision, ReturnImport
from .models import RegionMembership
from .reference_files import IndicatorRow, OrganisationRow, RegionRow
from .returns import ReturnRow, validate_return
from .spreadsheets import Problem, TableError, read_table
from .uploads import rows_problem, scope_problems, size_problem

BATCH_SIZE = 2000


@dataclass(frozen=True)
class ReferenceCounts:
    created: int
    updated: int
    unchanged: int

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True, slots=True)
class ValueChange:
    organisation_code: str
    indicator_code: str
    year: int
    old_value: float
    new_value: float


@dataclass
class ReturnSummary:
    rows: int
    new: int = 0
    unchanged: int = 0
    changes: list[ValueChange] = field(default_factory=list)
    return_import: ReturnImport | None = None

    @property
    def changed(self) -> int:
        return len(self.changes)

    def __str__(self):
        return f"{self.rows} rows: {self.new} new, {self.changed} changed, {self.unchanged} unchanged"


class UploadError(Exception):
    """An upload cannot be confirmed or reversed as asked; the message says why."""


class StaleReferenceError(UploadError):
    """A code that validation accepted has since disappeared from the database."""


class OrganisationsMoved(UploadError):
    """An organisation of the rows is no longer in the region it was in when they were checked."""

    def __init__(self):
        super().__init__("Some organisations have moved region since this file was checked; upload it again.")


@transaction.atomic
def import_regions(*, rows: list[RegionRow]) -> ReferenceCounts:
    held = {region.code: region for region in Region.objects.all()}
    created = updated = 0
    for row in rows:
        region = held.get(row.code)
        if region is None:
            Region.objects.create(code=row.code, name=row.name, area=row.area)
            created += 1
        elif (region.name, region.area) != (row.name, row.area):
            region.name, region.area = row.name, row.area
            region.save(update_fields=["name", "area"])
            updated += 1
    return ReferenceCounts(created, updated, len(rows) - created - updated)


@transaction.atomic
def import_organisations(*, rows: list[OrganisationRow]) -> ReferenceCounts:
    """Create new organisations and update the names, dates and successors of
    those already held. Never deletes."""
    type_ids = dict(OrganisationType.objects.values_list("code", "id"))
    region_ids = dict(Region.objects.values_list("code", "id"))
    held = {organisation.code: organisation for organisation in Organisation.objects.all()}
    new, updated = [], []
    for row in rows:
        organisation = held.get(row.code)
        if organisation is None:
            new.append(Organisation(code=row.code, name=row.name, type_id=type_ids[row.type_code],
                                    region_id=region_ids[row.region_code], opened=row.opened, closed=row.closed))
        elif (organisation.name, organisation.opened, organisation.closed) != (row.name, row.opened, row.closed):
            organisation.name, organisation.opened, organisation.closed = row.name, row.opened, row.closed
            updated.append(organisation)
    Organisation.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Organisation.objects.bulk_update(updated, ["name", "opened", "closed"], batch_size=BATCH_SIZE)

    # Successors second: they may be organisations created just above.
    ids = dict(Organisation.objects.values_list("code", "id"))
    successors_changed = []
    updated_codes = {organisation.code for organisation in updated}
    for row in rows:
        successor_id = ids[row.successor_code] if row.successor_code else None
        organisation = held.get(row.code)
        if organisation is not None and organisation.successor_id != successor_id:
            organisation.successor_id = successor_id
            successors_changed.append(organisation)
            updated_codes.add(row.code)
        elif organisation is None and successor_id is not None:
            successors_changed.append(Organisation(id=ids[row.code], successor_id=successor_id))
    Organisation.objects.bulk_update(successors_changed, ["successor"], batch_size=BATCH_SIZE)
    return ReferenceCounts(len(new), len(updated_codes), len(rows) - len(new) - len(updated_codes))


@transaction.atomic
def import_indicators(*, rows: list[IndicatorRow]) -> ReferenceCounts:
    """Create or update indicators, replacing the organisation types each applies to."""
    type_ids = dict(OrganisationType.objects.values_list("code", "id"))
    held = {indicator.code: indicator for indicator in Indicator.objects.prefetch_related("organisation_types")}
    created = updated = 0
    for row in rows:
        fields = {
            "name": row.name, "kind": row.kind, "domain": row.domain, "direction": row.direction,
            "weight": row.weight, "core_threshold": row.core_threshold,
            "adjust_for_deprivation": row.adjust_for_deprivation, "unit": row.unit,
            "description": row.description, "source": row.source,
        }
        wanted_types = {type_ids[code] for code in row.type_codes}
        indicator = held.get(row.code)
        if indicator is None:
            indicator = Indicator(code=row.code, **fields)
            indicator.full_clean(exclude=["organisation_types"])
            indicator.save()
            indicator.organisation_types.set(wanted_types)
            created += 1
            continue
        held_types = {t.id for t in indicator.organisation_types.all()}
        if any(getattr(indicator, name) != value for name, value in fields.items()) or held_types != wanted_types:
            for name, value in fields.items():
                setattr(indicator, name, value)
            indicator.full_clean(exclude=["organisation_types"])
            indicator.save()
            indicator.organisation_types.set(wanted_types)
            updated += 1
    return ReferenceCounts(created, updated, len(rows) - created - updated)


@transaction.atomic
def grant_region_membership(*, member, region: Region, user=None) -> RegionMembership:
    """Let `member` upload the returns of `region` (and see its uploads); audited.
    Granting a region the member already has changes nothing and writes no entry."""
    membership, created = RegionMembership.objects.get_or_create(user=member, region=region)
    if created:
        _audit_membership(action="membership_granted", member=member, region=region, user=user,
                          description=f"Gave {member.get_username()} the returns of {region.name} ({region.code}).")
    return membership


@transaction.atomic
def remove_region_membership(*, member, region: Region, user=None) -> bool:
    """Take `region` from `member`, at once: every returns page checks the
    regions held at the time of asking. Audited; False if they did not have it."""
    removed = RegionMembership.objects.filter(user=member, region=region).delete()[0] > 0
    if removed:
        _audit_membership(action="membership_removed", member=member, region=region, user=user,
                          description=f"Took the returns of {region.name} ({region.code}) from "
                                      f"{member.get_username()}.")
    return removed


@transaction.atomic
def remove_every_region_membership(*, member, user=None) -> int:
    """Take all of a person's regions (before their account is deleted), each audited."""
    regions = [m.region for m in RegionMembership.objects.filter(user=member).select_related("region")]
    return sum(remove_region_membership(member=member, region=region, user=user) for region in regions)


def _audit_membership(*, action: str, member, region: Region, user, description: str) -> None:
    # One audit log for admins to read; imported here because ratings depends
    # on indicators, not the other way round.
    from ratings.models import AuditEntry

    AuditEntry.objects.create(user=user, action=AuditEntry.Action(action), description=description,
                              details={"member": member.get_username(), "member_id": member.pk,
                                       "region": region.code})


@transaction.atomic
def apply_return(
    *,
    rows: list[ReturnRow],
    filename: str,
    channel: str = ReturnImport.Channel.COMMAND,
    user=None,
    synthetic: bool = False,
    dry_run: bool = False,
) -> ReturnSummary:
    """Store a validated return: new values are added, changed values replace
    the current ones (which move to the revision history), unchanged values
    are left alone. All or nothing. With dry_run, only counts what it would do."""
    if not dry_run:
        organisation_regions = queries.organisation_regions()
        _lock_region_years({(row.year, organisation_regions.get(row.organisation_code)) for row in rows})
    plan = _plan_return(rows)
    if dry_run:
        return plan.summary
    batch = ReturnImport.objects.create(
        filename=filename[:255], channel=channel, created_by=user, synthetic=synthetic,
        status=ReturnImport.Status.APPLIED, applied_at=timezone.now(), applied_by=user)
    _store_plan(plan, batch)
    return plan.summary


@dataclass
class ReturnPlan:
    """What storing a return will do, worked out against the values held now."""

    summary: ReturnSummary
    keyed: dict  # (organisation id, indicator id, year) -> ReturnRow
    to_write: list  # keys of new and changed values
    revised: list  # (result id, value, numerator, denominator, source import id) of values replaced
    new_keys: list = field(default_factory=list)  # (organisation code, indicator code, year) of new values
    compared: dict = field(default_factory=dict)  # key -> (value, numerator, denominator, source import id) or None


# The high bits of the advisory lock keys of (year, region): no other lock of this project uses them.
REGION_YEAR_LOCK = 0x5245 << 48


def _lock_region_years(pairs: set[tuple[int, str]]) -> None:
    """Hold, until the transaction ends, the right to write figures of these
    (year, region code)s, so that two writers of the same figures queue and the
    second reads what the first stored. Every writer of results takes them
    before it reads what is held, in one order, so none waits in a circle."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("Region and year locks last a transaction: take them inside one.")
    if connection.vendor == "sqlite":
        # SQLite has one writer at a time, and every transaction here begins
        # IMMEDIATE (settings), holding that lock from its first read.
        if connection.settings_dict.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE":
            raise RuntimeError("SQLite must run with transaction_mode IMMEDIATE for returns to be safe.")
        return
    region_ids = dict(Region.objects.filter(code__in={code for _, code in pairs}).values_list("code", "id"))
    keys = sorted({(year, region_ids[code]) for year, code in pairs if code in region_ids})
    with connection.cursor() as cursor:
        for year, region_id in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REGION_YEAR_LOCK | year << 32 | region_id])


def _fingerprint(plan: ReturnPlan) -> str:
    """SHA-256 of exactly the held values the upload's keys were compared
    against, absences included, with each row's codes and figures: any change
    to them changes it, and so does a code now naming another organisation or
    indicator (the preview shows codes, the plan is keyed by ids)."""
    def entry(key, held):
        row = plan.keyed[key]
        return [*key, row.organisation_code, row.indicator_code, row.value, row.numerator, row.denominator,
                *(held if held is not None else (None,) * 4)]

    entries = sorted(entry(key, held) for key, held in plan.compared.items())
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


def _plan_return(rows: list[ReturnRow]) -> ReturnPlan:
    org_ids = dict(Organisation.objects.values_list("code", "id"))
    ind_ids = dict(Indicator.objects.values_list("code", "id"))
    try:
        keyed = {(org_ids[r.organisation_code], ind_ids[r.indicator_code], r.year): r for r in rows}
    except KeyError as error:
        raise StaleReferenceError(f"The code {error.args[0]} is no longer held; validate the file again.") from None

    held = {
        (org_id, ind_id, year): (result_id, value, numerator, denominator, source_import_id)
        for result_id, org_id, ind_id, year, value, numerator, denominator, source_import_id
        in Result.objects.filter(
            year__in={key[2] for key in keyed}, indicator_id__in={key[1] for key in keyed}
        ).values_list("id", "organisation_id", "indicator_id", "year", "value", "numerator", "denominator",
                      "source_import_id")
    }
    plan = ReturnPlan(summary=ReturnSummary(rows=len(rows)), keyed=keyed, to_write=[], revised=[])
    summary = plan.summary
    for key, row in keyed.items():
        current = held.get(key)
        plan.compared[key] = None if current is None else current[1:]
        if current is None:
            summary.new += 1
            plan.to_write.append(key)
            plan.new_keys.append(row.key)
        elif current[1:4] == (row.value, row.numerator, row.denominator):
            summary.unchanged += 1
        else:
            summary.changes.append(ValueChange(row.organisation_code, row.indicator_code, row.year,
                                               current[1], row.value))
            plan.revised.append(current)
            plan.to_write.append(key)
    return plan


def _store_plan(plan: ReturnPlan, batch: ReturnImport) -> None:
    summary, keyed = plan.summary, plan.keyed
    batch.rows, batch.new_values = summary.rows, summary.new
    batch.changed_values, batch.unchanged_values = summary.changed, summary.unchanged
    batch.save(update_fields=["rows", "new_values", "changed_values", "unchanged_values"])
    ResultRevision.objects.bulk_create(
        [ResultRevision(result_id=result_id, value=value, numerator=numerator, denominator=denominator,
                        source_import_id=source_import_id, superseded_by=batch)
         for result_id, value, numerator, denominator, source_import_id in plan.revised],
        batch_size=BATCH_SIZE,
    )
    Result.objects.bulk_create(
        [Result(organisation_id=key[0], indicator_id=key[1], year=key[2], value=keyed[key].value,
                numerator=keyed[key].numerator, denominator=keyed[key].denominator, source_import=batch)
         for key in plan.to_write],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["organisation", "indicator", "year"],
        update_fields=["value", "numerator", "denominator", "source_import"],
    )
    summary.return_import = batch


PREVIEW_NEW_VALUES = 500


@transaction.atomic
def validate_upload(*, user, year: int, filename: str, content: bytes,
                    allowed_regions: set[str] | None, size: int | None = None) -> ReturnImport:
    """Check an uploaded return and keep it, with every problem found or, when
    it has none, what applying it would do. Stores no value: that is
    `confirm_upload`. allowed_regions None means an admin (every region); the
    sender's memberships are read again under the lock and may only narrow it.
    size: the file's real size, when only its first bytes were read."""
    # What the checks and the preview need to know, read once.
    reference, organisation_regions = queries.returns_reference(), queries.organisation_regions()
    problems, notes, parsed_rows, sheet = _read_upload(
        filename=filename, content=content, size=size or len(content), reference=reference)
    region_codes = {organisation_regions[row.organisation_code] for row in parsed_rows}
    # Before reading the sender's regions and what is held: the checks, the preview and
    # the supersession below then see every confirm and validation of these regions and
    # year that came first, and memberships as they are now.
    _lock_region_years({(year, code) for code in region_codes})
    allowed_regions = _narrower(allowed_regions, access.allowed_regions(user))
    problems = sorted(
        problems + scope_problems(parsed_rows, year=year, organisation_regions=organisation_regions,
                                  allowed_regions=allowed_regions,
                                  region_names=dict(Region.objects.values_list("code", "name")), sheet=sheet),
        key=lambda p: (p.line is not None, p.line or 0))
    if not problems and not parsed_rows:
        # Blank means not submitted: such a file would store nothing and belong to no region.
        problems = [Problem(None, "value", "Every value is blank: nothing to store.", "all_blank", sheet)]
    rows = [] if problems else parsed_rows
    too_large = any(p.code == "too_large" for p in problems)
    upload = ReturnImport.objects.create(
        filename=filename[:255], channel=ReturnImport.Channel.UPLOAD, created_by=user, year=year,
        status=ReturnImport.Status.REJECTED if problems else ReturnImport.Status.VALIDATED,
        original=None if too_large else content, original_sha256=hashlib.sha256(content).hexdigest(),
        problems=[{"line": p.line, "column": p.column, "message": p.message, "sheet": p.sheet} for p in problems],
        notes=notes, rows=len(rows))
    # The upload belongs to the regions of its rows (of those that parsed, when it
    # is rejected), never to every region of its sender.
    upload.regions.set(Region.objects.filter(code__in=region_codes))
    if problems:
        return upload
    plan = _plan_return(rows)
    new_keys = set(plan.new_keys)
    changed_keys = {(c.organisation_code, c.indicator_code, c.year) for c in plan.summary.changes}
    per_organisation: dict[str, list[int]] = {}  # code -> [new, changed, unchanged]
    for row in rows:
        kind = 0 if row.key in new_keys else 1 if row.key in changed_keys else 2
        per_organisation.setdefault(row.organisation_code, [0, 0, 0])[kind] += 1
    values = {row.key: row.value for row in rows}
    upload.preview = {
        "organisations": dict(sorted(per_organisation.items())),
        "changes": [[c.organisation_code, c.indicator_code, c.year, c.old_value, c.new_value]
                    for c in plan.summary.changes],
        # The first new values, to show; the counts above cover them all.
        "new": [[*key, values[key]] for key in plan.new_keys[:PREVIEW_NEW_VALUES]],
    }
    upload.validated_rows = [[r.organisation_code, r.indicator_code, r.year, r.value, r.numerator, r.denominator,
                              r.line] for r in rows]
    upload.new_values, upload.changed_values = plan.summary.new, plan.summary.changed
    upload.unchanged_values = plan.summary.unchanged
    upload.touches_published = _touches_published(rows, reference)
    upload.held_fingerprint = _fingerprint(plan)
    upload.save()
    # An older upload of the same year, never confirmed, whose rows are all in this
    # one's regions must not be confirmed after it; one with rows elsewhere too is
    # left alone (staff of one region cannot cancel a wider upload). Under the lock:
    # of two validated at once, the one that takes the lock second supersedes the first.
    (ReturnImport.objects.filter(channel=ReturnImport.Channel.UPLOAD, status=ReturnImport.Status.VALIDATED,
                                 year=year, regions__code__in=region_codes)
     .exclude(regions__in=Region.objects.exclude(code__in=region_codes))
     .exclude(pk=upload.pk).update(status=ReturnImport.Status.SUPERSEDED))
    return upload


def _narrower(given: set[str] | None, current: set[str] | None) -> set[str] | None:
    """The regions within both (None: every region)."""
    if given is None or current is None:
        return current if given is None else given
    return given & current


def _read_upload(*, filename, content, size,
                 reference) -> tuple[list[Problem], list[str], list[ReturnRow], str | None]:
    """The file's own problems, notes, the rows that parsed and its sheet."""
    too_large = size_problem(size, settings.RETURNS_MAX_UPLOAD_BYTES)
    if too_large:
        return [too_large], [], [], None
    try:
        table = read_table(content, filename)
    except TableError as error:
        return error.problems, [], [], None
    too_many = rows_problem(len(table.rows), settings.RETURNS_MAX_ROWS)
    if too_many:
        return [too_many], table.notes, [], table.sheet
    parsed = validate_return(table, reference)
    notes = list(parsed.notes)
    if parsed.blank_values:
        notes.append(f"{parsed.blank_values} row(s) with no value were skipped: a blank value means not "
                     f"submitted, and leaves any figure already held as it is.")
    return list(parsed.problems), notes, parsed.rows, table.sheet


def _touches_published(rows: list[ReturnRow], reference) -> bool:
    # Imported here: ratings depends on indicators, not the other way round.
    from ratings.models import RatingRun

    pairs = {(row.year, reference.organisations[row.organisation_code].type_code) for row in rows}
    published = set(RatingRun.objects.published().filter(year__in={year for year, _ in pairs})
                    .values_list("year", "organisation_type__code"))
    return bool(pairs & published)


class PreviewOutdated(UploadError):
    """The figures held changed between the preview and the confirmation."""


class UploadNotAllowed(UploadError):
    """The user may no longer write every region of the upload's rows."""


@transaction.atomic
def confirm_upload(*, upload: ReturnImport, user) -> ReturnImport:
    """Apply a validated upload, all or nothing, if the user may write every
    region of its rows and the figures it was compared against are as they
    were. Confirming again, or confirming an upload that is not waiting, does nothing."""
    # Row regions and year are fixed at validation, so they can be read before the lock.
    row_regions = access.upload_regions(upload)
    _lock_region_years({(upload.year, code) for code in row_regions})
    upload = ReturnImport.objects.select_for_update().get(pk=upload.pk)
    # Memberships as they are now, under the lock: removed since validating means refused.
    if not access.may_act_for(access.allowed_regions(user), row_regions):
        raise UploadNotAllowed("You are not staff of every region this upload's rows are in, so you cannot "
                               "confirm it.")
    if upload.status != ReturnImport.Status.VALIDATED:
        return upload
    rows = [ReturnRow(line, org, ind, year, value, numerator, denominator)
            for org, ind, year, value, numerator, denominator, line in upload.validated_rows]
    plan = _plan_return(rows)  # first, so that a code no longer held is named as such
    # The regions checked and locked are those of validation: an organisation moved
    # since would be written under another region's lock, past another region's check.
    if _current_regions({row.organisation_code for row in rows}) != row_regions:
        raise OrganisationsMoved()
    if not upload.held_fingerprint:
        raise PreviewOutdated("This file was checked before previews recorded the figures they compared against. "
                              "Upload the file again to see what it would change now.")
    if _fingerprint(plan) != upload.held_fingerprint:
        raise PreviewOutdated("The figures held have changed since this file was checked, so the preview is out "
                              "of date. Upload the file again to see what it would change now.")
    _store_plan(plan, upload)
    upload.status, upload.applied_at, upload.applied_by = ReturnImport.Status.APPLIED, timezone.now(), user
    upload.validated_rows = None
    upload.save(update_fields=["status", "applied_at", "applied_by", "validated_rows"])
    return upload


@dataclass(frozen=True)
class Reversal:
    restored: int  # values put back to what they were before the upload
    removed: int  # values the upload had added, removed
    kept: int  # values a later import has since replaced, left as they are


@transaction.atomic
def reverse_upload(*, upload: ReturnImport, user) -> Reversal:
    """Undo an applied upload: every value it brought that is still held goes
    back to its predecessor, or is removed if it had none. Values a later
    import replaced are left alone."""
    # Which (year, region)s it wrote is read before holding their locks: read it
    # again once they are held, and refuse if an organisation has moved between.
    locked = _region_years(upload)
    _lock_region_years(locked)
    if not _region_years(upload) <= locked:
        raise OrganisationsMoved()
    upload = ReturnImport.objects.select_for_update().get(pk=upload.pk)
    if upload.status != ReturnImport.Status.APPLIED:
        raise UploadError(f"Only an applied upload can be reversed; this one is {upload.get_status_display()}.")
    held = {result.pk: result for result in Result.objects.filter(source_import=upload)}
    predecessors = {revision.result_id: revision
                    for revision in ResultRevision.objects.filter(superseded_by=upload, result_id__in=held)}
    restored = []
    for result_id, revision in predecessors.items():
        result = held[result_id]
        result.value, result.numerator, result.denominator = revision.value, revision.numerator, revision.denominator
        result.source_import_id = revision.source_import_id
        restored.append(result)
    Result.objects.bulk_update(restored, ["value", "numerator", "denominator", "source_import"],
                               batch_size=BATCH_SIZE)
    ResultRevision.objects.filter(pk__in=[r.pk for r in predecessors.values()]).delete()
    removed = Result.objects.filter(pk__in=set(held) - set(predecessors)).delete()[0]
    kept = upload.new_values + upload.changed_values - len(held)
    upload.status, upload.reversed_at, upload.reversed_by = ReturnImport.Status.REVERSED, timezone.now(), user
    upload.save(update_fields=["status", "reversed_at", "reversed_by"])
    return Reversal(restored=len(restored), removed=removed, kept=kept)


def _region_years(batch: ReturnImport) -> set[tuple[int, str]]:
    """The (year, region)s whose figures an applied import wrote: for an
    upload, its row regions too (one year)."""
    written = set(Result.objects.filter(Q(source_import=batch) | Q(revisions__superseded_by=batch))
                  .values_list("year", "organisation__region__code").distinct())
    if batch.year is not None:
        written |= {(batch.year, code) for code in access.upload_regions(batch)}
    return written


def _current_regions(organisation_codes: set[str]) -> set[str]:
    return set(Organisation.objects.filter(code__in=organisation_codes).values_list("region__code", flat=True)
               .distinct())
