"""The eight NHS Executive regional offices of 2000 and the three organisation
types rated in 2000-01, so that a fresh database already has them."""

from django.db import migrations

REGIONS = [
    ("NY", "Northern and Yorkshire", "north"),
    ("NW", "North West", "north"),
    ("TR", "Trent", "north"),
    ("WM", "West Midlands", "midlands"),
    ("EA", "Eastern", "south"),
    ("LN", "London", "south"),
    ("SE", "South East", "south"),
    ("SW", "South West", "south"),
]

TYPES = [
    ("HA", "Health authority", "Health authorities"),
    ("TRUST", "Acute trust", "Acute trusts"),
    ("PCG", "Primary care group", "Primary care groups"),
]


def create(apps, schema_editor):
    Region = apps.get_model("indicators", "Region")
    OrganisationType = apps.get_model("indicators", "OrganisationType")
    for code, name, area in REGIONS:
        Region.objects.get_or_create(code=code, defaults={"name": name, "area": area})
    for code, name, plural in TYPES:
        OrganisationType.objects.get_or_create(code=code, defaults={"name": name, "plural_name": plural})


def remove(apps, schema_editor):
    apps.get_model("indicators", "Region").objects.filter(code__in=[r[0] for r in REGIONS]).delete()
    apps.get_model("indicators", "OrganisationType").objects.filter(code__in=[t[0] for t in TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
