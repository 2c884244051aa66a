"""On PostgreSQL, keep each rating's JSON uncompressed in its row (up to a
page), so that reading one indicator from every rating of a run (the public
indicator page) does not decompress every rating's JSON: at 10,000
organisations and 40 indicators, 20 ms instead of 50-100 ms a pass, for rows
of about 5 kB instead of 2 kB (README, *Benchmarks*). Rows written before
keep their compression until rewritten. SQLite stores JSON as plain text."""

from django.db import migrations


def keep_uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ratings_rating SET (toast_tuple_target = 8160)")


def compress_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ratings_rating RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("ratings", "0011_whatif_help_text")]
    operations = [migrations.RunPython(keep_uncompressed, compress_again)]
