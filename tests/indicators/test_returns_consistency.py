"""A proportion's or rate's value against its numerator and denominator: one
test per rule, no database. The rule follows the definition in force in the
row's year, and allows the rounding of the value as written."""

from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.returns import IndicatorRef, OrganisationRef, ReturnsReference, parse_return

HA = frozenset({"HA"})
REFERENCE = ReturnsReference(
    organisations={"Q01": OrganisationRef("HA", "Health authority", None, None)},
    indicators={
        # A percentage throughout.
        "OP26W": IndicatorRef(HA, ((1997, HA),), ((1997, "proportion", 100.0),)),
        # Deaths per 100,000 throughout.
        "MORTCIRC": IndicatorRef(HA, ((1997, HA),), ((1997, "rate", 100000.0),)),
        # No sampling model: any value, whatever its counts.
        "IP18M": IndicatorRef(HA, ((1997, HA),), ((1997, "other", None),)),
        # A plain figure until 1998-99, a proportion per 1,000 from 1999-00.
        "CHANGED": IndicatorRef(HA, ((1997, HA),), ((1997, "other", None), (1999, "proportion", 1000.0))),
    },
)
HEADER = "organisation_code,indicator_code,year,value,numerator,denominator\n"


def problems(rows: str):
    return [(p.line, p.column, p.message) for p in parse_return((HEADER + rows).encode(), "r.csv", REFERENCE).problems]


def test_a_proportion_is_its_multiplier_times_numerator_over_denominator():
    assert problems("Q01,OP26W,2000-01,25,10,40\nQ01,OP26W,1999-00,25.0,10,40\n") == []


def test_a_proportion_that_disagrees_is_an_error_naming_the_figure_it_should_be():
    assert problems("Q01,OP26W,2000-01,30,10,40\n") == [(2, "value", (
        "The value 30 is not 100 × numerator / denominator (OP26W is a proportion in 2000-01): 100 × 10 / 40 is "
        "25.00, and a figure written as 30 may differ from it by at most 0.5 (its rounding)."))]


def test_the_rounding_allowed_is_half_a_unit_in_the_last_decimal_written():
    # 212 / 39114 = 0.542%: "0.5" rounds it, "0.50" does not, "0.54" does.
    assert problems("Q01,OP26W,2000-01,0.5,212,39114\n") == []
    assert problems("Q01,OP26W,2000-01,0.54,212,39114\n") == []
    assert [column for _, column, _ in problems("Q01,OP26W,2000-01,0.50,212,39114\n")] == ["value"]
    # Exactly half a unit off either way (7 / 400 = 1.75%) is a rounding, whatever floating point makes of it.
    assert problems("Q01,OP26W,2000-01,1.8,7,400\nQ01,OP26W,1999-00,1.7,7,400\n") == []
    assert [column for _, column, _ in problems("Q01,OP26W,2000-01,0.6,212,39114\n")] == ["value"]


def test_a_rate_is_checked_with_its_multiplier_and_may_count_more_events_than_people():
    assert problems("Q01,MORTCIRC,2000-01,150,300,200000\nQ01,MORTCIRC,1999-00,150000,300,200\n") == []
    assert [(line, column) for line, column, _ in problems("Q01,MORTCIRC,2000-01,15,300,200000\n")] == [
        (2, "value")]


def test_a_proportions_numerator_may_not_exceed_its_denominator():
    assert problems("Q01,OP26W,2000-01,125,50,40\n") == [
        (2, "numerator", "The numerator 50 is larger than the denominator 40: OP26W is a proportion in 2000-01.")]


def test_a_zero_denominator_with_a_numerator_is_an_error_for_every_measure():
    for code in ("OP26W", "MORTCIRC", "IP18M"):
        assert problems(f"Q01,{code},2000-01,0,0,0\n") == [(2, "denominator", (
            "The denominator is 0 but a numerator (0) is given: a figure out of nothing cannot be worked out."))]
    assert problems("Q01,OP26W,2000-01,0,,0\n") == []  # no numerator: nothing to divide


def test_another_measure_is_not_checked_against_its_counts():
    assert problems("Q01,IP18M,2000-01,7,1,40\n") == []


def test_the_definition_in_force_in_the_rows_year_decides():
    row = "Q01,CHANGED,{},7,1,40\n"
    assert problems(row.format("1998-99")) == []
    assert problems(row.format("1999-00")) == [(2, "value", (
        "The value 7 is not 1000 × numerator / denominator (CHANGED is a proportion in 1999-00): 1000 × 1 / 40 "
        "is 25.00, and a figure written as 7 may differ from it by at most 0.5 (its rounding)."))]


def test_every_problem_of_the_file_is_reported_and_no_row_is_kept():
    parsed = parse_return((HEADER + "Q01,OP26W,2000-01,30,10,40\nQ01,MORTCIRC,2000-01,1,300,200000\n"
                           "Q01,IP18M,2000-01,3,,\n").encode(), "r.csv", REFERENCE)
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "value"), (3, "value")] and not parsed.ok


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 10**6), st.integers(0, 4), st.sampled_from([1.0, 100.0, 1000.0]))
def test_a_value_rounded_from_its_counts_always_passes_and_one_a_unit_off_never_does(
        numerator, denominator, places, multiplier):
    numerator = min(numerator, denominator)
    exact = multiplier * numerator / denominator
    written = f"{exact:.{places}f}"
    reference = ReturnsReference(REFERENCE.organisations, {"P": IndicatorRef(HA, ((1997, HA),), (
        (1997, "proportion", multiplier),))})
    text = HEADER + f"Q01,P,2000-01,{written},{numerator},{denominator}\n"
    assert parse_return(text.encode(), "r.csv", reference).ok, text
    # Two units off in the last place: at least one and a half units from the exact figure.
    off = f"{float(written) + 2 * 10.0 ** -places:.{places}f}"
    text = HEADER + f"Q01,P,2000-01,{off},{numerator},{denominator}\n"
    assert [p.column for p in parse_return(text.encode(), "r.csv", reference).problems] == ["value"], text
