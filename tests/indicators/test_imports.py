"""The import commands end to end, on whichever database the suite runs on."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from indicators.models import Indicator, Organisation, Region, Result, ResultRevision, ReturnImport
from tests.conftest import write

RETURN_HEADER = "organisation_code,indicator_code,year,value,numerator,denominator\n"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args):
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return str(error.value), err.getvalue()


def snapshot():
    return (list(Result.objects.values_list("organisation__code", "indicator__code", "year", "value")),
            ResultRevision.objects.count(), ReturnImport.objects.count())


def test_fresh_database_has_the_regions_and_types_of_2000(db):
    assert Region.objects.count() == 8
    assert dict(Region.objects.values_list("name", "area"))["Trent"] == "north"
    assert sorted(Region.objects.filter(area="south").values_list("code", flat=True)) == ["EA", "LN", "SE", "SW"]
    from indicators.models import OrganisationType
    assert sorted(OrganisationType.objects.values_list("code", flat=True)) == ["HA", "PCG", "TRUST"]


def test_import_regions_adds_and_updates(db, tmp_path):
    out, _ = run("import_regions", write(tmp_path, "r.csv", "code,name,area\nWX,Wessex,south\nNY,Northern and Yorkshire,Midlands\n"))
    assert out == "Regions: 1 created, 1 updated, 0 unchanged.\n"
    assert Region.objects.get(code="NY").area == "midlands"


def test_import_organisations_creates_with_successors(world):
    old = Organisation.objects.get(code="RAA")
    assert (old.closed, old.successor.code, old.region.code) == (1998, "RAB", "NY")
    assert Organisation.objects.get(code="Q02").region.code == "LN"  # region given by name


def test_reimporting_organisations_updates_names_and_dates_and_never_deletes(world):
    out, _ = run("import_organisations", write(world, "o2.csv",
        "code,name,type,region,opened,closed\nQ01,Leeds HA,HA,NY,,2000-01\nQ02,Camden Health Authority,HA,LN,,\n"))
    assert out == "Organisations: 0 created, 1 updated, 1 unchanged.\n"
    leeds = Organisation.objects.get(code="Q01")
    assert (leeds.name, leeds.closed) == ("Leeds HA", 2000)
    assert Organisation.objects.count() == 4


def test_bad_organisations_file_stores_nothing(world):
    message, err = refused("import_organisations", write(world, "o3.csv",
        "code,name,type,region\nQ03,Bradford HA,HA,NY\nQ04,Nowhere HA,HA,Atlantis\n"))
    assert message == "o3.csv: Line 3, column region: 'Atlantis' is not a known region code or name. Nothing was stored."
    assert not Organisation.objects.filter(code="Q03").exists()


def test_import_indicators_and_their_types(world):
    ip18m = Indicator.objects.get(code="IP18M")
    assert (ip18m.kind, ip18m.domain, ip18m.direction, ip18m.core_threshold) == ("performance", "access", "lower_better", 0)
    assert sorted(ip18m.organisation_types.values_list("code", flat=True)) == ["HA", "TRUST"]
    out, _ = run("import_indicators", write(world, "i2.csv",
        "code,name,kind,domain,direction,organisation_types\nIP18M,Long waits,performance,access,lower_better,HA\n"))
    assert out == "Indicators: 0 created, 1 updated, 0 unchanged.\n"
    ip18m.refresh_from_db()
    assert ip18m.name == "Long waits" and list(ip18m.organisation_types.values_list("code", flat=True)) == ["HA"]


def test_import_returns_stores_and_counts(world):
    out, _ = run("import_returns", write(world, "r.csv", RETURN_HEADER
        + "Q01,IP18M,2000-01,3,,\nQ01,DEPRIVATION,2000,31.5,,\nRAB,IP18M,2000-01,0,0,120\n"))
    assert out == "Stored: 3 rows: 3 new, 0 changed, 0 unchanged.\n"
    result = Result.objects.get(organisation__code="RAB", indicator__code="IP18M", year=2000)
    assert (result.value, result.numerator, result.denominator) == (0, 0, 120)
    assert result.source_import.filename == "r.csv" and result.source_import.channel == "command"
    assert not result.source_import.synthetic


def test_import_returns_reads_xlsx(world):
    workbook = openpyxl.Workbook()
    workbook.active.append(["organisation_code", "indicator_code", "year", "value"])
    workbook.active.append(["Q01", "IP18M", "2000-01", 4])
    path = world / "r.xlsx"
    workbook.save(path)
    out, _ = run("import_returns", str(path))
    assert out == "Stored: 1 rows: 1 new, 0 changed, 0 unchanged.\n"
    assert Result.objects.get().value == 4


def test_corrected_value_keeps_its_predecessor_in_history(world):
    run("import_returns", write(world, "first.csv", RETURN_HEADER + "Q01,IP18M,2000-01,3,,\nQ02,IP18M,2000-01,1,,\n"))
    out, _ = run("import_returns", write(world, "second.csv", RETURN_HEADER + "Q01,IP18M,2000-01,5,,\nQ02,IP18M,2000-01,1,,\n"))
    assert out == "Stored: 2 rows: 0 new, 1 changed, 1 unchanged.\n"
    result = Result.objects.get(organisation__code="Q01")
    assert result.value == 5 and result.source_import.filename == "second.csv"
    revision = result.revisions.get()
    assert (revision.value, revision.source_import.filename, revision.superseded_by.filename) == (3, "first.csv", "second.csv")
    # The unchanged value keeps the import that first brought it.
    assert Result.objects.get(organisation__code="Q02").source_import.filename == "first.csv"

    run("import_returns", write(world, "third.csv", RETURN_HEADER + "Q01,IP18M,2000-01,6,,\n"))
    assert list(result.revisions.values_list("value", flat=True)) == [3, 5]


def test_dry_run_counts_but_stores_nothing(world):
    run("import_returns", write(world, "first.csv", RETURN_HEADER + "Q01,IP18M,2000-01,3,,\n"))
    before = snapshot()
    out, _ = run("import_returns", write(world, "second.csv", RETURN_HEADER + "Q01,IP18M,2000-01,4,,\nQ02,IP18M,2000-01,1,,\n"), "--dry-run")
    assert out == "Dry run, nothing stored: 2 rows: 1 new, 1 changed, 0 unchanged.\n"
    assert snapshot() == before


def test_one_bad_row_at_the_end_stores_nothing(world):
    run("import_returns", write(world, "first.csv", RETURN_HEADER + "Q01,IP18M,2000-01,3,,\n"))
    before = snapshot()
    good = "".join(f"Q02,IP18M,{year},1,,\n" for year in range(1990, 2000))
    message, _ = refused("import_returns", write(world, "bad.csv", RETURN_HEADER + "Q01,IP18M,2000-01,9,,\n" + good + "Q02,IP18M,2000-01,n/a,,\n"))
    assert message == "bad.csv: Line 13, column value: 'n/a' is not a number. Nothing was stored."
    assert snapshot() == before


def test_every_bad_row_is_listed(world):
    message, err = refused("import_returns", write(world, "bad.csv", RETURN_HEADER
        + "Q09,IP18M,2000-01,1,,\nQ01,MORTCIRC,2000-01,1,,\nRAB,MORTCIRC,2000-01,1,,\nRAA,IP18M,2000-01,1,,\nQ01,IP18M,2000-01,1,,\nQ01,IP18M,2000,2,,\n"))
    assert message == "bad.csv: 4 problems (listed above). Nothing was stored."
    assert err.splitlines() == [
        "bad.csv: Line 2, column organisation_code: 'Q09' is not a known organisation code.",
        "bad.csv: Line 4, column indicator_code: The indicator MORTCIRC does not apply to Acute trust (TRUST) organisations such as RAB.",
        "bad.csv: Line 5, column year: RAA was not open in 2000-01: it closed at the end of 1998-99.",
        "bad.csv: Line 7: Duplicate row: line 6 already gives IP18M for Q01 in 2000-01.",
    ]
    assert Result.objects.count() == 0 and ReturnImport.objects.count() == 0


def test_unreadable_file_is_named(world):
    message, _ = refused("import_returns", str(world / "missing.csv"))
    assert message.startswith(f"{world / 'missing.csv'}: cannot be read")


def test_load_demo_marks_figures_synthetic_and_is_repeatable(db):
    out, _ = run("load_demo", "fixtures/demo")
    assert "Organisations: 570 created" in out and "36201 new" in out
    assert Result.objects.filter(source_import__synthetic=False).count() == 0
    out, _ = run("load_demo", "fixtures/demo")
    assert "36201 unchanged" in out
    assert Result.objects.count() == 36201 and ResultRevision.objects.count() == 0


def test_generate_demo_scales_up(db, tmp_path):
    out, _ = run("generate_demo", "--output", str(tmp_path), "--organisations", "120", "--indicators", "30",
                 "--years", "2", "--types", "TRUST")
    assert out == f"Wrote {tmp_path}: 120 organisations, 31 indicators (31 definitions), {len((tmp_path / 'returns.csv').read_text().splitlines()) - 1} results.\n"


def test_import_returns_is_not_bound_by_the_upload_limits(world, settings):
    # An admin's command on a file on the server: a national return (or a
    # 10,000-organisation benchmark demo) is larger than a regional upload.
    settings.RETURNS_MAX_ROWS, settings.RETURNS_MAX_UPLOAD_BYTES = 1, 20
    two_rows = write(world, "r.csv", RETURN_HEADER + "Q01,IP18M,2000-01,3,,\nQ02,IP18M,2000-01,1,,\n")
    call_command("import_returns", two_rows, stdout=io.StringIO())
    assert Result.objects.count() == 2
