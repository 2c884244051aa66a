"""The consequences announced in 2000: the earned-autonomy freedoms of green
and the escalating interventions for red (see the seed articles). Admins can
edit and add to them."""

from django.db import migrations

CONSEQUENCES = [
    ("green", 1, "Lighter-touch monitoring",
     "The regional office monitors the organisation less closely and less often."),
    ("green", 1, "Keep land-sale receipts up to £5 million",
     "The organisation may keep the money from selling land and buildings up to £5 million, instead of the "
     "usual £1 million."),
    ("green", 1, "Approve business cases up to £5 million locally",
     "Capital schemes up to £5 million no longer need approval from outside the organisation."),
    ("green", 1, "Earmarked money as of right",
     "The organisation receives earmarked resources as of right, without bidding or regional office approval."),
    ("yellow", 1, "Usual monitoring",
     "The regional office monitors performance in the usual way and agrees improvements where needed."),
    ("red", 1, "Close interest from the regional office",
     "The NHS Executive regional office takes a close interest: an agreed recovery plan and more frequent "
     "monitoring."),
    ("red", 2, "Expert help from national teams",
     "Expert advice and support from the Commission for Health Improvement and the National Patient Access Team."),
]


def add_consequences(apps, schema_editor):
    BandConsequence = apps.get_model("ratings", "BandConsequence")
    BandConsequence.objects.bulk_create(
        BandConsequence(band=band, consecutive_years=years, title=title, description=description, position=position)
        for position, (band, years, title, description) in enumerate(CONSEQUENCES))


def remove_consequences(apps, schema_editor):
    apps.get_model("ratings", "BandConsequence").objects.filter(
        title__in=[title for _, _, title, _ in CONSEQUENCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ratings", "0002_public_site_fields")]
    operations = [migrations.RunPython(add_consequences, remove_consequences)]
