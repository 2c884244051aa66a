"""Uploads belong to the regions of their rows, not of their sender: recompute
them from what each upload kept (its preview, its rows awaiting confirmation,
the values it brought or replaced). A rejected upload kept no rows, so it is
left with none: only its sender and admins see it."""

from django.db import migrations, models


def set_row_regions(apps, schema_editor):
    ReturnImport = apps.get_model("indicators", "ReturnImport")
    Organisation = apps.get_model("indicators", "Organisation")
    Result = apps.get_model("indicators", "Result")
    ResultRevision = apps.get_model("indicators", "ResultRevision")
    region_of_code = dict(Organisation.objects.values_list("code", "region_id"))
    region_of_id = dict(Organisation.objects.values_list("id", "region_id"))
    for upload in ReturnImport.objects.filter(channel="upload").iterator():
        regions = set()
        if upload.status != "rejected":
            codes = set((upload.preview or {}).get("organisations", {}))
            codes |= {row[0] for row in upload.validated_rows or []}
            regions = {region_of_code[code] for code in codes if code in region_of_code}
            organisation_ids = set(Result.objects.filter(source_import=upload).values_list("organisation_id",
                                                                                           flat=True))
            organisation_ids |= set(ResultRevision.objects.filter(superseded_by=upload).values_list(
                "result__organisation_id", flat=True))
            regions |= {region_of_id[pk] for pk in organisation_ids}
        upload.regions.set(regions)


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0003_uploads_and_regional_staff'),
    ]

    operations = [
        migrations.AddField(
            model_name='returnimport',
            name='held_fingerprint',
            field=models.CharField(blank=True, editable=False, help_text='SHA-256 of the held values the preview compared the rows against; confirming recomputes it.', max_length=64),
        ),
        migrations.AlterField(
            model_name='returnimport',
            name='regions',
            field=models.ManyToManyField(blank=True, help_text="The regions of the upload's rows: only staff of all of them may see or confirm it.", related_name='return_imports', to='indicators.region'),
        ),
        migrations.RunPython(set_row_regions, migrations.RunPython.noop),
    ]
