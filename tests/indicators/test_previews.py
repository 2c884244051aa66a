"""The preview presenter, without a database: codes named, order kept."""

from indicators.previews import Named, codes_in, present

PREVIEW = {
    "organisations": {"RAB": [1, 0, 0], "Q01": [0, 1, 1], "GONE": [1, 0, 0]},
    "changes": [["Q01", "IP18M", 2000, 3.0, 4.0], ["Q01", "MORTCIRC", 2000, 1.0, 2.0]],
    "new": [["RAB", "IP18M", 2000, 5.0], ["GONE", "X", 2000, 1.0]],
}
ORGANISATIONS = {"Q01": "Leeds Health Authority", "RAB": "Airedale Trust"}
INDICATORS = {"IP18M": "Inpatients waiting over 18 months"}


def test_codes_in_covers_only_the_rows_shown():
    assert codes_in(PREVIEW, shown_changes=1, shown_new=1) == ({"Q01", "RAB", "GONE"}, {"IP18M"})
    assert codes_in(PREVIEW, shown_changes=2, shown_new=2)[1] == {"IP18M", "MORTCIRC", "X"}


def test_present_names_what_it_can_and_keeps_the_rest_as_codes():
    preview = present(PREVIEW, organisation_names=ORGANISATIONS, indicator_names=INDICATORS, shown_changes=1,
                      shown_new=2)
    [change] = preview.changes
    assert (str(change.organisation), str(change.indicator), change.held, change.in_file) == (
        "Leeds Health Authority (Q01)", "Inpatients waiting over 18 months (IP18M)", 3.0, 4.0)
    assert [(str(n.organisation), str(n.indicator)) for n in preview.new_values] == [
        ("Airedale Trust (RAB)", "Inpatients waiting over 18 months (IP18M)"), ("GONE", "X")]
    # By organisation, in order of name (a code standing in for a missing name).
    assert [(row.organisation.code, row.new, row.changed, row.unchanged) for row in preview.organisations] == [
        ("RAB", 1, 0, 0), ("GONE", 1, 0, 0), ("Q01", 0, 1, 1)]


def test_an_empty_preview_presents_nothing():
    assert present({}, organisation_names={}, indicator_names={}, shown_changes=5, shown_new=5).changes == []
    assert str(Named("Q01", None)) == "Q01"
