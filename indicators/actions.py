"""Every write to the indicators app goes through these functions: keyword-only,
atomic, given rows that the pure validators have already accepted."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from .models import Indicator, Organisation, OrganisationType, Region, Result, ResultRevision, ReturnImport
from .reference_files import IndicatorRow, OrganisationRow, RegionRow
from .returns import ReturnRow

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


class StaleReferenceError(Exception):
    """A code that validation accepted has since disappeared from the database."""


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
    summary = ReturnSummary(rows=len(rows))
    to_write: list[tuple[int, int, int]] = []
    revised: list[tuple[int, float, float | None, float | None, int]] = []
    for key, row in keyed.items():
        current = held.get(key)
        if current is None:
            summary.new += 1
            to_write.append(key)
        elif current[1:4] == (row.value, row.numerator, row.denominator):
            summary.unchanged += 1
        else:
            summary.changes.append(ValueChange(row.organisation_code, row.indicator_code, row.year,
                                               current[1], row.value))
            revised.append(current)
            to_write.append(key)
    if dry_run:
        return summary

    batch = ReturnImport.objects.create(
        filename=filename[:255], channel=channel, created_by=user, synthetic=synthetic, rows=len(rows),
        new_values=summary.new, changed_values=summary.changed, unchanged_values=summary.unchanged,
    )
    ResultRevision.objects.bulk_create(
        [ResultRevision(result_id=result_id, value=value, numerator=numerator, denominator=denominator,
                        source_import_id=source_import_id, superseded_by=batch)
         for result_id, value, numerator, denominator, source_import_id in revised],
        batch_size=BATCH_SIZE,
    )
    Result.objects.bulk_create(
        [Result(organisation_id=key[0], indicator_id=key[1], year=key[2], value=keyed[key].value,
                numerator=keyed[key].numerator, denominator=keyed[key].denominator, source_import=batch)
         for key in to_write],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["organisation", "indicator", "year"],
        update_fields=["value", "numerator", "denominator", "source_import"],
    )
    summary.return_import = batch
    return summary
