from django.core.management import call_command

from tests.indicators.test_imports import RETURN_HEADER
from tests.conftest import write


def test_organisation_list_shows_every_organisation_in_fixed_queries(world, client, django_assert_num_queries):
    # Types, their organisations, those organisations' regions, and the synthetic check.
    with django_assert_num_queries(4):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Leeds Health Authority" in html and "New Trust" in html
    assert "Synthetic data" not in html


def test_synthetic_banner_when_demo_figures_are_held(world, client):
    call_command("import_returns", write(world, "r.csv", RETURN_HEADER + "Q01,IP18M,2000-01,3,,\n"),
                 "--synthetic", stdout=None)
    assert "Synthetic data" in client.get("/").content.decode()
