"""Regions, organisations and indicators: from the import files, and from the
admin's pages (which refuse what the importers refuse, and are audited)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import hooks
from ..definitions import DEFINITION_FIELDS
from ..models import Indicator, IndicatorDefinition, Organisation, OrganisationType, Region
from ..reference_files import (OWN_SUCCESSOR, IndicatorRow, OrganisationRow, RegionRow, code_problem,
                               context_scored_problem, dates_problem, domain_problem, weight_problem)
from .results import BATCH_SIZE


@dataclass(frozen=True)
class ReferenceCounts:
    created: int
    updated: int
    unchanged: int

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


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
    """Create or update indicators and their definitions, one per row (by code
    and year), replacing the organisation types each definition applies to.
    Never deletes: a definition the file does not give is kept. Counts rows: a
    row is created when its definition is new."""
    type_ids = dict(OrganisationType.objects.values_list("code", "id"))
    held = {indicator.code: indicator for indicator in Indicator.objects.all()}
    definitions = {(d.indicator_id, d.from_year): d
                   for d in IndicatorDefinition.objects.prefetch_related("organisation_types")}
    created = updated = 0
    touched = {}
    for row in rows:
        identity = {"name": row.name, "unit": row.unit, "description": row.description, "source": row.source}
        indicator = held.get(row.code)
        identity_changed = indicator is not None and any(
            getattr(indicator, name) != value for name, value in identity.items())
        if indicator is None:
            # The definition's fields too, until `_mirror_latest_definition` below.
            indicator = Indicator(code=row.code, **identity,
                                  **{name: getattr(row, name) for name in MIRRORED_FIELDS})
            indicator.full_clean(exclude=["organisation_types"])
            indicator.save()
            held[row.code] = indicator
        elif identity_changed:
            for name, value in identity.items():
                setattr(indicator, name, value)
            indicator.save(update_fields=list(identity))
        touched[indicator.pk] = indicator
        wanted_types = {type_ids[code] for code in row.type_codes}
        definition = definitions.get((indicator.pk, row.from_year))
        if definition is None:
            definition = IndicatorDefinition(indicator=indicator, from_year=row.from_year, **_definition_fields(row))
            _save_definition(definition, wanted_types)
            definitions[(indicator.pk, row.from_year)] = definition
            created += 1
        elif _definition_differs(definition, row, wanted_types):
            for name, value in _definition_fields(row).items():
                setattr(definition, name, value)
            _save_definition(definition, wanted_types)
            updated += 1
        elif identity_changed:
            updated += 1
    for indicator in touched.values():
        mirror_latest_definition(indicator)
    return ReferenceCounts(created, updated, len(rows) - created - updated)


# The definition's fields that `Indicator` mirrors (the measure is the definitions' alone).
MIRRORED_FIELDS = ("kind", "domain", "direction", "weight", "adjust_for_deprivation", "core_threshold")


def _definition_fields(row: IndicatorRow) -> dict:
    return {name: getattr(row, name) for name in DEFINITION_FIELDS}


def _definition_differs(definition: IndicatorDefinition, row: IndicatorRow, wanted_types: set[int]) -> bool:
    return (any(getattr(definition, name) != value for name, value in _definition_fields(row).items())
            or {t.pk for t in definition.organisation_types.all()} != wanted_types)


def _save_definition(definition: IndicatorDefinition, type_ids) -> None:
    definition.full_clean(exclude=["organisation_types", "indicator"])
    definition.save()
    definition.organisation_types.set(type_ids)


def mirror_latest_definition(indicator: Indicator) -> None:
    """Copy the indicator's latest definition onto its own fields of the same
    names, which the admin's indicator list shows; nothing rates from them."""
    latest = indicator.definitions.prefetch_related("organisation_types").order_by("-from_year").first()
    if latest is None:
        return
    for name in MIRRORED_FIELDS:
        setattr(indicator, name, getattr(latest, name))
    indicator.save(update_fields=list(MIRRORED_FIELDS))
    indicator.organisation_types.set(latest.organisation_types.all())


# The admin's pages: each write refuses what the importers refuse, in their words
# (`reference_files`' rules), and is written to the audit log with what changed.

ORGANISATION_FIELDS = ("code", "name", "type", "region", "opened", "closed", "successor")
INDICATOR_FIELDS = ("code", "name", "description", "unit", "kind", "domain", "direction", "weight",
                    "adjust_for_deprivation", "core_threshold", "source")


def organisation_problems(*, held: Organisation | None, code: str, type, region, opened: int | None,
                          closed: int | None, successor) -> dict[str, list[tuple[str, str]]]:
    """(message, code)s by field for an organisation added (`held` None) or
    changed. One held keeps its type, and its region (uploads are checked and
    locked by the regions of their rows' organisations)."""
    problems: dict[str, list[tuple[str, str]]] = {}
    _add(problems, "code", code_problem(code or ""))
    if held is not None:
        if type is not None and type.pk != held.type_id:
            _add(problems, "type", (f"{held.code} is held as type {held.type.code}; its type cannot change (open a "
                                    "new organisation and name it as the successor).", "type_changed"))
        if region is not None and region.pk != held.region_id:
            _add(problems, "region", (f"{held.code} is held in region {held.region.code}; it cannot move to "
                                      "another region.", "region_changed"))
        if successor is not None and successor.pk == held.pk:
            _add(problems, "successor", OWN_SUCCESSOR)
    _add(problems, "closed", dates_problem(opened, closed))
    return problems


def indicator_problems(*, code: str, kind: str, domain: str, weight: float | None, core_threshold: float | None,
                       adjust_for_deprivation: bool) -> dict[str, list[tuple[str, str]]]:
    """(message, code)s by field for an indicator added or changed: the rules
    `import_indicators` applies to a file's row."""
    problems: dict[str, list[tuple[str, str]]] = {}
    _add(problems, "code", code_problem(code or ""))
    _add(problems, "domain", domain_problem(kind or "", domain or ""))
    _add(problems, "weight", weight_problem(weight))
    _add(problems, "core_threshold" if core_threshold is not None else "adjust_for_deprivation",
         context_scored_problem(kind or "", core_threshold, adjust_for_deprivation))
    return problems


@transaction.atomic
def save_organisation(*, organisation: Organisation, user) -> Organisation:
    """Add or change an organisation (the admin's form); refused as the importer
    would refuse it; audited with what changed."""
    held = _held(Organisation.objects.select_related("type", "region", "successor"), organisation)
    _refuse(organisation_problems(held=held, **{name: _value(organisation, name) for name in (
        "code", "type", "region", "opened", "closed", "successor")}))
    organisation.full_clean()
    organisation.save()
    _audit_saved(what="organisation", held=held, saved=organisation, fields=ORGANISATION_FIELDS, user=user)
    return organisation


@transaction.atomic
def delete_organisation(*, organisation: Organisation, user) -> None:
    _delete_audited(what="organisation", instance=organisation, user=user)


@transaction.atomic
def save_indicator(*, indicator: Indicator, organisation_types, user) -> Indicator:
    """Add or change an indicator and the organisation types it applies to (the
    admin's form); refused as `import_indicators` would refuse it; audited."""
    held = _held(Indicator.objects.prefetch_related("organisation_types"), indicator)
    _refuse(indicator_problems(**{name: getattr(indicator, name) for name in (
        "code", "kind", "domain", "weight", "core_threshold", "adjust_for_deprivation")}))
    indicator.full_clean(exclude=["organisation_types"])
    indicator.save()
    indicator.organisation_types.set(organisation_types)
    _save_latest_definition(indicator, organisation_types)
    _audit_saved(what="indicator", held=held, saved=indicator, fields=(*INDICATOR_FIELDS, "organisation_types"),
                 user=user)
    return indicator


def _save_latest_definition(indicator: Indicator, organisation_types) -> None:
    """The indicator page edits what it shows, the latest definition (a new
    indicator's first, from the start); a year's definitions are edited from
    the workflow's year page."""
    definition = indicator.definitions.order_by("-from_year").first() or IndicatorDefinition(indicator=indicator)
    for name in MIRRORED_FIELDS:
        setattr(definition, name, getattr(indicator, name))
    _save_definition(definition, organisation_types)


@transaction.atomic
def delete_indicator(*, indicator: Indicator, user) -> None:
    _delete_audited(what="indicator", instance=indicator, user=user)


def _add(problems: dict, field: str, broken: tuple[str, str] | None) -> None:
    if broken is not None:
        problems.setdefault(field, []).append(broken)


def _refuse(problems: dict[str, list[tuple[str, str]]]) -> None:
    if problems:
        raise ValidationError({field: [ValidationError(message, code=code) for message, code in broken]
                               for field, broken in problems.items()})


def _held(queryset, instance):
    """The instance as the database holds it now, before this write; None for a new one."""
    return None if instance.pk is None else queryset.filter(pk=instance.pk).first()


def _value(instance, name: str):
    """A field's value as the log shows it: a related record's code, the organisation types' codes."""
    if name == "organisation_types":
        return sorted(t.code for t in instance.organisation_types.all())
    field = instance._meta.get_field(name)
    if field.is_relation:
        return getattr(instance, name) if getattr(instance, field.attname) is not None else None
    return getattr(instance, name)


def _shown(value):
    return value.code if hasattr(value, "code") else value


def _audit_saved(*, what: str, held, saved, fields: tuple[str, ...], user) -> None:
    if held is None:
        hooks.audit(action=f"{what}_added", user=user, description=f"Added the {what} {saved}.",
                    details={"code": saved.code})
        return
    changes = {}
    for name in fields:
        before, after = _shown(_value(held, name)), _shown(_value(saved, name))
        if before != after:
            changes[name] = [before, after]
    if changes:
        listed = "; ".join(f"{name} {before!r} → {after!r}" for name, (before, after) in changes.items())
        hooks.audit(action=f"{what}_changed", user=user, description=f"Changed the {what} {held.code}: {listed}.",
                    details={"code": held.code, "changes": changes})


def _delete_audited(*, what: str, instance, user) -> None:
    shown, code = str(instance), instance.code
    instance.delete()
    hooks.audit(action=f"{what}_deleted", user=user, description=f"Deleted the {what} {shown}.",
                details={"code": code})
