"""Storing a return's figures: new values added, changed values replacing the
current ones (which move to the revision history), all or nothing, under the
locks of the (year, region)s written. The command stores through
`apply_return`; a confirmed web upload through `plan_return` and `store_plan`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .. import queries
from ..models import Indicator, Organisation, Region, Result, ResultRevision, ReturnImport
from ..returns import ReturnRow

BATCH_SIZE = 2000


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
        lock_region_years({(row.year, organisation_regions.get(row.organisation_code)) for row in rows})
    plan = plan_return(rows)
    if dry_run:
        return plan.summary
    batch = ReturnImport.objects.create(
        filename=filename[:255], channel=channel, created_by=user, synthetic=synthetic,
        status=ReturnImport.Status.APPLIED, applied_at=timezone.now(), applied_by=user)
    store_plan(plan, batch)
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


def lock_region_years(pairs: set[tuple[int, str]]) -> None:
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


def fingerprint(plan: ReturnPlan) -> str:
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


def plan_return(rows: list[ReturnRow]) -> ReturnPlan:
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


def store_plan(plan: ReturnPlan, batch: ReturnImport) -> None:
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
