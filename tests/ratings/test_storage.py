"""How ratings are stored on PostgreSQL: each rating's indicator scores kept
uncompressed in its row, so that a page reading one indicator from every
rating of a run does not decompress them all (migrations 0012 and 0023), and
the JSON only its report card reads moved out of the row."""

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


@pytest.mark.django_db
def test_wide_ratings_keep_their_indicator_scores_uncompressed_in_the_row_and_move_the_cards_json_out(world):
    # Band certainty and the band-change parts made rows wider than a page, and PostgreSQL then
    # compressed the largest column first: the indicator scores every indicator page unpacks (migration 0023).
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores JSON as plain text")
    from indicators.models import Organisation, OrganisationType
    from ratings.models import RatingRun

    organisation_type = OrganisationType.objects.order_by("code").first()
    run = RatingRun.objects.create(year=2000, organisation_type=organisation_type, parameters={}, definitions={})
    organisation = Organisation.objects.filter(type=organisation_type).first()
    # 40 indicators of 10 figures each, as at national scale, and the card's JSON beside them (about 12 kB in all).
    scores = {f"IND{i:02d}": [round(i + k / 7, 4) for k in range(10)] for i in range(40)}
    card_only = {f"part{i}": [f"text {i} {k}" for k in range(12)] for i in range(30)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = %s", [Rating._meta.db_table])
        [(toast_table,)] = cursor.fetchall()
        values_out_of_row = f"SELECT count(DISTINCT chunk_id) FROM {toast_table}"
        cursor.execute(values_out_of_row)
        [(before,)] = cursor.fetchall()
        rating = Rating.objects.create(
            run=run, organisation=organisation, band="yellow", band_without_adjustment="yellow",
            band_without_improvement="yellow", coverage=1.0, domain_scores={}, core_failures=[],
            adjustments=card_only, indicator_scores=scores, peer_standings=card_only, decomposition=card_only)
        cursor.execute(values_out_of_row)
        [(after,)] = cursor.fetchall()
        cursor.execute("SELECT pg_column_compression(indicator_scores), pg_column_size(indicator_scores), "
                       "pg_column_compression(peer_standings) FROM ratings_rating WHERE id = %s", [rating.pk])
        [(scores_compression, scores_size, standings_compression)] = cursor.fetchall()
    # The scores stay in the row as they are; the card's three JSON values go out of it, uncompressed.
    assert scores_compression is None and scores_size > 3000
    assert after - before == 3 and standings_compression is None
    assert Rating.objects.get(pk=rating.pk).indicator_scores == scores
