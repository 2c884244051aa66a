"""`verify_run RUN`: a stored run recomputed from its frozen parameters and
definitions and the figures as they were when it ran, after both figures and
definitions have changed."""

import io

import pytest
from django.core.management import CommandError, call_command

from ratings import actions
from ratings.models import Rating
from tests.conftest import write

MMR = ("code,name,kind,domain,direction,organisation_types,core_threshold\n"
       "MMR,Children immunised against MMR,performance,quality,higher_better,HA,{threshold}\n")


def verify(run_id):
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_run", str(run_id), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def published(rated_world):
    call_command("import_indicators", write(rated_world, "mmr.csv", MMR.format(threshold=84)), stdout=None)
    call_command("import_returns", write(rated_world, "mmr_returns.csv", "organisation_code,indicator_code,year,value\n"
                                         + "".join(f"HA{i},MMR,2000-01,{v}\n" for i, v in
                                                   [(1, 94), (2, 86), (3, 90), (4, 83)])), stdout=None)
    (run,) = actions.recalculate(year=2000, type_codes=["HA"], publish=True)
    return run


def test_a_published_run_verifies_after_its_figures_and_definitions_changed(published, rated_world):
    before = {r.organisation.code: r.band for r in Rating.objects.filter(run=published).select_related("organisation")}
    # Figures corrected (HA4's mortality halved) and a target tightened, after publication.
    call_command("import_returns", write(rated_world, "fix.csv", "organisation_code,indicator_code,year,value\n"
                                         "HA4,MORTCIRC,2000-01,50\nHA1,MMR,2000-01,80\n"), stdout=None)
    call_command("import_indicators", write(rated_world, "tighter.csv", MMR.format(threshold=95)), stdout=None)
    # Rated today, the bands would differ: the check below is not trivially true.
    (today,) = actions.recalculate(year=2000, type_codes=["HA"])
    assert {r.organisation.code: r.band for r in today.ratings.select_related("organisation")} != before

    out, err = verify(published.pk)
    assert out.startswith(f"Run {published.pk} (HA 2000-01, published, 6 ratings): recomputed from its frozen "
                          "parameters and definitions and the figures held at ")
    assert out.rstrip().endswith("no differences.") and err == ""


def test_a_stored_rating_that_differs_is_reported(published):
    rating = Rating.objects.get(run=published, organisation__code="HA3")
    Rating.objects.filter(pk=rating.pk).update(band="red", score=rating.score + 1)
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_run", str(published.pk), stdout=out, stderr=io.StringIO())
    assert str(error.value) == f"Run {published.pk} (HA 2000-01, published, 6 ratings): 2 difference(s)."
    assert out.getvalue().splitlines() == [f"HA3: band stored 'red', recomputed '{rating.band}'",
                                           f"HA3: score stored {rating.score + 1!r}, recomputed {rating.score!r}"]


def test_an_unknown_run_is_named(db):
    with pytest.raises(CommandError, match="There is no run 999."):
        verify(999)
