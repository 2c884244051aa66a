"""A regional office's web upload, step by step: validated and kept (with its
problems, or its preview), confirmed (stored, if the figures it was compared
against are as they were), and reversed by an admin."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import access, hooks, queries
from ..models import Organisation, Region, Result, ResultRevision, ReturnImport
from ..returns import ReturnRow, validate_return
from ..spreadsheets import Problem, TableError, read_table
from ..uploads import rows_problem, scope_problems, size_problem
from . import results
from .results import BATCH_SIZE, UploadError


class OrganisationsMoved(UploadError):
    """An organisation of the rows is no longer in the region it was in when they were checked."""

    def __init__(self):
        super().__init__("Some organisations have moved region since this file was checked; upload it again.")


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
    results.lock_region_years({(year, code) for code in region_codes})
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
    plan = results.plan_return(rows)
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
    upload.held_fingerprint = results.fingerprint(plan)
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
    pairs = {(row.year, reference.organisations[row.organisation_code].type_code) for row in rows}
    return bool(pairs & hooks.published_year_types({year for year, _ in pairs}))


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
    results.lock_region_years({(upload.year, code) for code in row_regions})
    upload = ReturnImport.objects.select_for_update().get(pk=upload.pk)
    # Memberships as they are now, under the lock: removed since validating means refused.
    if not access.may_act_for(access.allowed_regions(user), row_regions):
        raise UploadNotAllowed("You are not staff of every region this upload's rows are in, so you cannot "
                               "confirm it.")
    if upload.status != ReturnImport.Status.VALIDATED:
        return upload
    rows = [ReturnRow(line, org, ind, year, value, numerator, denominator)
            for org, ind, year, value, numerator, denominator, line in upload.validated_rows]
    plan = results.plan_return(rows)  # first, so that a code no longer held is named as such
    # The regions checked and locked are those of validation: an organisation moved
    # since would be written under another region's lock, past another region's check.
    if _current_regions({row.organisation_code for row in rows}) != row_regions:
        raise OrganisationsMoved()
    if not upload.held_fingerprint:
        raise PreviewOutdated("This file was checked before previews recorded the figures they compared against. "
                              "Upload the file again to see what it would change now.")
    if results.fingerprint(plan) != upload.held_fingerprint:
        raise PreviewOutdated("The figures held have changed since this file was checked, so the preview is out "
                              "of date. Upload the file again to see what it would change now.")
    results.store_plan(plan, upload)
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
    results.lock_region_years(locked)
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
