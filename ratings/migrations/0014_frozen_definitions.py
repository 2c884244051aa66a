"""Every run freezes the indicator definitions it used (and an admin may now
change a year's definitions, audited). Runs stored before this
kept none: they are given the definitions in force for their year today (the
only definitions there were until now, each indicator's own fields, which
indicators' migration 0005 copied), less the admin's audited edits made since
each run, so that from now on no edit of a definition changes what they show.
The shape is `ratings.frozen_definitions`', spelled out here because a
migration must not change when that module does."""

from django.db import migrations, models


def freeze_todays_definitions(apps, schema_editor):
    RatingRun = apps.get_model("ratings", "RatingRun")
    IndicatorDefinition = apps.get_model("indicators", "IndicatorDefinition")
    AuditEntry = apps.get_model("ratings", "AuditEntry")
    definitions = list(IndicatorDefinition.objects.select_related("indicator").prefetch_related("organisation_types"))
    changes = list(AuditEntry.objects.filter(action="indicator_changed").order_by("-at", "-id")
                   .values_list("at", "details"))
    for run in RatingRun.objects.select_related("organisation_type").only("year", "created_at", "organisation_type__code"):
        in_force = {}
        for definition in definitions:
            held = in_force.get(definition.indicator_id)
            if definition.from_year <= run.year and (held is None or definition.from_year > held.from_year):
                in_force[definition.indicator_id] = definition
        frozen = {}
        for d in in_force.values():
            types = sorted(t.code for t in d.organisation_types.all())
            if run.organisation_type.code in types:
                frozen[d.indicator.code] = {
                    "indicator": d.indicator_id, "from_year": d.from_year, "kind": d.kind, "domain": d.domain,
                    "direction": d.direction, "weight": d.weight, "adjust_for_deprivation": d.adjust_for_deprivation,
                    "core_threshold": d.core_threshold, "measure": d.measure, "multiplier": d.multiplier,
                    "organisation_types": types}
        undo_audited_changes_since(frozen, run, changes)
        RatingRun.objects.filter(pk=run.pk).update(definitions=frozen)


# The indicator fields an audited admin edit may have changed since a run, as the
# frozen copy names them (the audit log keeps each change's before and after).
AUDITED = ("kind", "domain", "direction", "weight", "adjust_for_deprivation", "core_threshold")


def undo_audited_changes_since(frozen, run, changes):
    """Put back what the admin changed after the run was computed (the audit
    log's `indicator_changed` entries, newest first, so the value left is the
    one before the earliest change since the run): a target changed from 84 to
    95 in the admin after publication is frozen as 84, what the run used.
    Changes by `import_indicators` were not audited, and cannot be undone."""
    for at, details in changes:
        if at <= run.created_at:
            break
        held = frozen.get(details.get("code"))
        if held is None:
            continue  # it did not apply to the type today: nothing to put back from here
        for field, (before, _after) in details.get("changes", {}).items():
            if field in AUDITED:
                held[field] = before
            elif field == "organisation_types":
                held["organisation_types"] = sorted(before)
        if run.organisation_type.code not in held["organisation_types"]:
            del frozen[details["code"]]


class Migration(migrations.Migration):

    dependencies = [
        ("ratings", "0013_method_version_2"),
        ("indicators", "0005_indicator_definitions"),
    ]

    operations = [
        migrations.AddField(
            model_name="ratingrun",
            name="definitions",
            field=models.JSONField(blank=True, default=dict, help_text="The indicator definitions used, frozen (read by `frozen_definitions`): those in force in the year that apply to the type."),
        ),
        migrations.RunPython(freeze_todays_definitions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('scheme_changed', 'Changed the method parameters'), ('scheme_copied', 'Copied the method parameters'), ('recalculated', 'Recalculated (draft)'), ('published', 'Published'), ('scheduled', 'Scheduled publication'), ('unscheduled', 'Cancelled a scheduled publication'), ('withdrawn', 'Withdrew'), ('corrected', 'Published a correction'), ('recalculation_requested', 'Asked for a recalculation'), ('recalculation_failed', 'Recalculation failed'), ('consequence_changed', 'Changed what a band means'), ('consequence_deleted', 'Removed a consequence of a band'), ('membership_granted', "Gave a user a region's returns"), ('membership_removed', "Took a region's returns from a user"), ('organisation_added', 'Added an organisation'), ('organisation_changed', 'Changed an organisation'), ('organisation_deleted', 'Deleted an organisation'), ('indicator_added', 'Added an indicator'), ('indicator_changed', 'Changed an indicator'), ('indicator_deleted', 'Deleted an indicator'), ('definition_changed', "Changed an indicator's definition for a year")], max_length=30),
        ),
    ]
