"""On PostgreSQL, keep each rating's indicator scores uncompressed in its row
and move the JSON only its report card reads (peer standings, the band
change's parts, the adjustments) out of the row, uncompressed.

Migration 0012 meant the indicator scores to stay uncompressed in the row
(the indicator page reads one indicator from every rating of a run), but
once band certainty and the band-change parts made rows wider than a page,
PostgreSQL compressed the largest column first: the indicator scores, which
every pass then decompressed (at 10,000 organisations and 40 indicators, 55
ms of the indicator page's 125 ms query; 9 ms after). `MAIN` keeps a column in
the row unless nothing else can be moved out; `EXTERNAL` moves a column out
first, without compression. Rows written before keep their form until
rewritten (published rows are never rewritten). SQLite stores JSON as plain text."""

from django.db import migrations

CARD_ONLY = ("peer_standings", "decomposition", "adjustments")


def set_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ratings_rating ALTER COLUMN indicator_scores SET STORAGE MAIN, "
                              + ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTERNAL" for column in CARD_ONLY))


def reset_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ratings_rating "
                              + ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED"
                                          for column in ("indicator_scores", *CARD_ONLY)))


class Migration(migrations.Migration):
    dependencies = [("ratings", "0022_rating_run_rank_keys")]
    operations = [migrations.RunPython(set_storage, reset_storage)]
