"""Recalculation, publication and export against the database (SQLite or PostgreSQL)."""

import csv
import io
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from ratings import actions, engine, outputs, standings
from ratings.inputs import load_engine_inputs
from ratings.models import Rating, RatingRun, RatingScheme, Recalculation
from tests.conftest import write
from tests.ratings.conftest import ORGANISATIONS, RETURNS

def run_command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def ratings_by_code(run):
    return {r.organisation.code: r for r in Rating.objects.filter(run=run).select_related("organisation")}


def test_adapter_reads_inputs_in_five_queries_whatever_the_size(rated_world, django_assert_num_queries):
    with django_assert_num_queries(5):
        small = load_engine_inputs(year=2000, type_codes=["HA"], deprivation_code="DEPRIVATION")
    call_command("import_organisations", write(rated_world, "more.csv", "code,name,type,region\n" + "".join(
        f"X{i:03d},Extra {i},HA,NY\n" for i in range(50))), stdout=None)
    with django_assert_num_queries(5):
        large = load_engine_inputs(year=2000, type_codes=["HA"], deprivation_code="DEPRIVATION")
    assert len(large.organisations) == len(small.organisations) + 50
    assert len(small.results) == 8 and len(small.deprivation) == 4
    assert set(small.indicators.columns) >= {"indicator", "domain", "direction", "weight", "core_threshold",
                                             "measure", "multiplier"}
    assert {"numerator", "denominator"} <= set(small.results.columns)  # what band certainty draws from


def test_recalculate_stores_an_explainable_rating(rated_world):
    out = run_command("recalculate_ratings", "--year", "2000-01", "--type", "HA")
    run = RatingRun.objects.get()
    assert out == f"HA 2000-01 run {run.pk} (draft): 2 green, 2 yellow, 0 red, 2 not rated\n"
    assert (run.status, run.engine_version, run.rated_count, run.green_quota) == ("draft", engine.ENGINE_VERSION, 4, 1)
    assert run.parameters == RatingScheme.objects.get(year=2000).parameters().as_dict()
    ratings = ratings_by_code(run)
    a, b = ratings["HA1"], ratings["HA2"]
    assert (a.band, b.band) == ("green", "green")  # tied at the cut-off once adjusted
    assert (a.band_without_adjustment, b.band_without_adjustment) == ("green", "yellow")
    assert a.rank == b.rank == 1 and a.gap_to_green == pytest.approx(0)
    # Step 8's records, stored: both tied 1st of the 4 candidates for q = 1; no year before, so I = 0, not measured.
    assert (a.candidate_position, b.candidate_position, a.green_quota, a.green_candidates) == (1, 1, 1, 4)
    assert (a.improvement_measured, a.improvement_score) == (False, 0.0)
    assert ratings["Q01"].candidate_position is None and ratings["Q01"].improvement_measured is None
    assert ratings["HA4"].gap_to_green == pytest.approx(ratings["HA4"].score - a.score)
    adjustment = {item["indicator"]: item for item in b.adjustments}["MORTCIRC"]
    assert adjustment["status"] == "adjusted" and adjustment["value"] == 120
    assert adjustment["adjusted"] == pytest.approx(110) and adjustment["slope"] == pytest.approx(1)
    # Q01 and Q02 of the shared world report nothing: not rated, and not counted in the quota.
    assert ratings["Q01"].band == "not_rated" and ratings["Q01"].not_rated_reason.startswith("Reported 0 of the 2")
    score = standings.indicator_scores(b)["MORTCIRC"]
    assert (score.value, score.adjusted) == pytest.approx((120, 110))
    assert set(b.domain_scores["level"]) == set(engine.DOMAINS) and b.domain_scores["improvement"]["quality"] is None
    assert b.core_targets_failed == 0 and b.core_failures == []


def test_core_failures_are_recorded_with_value_threshold_or_no_data(rated_world):
    call_command("import_returns", write(rated_world, "fail.csv", "organisation_code,indicator_code,year,value\n"
                                         "HA1,IP18M,2000-01,7\n"), stdout=None)
    RatingScheme.objects.create(year=2000, red_core_failures=1)
    [run] = actions.recalculate(year=2000, type_codes=["HA"])
    a = ratings_by_code(run)["HA1"]
    assert (a.band, a.core_targets_failed) == ("red", 1)
    assert a.core_failures == [{"indicator": "IP18M", "value": 7.0, "threshold": 0.0, "reason": "missed"}]


def test_scheme_file_sets_parameters_first_and_is_validated(rated_world):
    path = write(rated_world, "scheme.json", '{"green_share": 0.5, "value_added": false}')
    out = run_command("recalculate_ratings", "--year", "2000", "--type", "HA", "--scheme", path)
    assert "2 green, 2 yellow" in out
    assert RatingRun.objects.get().parameters["green_share"] == 0.5
    bad = write(rated_world, "bad.json", '{"green_share": 2, "reds": 1}')
    with pytest.raises(CommandError) as error:
        run_command("recalculate_ratings", "--year", "2000", "--scheme", bad)
    assert "Unknown parameter(s): reds" in str(error.value)
    bad = write(rated_world, "bad2.json", '{"green_share": 2}')
    with pytest.raises(CommandError) as error:
        run_command("recalculate_ratings", "--year", "2000", "--scheme", bad)
    assert str(error.value) == f"{bad}: green_share: must be a share more than 0 and at most 1, not 2"
    assert RatingScheme.objects.get(year=2000).green_share == 0.5 and RatingRun.objects.count() == 1


def test_deprivation_indicator_must_be_a_context_indicator(rated_world):
    RatingScheme.objects.create(year=2000, deprivation_indicator="MORTCIRC")
    with pytest.raises(actions.RecalculationError) as error:
        actions.recalculate(year=2000)
    assert str(error.value) == ("deprivation_indicator: MORTCIRC is a performance indicator; it must be a context "
                                "indicator.")


def test_run_parameters_are_frozen(rated_world):
    [run] = actions.recalculate(year=2000, type_codes=["HA"])
    actions.update_scheme(year=2000, values={"green_share": 0.75})
    run.refresh_from_db()
    assert run.parameters["green_share"] == 0.25


def test_failure_part_way_leaves_no_half_written_run(rated_world, monkeypatch):
    actions.recalculate(year=2000)
    before = (RatingRun.objects.count(), Rating.objects.count())
    calls = []

    def failing_write(**kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first type's ratings are written, then the database fails
            raise RuntimeError("database went away")
        return original(**kwargs)

    original = outputs.write_rating_rows
    monkeypatch.setattr(outputs, "write_rating_rows", failing_write)
    with pytest.raises(RuntimeError):
        actions.recalculate(year=2000)
    assert (RatingRun.objects.count(), Rating.objects.count()) == before


def test_publishing_supersedes_the_previous_published_run(rated_world):
    [first] = actions.recalculate(year=2000, type_codes=["HA"], publish=True)
    assert first.status == "published" and first.published_at is not None
    [second] = actions.recalculate(year=2000, type_codes=["HA"])
    assert list(RatingRun.objects.published().values_list("pk", flat=True)) == [first.pk]
    publisher = User.objects.create_user("publisher")
    actions.publish_run(run=second, user=publisher, note="Corrected figures.")
    second.refresh_from_db()
    assert second.published_by == publisher
    first.refresh_from_db()
    assert first.status == "superseded"
    assert list(RatingRun.objects.published().values_list("pk", flat=True)) == [second.pk]


def test_export_writes_the_published_run_and_neutralises_formulas(rated_world):
    output = rated_world / "ratings.csv"
    with pytest.raises(CommandError, match="No ratings for 2000-01 are published"):
        run_command("export_ratings", "--year", "2000-01", "--output", str(output))
    [draft] = actions.recalculate(year=2000, type_codes=["HA"])
    assert run_command("export_ratings", "--year", "2000-01", "--run", str(draft.pk), "--output", str(output)) == \
        f"Wrote 6 ratings to {output}.\n"
    actions.publish_run(run=draft)
    run_command("export_ratings", "--year", "2000-01", "--output", str(output))
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert list(rows[0]) == ["year", "organisation_code", "organisation_name", "organisation_type", "region", "band",
                             "score", "level_score", "improvement_score", "improvement_measured",
                             "core_targets_failed", "rank", "candidate_position", "green_quota", "green_candidates",
                             "green_cutoff", "margin",
                             "quality_score", "efficiency_score", "access_score", "patient_experience_score",
                             "p_green", "p_yellow", "p_red", "p_not_rated", "certainty", "rank_low", "rank_high",
                             "p_change_real", "change_significance",
                             "band_before", "change_reason", "margin_change", "margin_change_own",
                             "margin_change_others", "margin_change_method", "margin_change_corrections",
                             "band_if_others_stood_still", "band_under_last_years_method",
                             "failed_core_targets", "failed_core_targets_words", "core_targets_not_reported",
                             "not_rated_reason"]
    by_code = {row["organisation_code"]: row for row in rows}
    assert by_code["HA1"]["band"] == "green" and by_code["HA1"]["rank"] == "1" and by_code["HA1"]["year"] == "2000-01"
    assert by_code["HA1"]["region"] == "South East" and by_code["HA1"]["improvement_score"] == "0.0"  # not measured: I = 0 (method version 2)
    assert by_code["HA1"]["improvement_measured"] == "no" and by_code["HA1"]["candidate_position"] == "1"
    assert by_code["HA4"]["organisation_name"] == "'=HYPERLINK(\"http://x\") Health Authority"
    assert float(by_code["HA4"]["score"]) < 0  # a negative number is left as a number


def test_full_path_on_the_demo_data(loaded_demo):
    out = run_command("recalculate_ratings", "--year", "2000-01", "--publish")
    assert out.count("(published)") == 3
    for run in RatingRun.objects.all():
        ratings = Rating.objects.filter(run=run)
        rated = ratings.exclude(band="not_rated")
        assert rated.filter(band="green").count() >= run.green_quota  # ties may add more
        assert not rated.filter(band="green", core_targets_failed__gt=0).exists()
    # The value-added adjustment changes some bands in the demo.
    assert Rating.objects.exclude(band=F("band_without_adjustment")).exists()
    # make run's second time: nothing new is published.
    assert run_command("recalculate_ratings", "--year", "2000-01", "--publish", "--unless-published") == \
        "2000-01: already published; nothing done.\n"
    assert RatingRun.objects.count() == 3
    # Publishing over public ratings needs a note saying what is corrected.
    with pytest.raises(CommandError, match="this is a correction: say what it corrects"):
        run_command("recalculate_ratings", "--year", "2000-01", "--publish")
    out = run_command("recalculate_ratings", "--year", "2000-01", "--publish", "--note", "Late returns added.")
    assert out.count("(published)") == 3
    assert set(RatingRun.objects.published().values_list("revision_note", flat=True)) == {"Late returns added."}


# serialized_rollback restores the migrations' reference data (types, regions) that the flush removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_recalculations_of_a_year_at_once_compute_it_once(world, monkeypatch):
    call_command("import_organisations", write(world, "ha.csv", ORGANISATIONS), stdout=None)
    call_command("import_returns", write(world, "returns.csv", RETURNS), stdout=None)
    RatingScheme.objects.create(year=2000)
    original_rate = engine.rate
    both_started = threading.Barrier(2)

    def slow_rate(inputs, params, reuse=None):
        time.sleep(0.3)  # the other has long since tried to start by now
        return original_rate(inputs, params, reuse)

    monkeypatch.setattr(engine, "rate", slow_rate)
    outcomes = []

    def recalculate():
        try:
            both_started.wait()
            outcomes.append(actions.recalculate(year=2000, type_codes=["HA"]))
        except Exception as error:  # recorded, and checked below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=recalculate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [busy] = [o for o in outcomes if isinstance(o, Exception)]
    assert isinstance(busy, actions.RecalculationBusy), busy
    assert "2000-01 is already being recalculated" in str(busy)
    [[run]] = [o for o in outcomes if isinstance(o, list)]
    assert list(RatingRun.objects.values_list("pk", flat=True)) == [run.pk]
    assert Rating.objects.filter(run=run).count() == 6
    [recalculation] = Recalculation.objects.all()
    assert (recalculation.status, list(recalculation.runs.all())) == ("succeeded", [run])
    # The year is free again.
    assert len(actions.recalculate(year=2000, type_codes=["HA"])) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_asking_for_a_recalculation_at_once_share_one(rated_world):
    from django_tasks_db.models import DBTaskResult
    admins = [User.objects.create_superuser(f"admin{i}", password="x") for i in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def ask(user):
        try:
            barrier.wait()
            outcomes.append(actions.request_recalculation(year=2000, user=user))
        except Exception as error:  # recorded, and the test fails below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(admin,)) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created for _, created in outcomes) == [False, True]
    assert len({recalculation.pk for recalculation, _ in outcomes}) == 1
    assert Recalculation.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_publishing_the_same_year_at_once_leave_exactly_one_published(rated_world):
    first, second = (actions.recalculate(year=2000, type_codes=["HA"])[0] for _ in range(2))
    barrier, errors = threading.Barrier(2), []

    def publish(run):
        try:
            barrier.wait()
            actions.publish_run(run=run, note="Corrected figures.")
        except Exception as error:  # recorded, and the test fails below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(run,)) for run in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = sorted(RatingRun.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == ["published", "superseded"]
    assert RatingRun.objects.published().filter(year=2000, organisation_type__code="HA").count() == 1


def test_publish_scheduled_command_settles_due_runs(rated_world):
    from datetime import timedelta
    from unittest import mock
    from django.utils import timezone
    [run] = actions.recalculate(year=2000, type_codes=["HA"])
    release = timezone.now() + timedelta(minutes=5)
    actions.publish_run(run=run, at=release)
    assert run_command("publish_scheduled") == ""
    with mock.patch("django.utils.timezone.now", return_value=release + timedelta(seconds=1)):
        assert run_command("publish_scheduled") == f"{RatingRun.objects.get(pk=run.pk)}: published as scheduled.\n"
    run.refresh_from_db()
    assert run.status == "published"
