"""How ratings are stored on PostgreSQL: each rating's JSON kept uncompressed
in its row, so that a page reading one indicator from every rating of a run
does not decompress them all (migration 0012)."""

import pytest
from django.db import connection

from ratings.models import Rating


@pytest.mark.django_db
def test_ratings_json_is_kept_uncompressed_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores JSON as plain text")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [Rating._meta.db_table])
        [(options,)] = cursor.fetchall()
    assert "toast_tuple_target=8160" in (options or [])
