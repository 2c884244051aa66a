"""The demo generator: deterministic, and carrying the effects later features must show. No database."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators import demo


@pytest.fixture(scope="module")
def data():
    return demo.generate()


def frame(rows):
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_same_seed_same_data_other_seed_other_data(data):
    again = demo.generate()
    assert again.returns == data.returns and again.organisations == data.organisations
    assert demo.generate(seed=1).returns != data.returns


def test_written_fixtures_are_the_generators_output(data, tmp_path):
    demo.write(data, tmp_path)
    committed = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
    for name in ("regions.csv", "organisations.csv", "indicators.csv", "returns.csv", "dataset.json"):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), f"regenerate fixtures: {name}"


def test_sizes_feel_like_england_in_2000(data):
    organisations = frame(data.organisations)
    assert organisations.groupby("type").size().to_dict() == {"HA": 100, "PCG": 300, "TRUST": 170}
    assert organisations.code.is_unique and organisations.name.is_unique
    assert set(organisations.region) == {code for code, *_ in demo.REGIONS}
    indicators = frame(data.indicators)
    performance = indicators[indicators.kind == "performance"]
    for type_code in ("HA", "TRUST", "PCG"):
        own = performance[performance.organisation_types.str.split(";").apply(lambda t: type_code in t)]
        assert 15 <= len(own) <= 25
        assert set(own.domain) == {"quality", "efficiency", "access", "patient_experience"}
        assert (own.core_threshold != "").sum() >= 3
        assert (own.adjust_for_deprivation == "true").sum() >= 3
    assert frame(data.returns).year.nunique() == 4
    assert data.manifest["synthetic"] is True


def test_merges_and_primary_care_groups_start_in_1999(data):
    organisations = frame(data.organisations)
    closed = organisations[organisations.closed != ""]
    assert len(closed) >= 4 and (closed.successor != "").all()
    assert set(closed.successor) <= set(organisations[organisations.opened == "1999-00"].code)
    returns = frame(data.returns)
    pcg_years = returns[returns.organisation_code.isin(organisations[organisations.type == "PCG"].code)].year
    assert set(pcg_years) == {"1999-00", "2000-01"}
    assert not returns.merge(closed, left_on="organisation_code", right_on="code").year.isin(
        ["1999-00", "2000-01"]).any()


def latest(data):
    returns = frame(data.returns)
    returns["value"] = returns.value.astype(float)
    organisations = frame(data.organisations).merge(frame(data.regions), left_on="region", right_on="code",
                                                    suffixes=("", "_region"))
    return returns[returns.year == "2000-01"].merge(organisations, left_on="organisation_code", right_on="code")


def test_north_is_more_deprived_and_deprivation_worsens_flagged_indicators(data):
    rows = latest(data)
    deprivation = rows[rows.indicator_code == "DEPRIVATION"].groupby("area").value.mean()
    assert deprivation["north"] > deprivation["south"] + 5
    merged = rows[rows.indicator_code == "MORTCIRC"].merge(
        rows[rows.indicator_code == "DEPRIVATION"][["organisation_code", "value"]], on="organisation_code",
        suffixes=("", "_deprivation"))
    assert np.corrcoef(merged.value, merged.value_deprivation)[0, 1] > 0.4  # more deprived, more deaths


def test_trends_missing_values_and_ties(data):
    returns = frame(data.returns)
    returns["value"] = returns.value.astype(float)
    waits = returns[returns.indicator_code == "IPWAIT"].groupby("year").value.mean()
    assert waits["2000-01"] > waits["1997-98"]  # improving nationally
    possible = len(frame(data.organisations)) * 4
    assert 0 < len(returns) < possible * len(frame(data.indicators))
    counts = returns[(returns.indicator_code == "IP18M") & (returns.year == "2000-01")].value
    assert (counts == 0).sum() > 10  # tied at zero


def test_scales_for_benchmarks():
    data = demo.generate(organisations={"TRUST": 2000}, indicators_per_type=40, years=(1999, 2000))
    indicators = frame(data.indicators)
    assert (indicators.kind == "performance").sum() == 40
    assert frame(data.organisations).code.is_unique
    assert len(data.returns) - 1 > 2000 * 41 * 2 * 0.9


def test_proportions_and_rates_carry_their_counts_and_others_none(data):
    returns = frame(data.returns).merge(
        frame(data.indicators).drop_duplicates("code")[["code", "measure", "multiplier"]],
        left_on="indicator_code", right_on="code")
    counted = returns[returns.measure.isin(["proportion", "rate"])]
    assert set(frame(data.indicators).measure) == {"proportion", "rate", "other"}
    assert (returns[returns.measure == "other"][["numerator", "denominator"]] == "").all().all()
    numerator, denominator = counted.numerator.astype(float), counted.denominator.astype(float)
    value, multiplier = counted.value.astype(float), counted.multiplier.astype(float)
    assert ((numerator >= 0) & (numerator <= denominator) & (denominator >= 1)).all()
    decimals = counted.value.str.split(".").str[1].str.len().fillna(0)
    assert (abs(value - multiplier * numerator / denominator) <= 0.5 * 10.0 ** -decimals + 1e-9).all()


def populations(data, indicator_code, per_unit):
    returns = frame(data.returns)
    rows = returns[returns.indicator_code == indicator_code].merge(
        frame(data.organisations), left_on="organisation_code", right_on="code")
    return rows.assign(size=rows.denominator.astype(float) / per_unit)


def test_populations_are_realistic_and_small_organisations_noisy(data):
    mortality = populations(data, "MORTCIRC", 0.9).groupby("type")["size"]
    assert 150_000 * 0.99 <= mortality.min()["HA"] and mortality.max()["HA"] <= 1_000_000 * 1.01
    assert 50_000 * 0.99 <= mortality.min()["PCG"] and mortality.max()["PCG"] <= 250_000 * 1.01
    readmissions = populations(data, "READMIT", 1.0)["size"]
    assert 20_000 * 0.99 <= readmissions.min() and readmissions.max() <= 120_000 * 1.01
    # A handful of practices per primary care group: its share swings from year
    # to year far more than a large health authority's.
    practices = populations(data, "GP48H", 1 / 6000)
    practices["value"] = practices.value.astype(float)
    swings = practices.sort_values("year").groupby("organisation_code").agg(
        swing=("value", lambda v: v.diff().abs().mean()), size=("size", "mean")).dropna()
    small, large = swings[swings["size"] < 100_000], swings[swings["size"] > 500_000]
    assert small.swing.mean() > 1.5 * large.swing.mean()


def test_a_core_target_tightened_in_1999_00(data):
    definitions = frame(data.indicators)
    code, from_year, target = demo.TIGHTENED
    rows = definitions[definitions.code == code].sort_values("year")
    assert rows.year.tolist() == ["", "1999-00"]
    assert float(rows.core_threshold.iloc[1]) == target > float(rows.core_threshold.iloc[0])
    assert definitions.drop_duplicates("code").shape[0] == len(definitions) - 1


def test_merged_organisations_are_named_after_both_predecessors_places(data):
    organisations = frame(data.organisations)
    successors = organisations[organisations.code.isin(organisations.successor)]
    assert len(successors) == 7
    for successor in successors.itertuples():
        first, rest = successor.name.split(" and ", 1)
        second = next(place for places in demo.PLACES.values() for place in places if rest.startswith(place + " "))
        assert first != second
        predecessors = organisations[organisations.successor == successor.code].name.tolist()
        assert len(predecessors) == 2 and all(any(place in name for name in predecessors)
                                              for place in (first, second))


def test_early_years_red_is_about_a_quarter(data):
    """Red is two failed core targets or more (a missing one is a failure by
    default): about a quarter of each type in every year, not half."""
    definitions = frame(data.indicators)
    core = definitions[definitions.core_threshold != ""].assign(
        from_year=lambda d: d.year.replace("", "0000"), organisation_types=lambda d: d.organisation_types.str.split(";"))
    core = core.explode("organisation_types")
    organisations = frame(data.organisations)
    returns = frame(data.returns)
    shares = {}
    for year in ("1997-98", "1998-99", "1999-00", "2000-01"):
        in_force = core[core.from_year <= year].sort_values("from_year").drop_duplicates(
            ["code", "organisation_types"], keep="last")
        open_now = organisations[((organisations.opened == "") | (organisations.opened <= year))
                                 & ((organisations.closed == "") | (organisations.closed >= year))]
        expected = open_now.merge(in_force, left_on="type", right_on="organisation_types", suffixes=("", "_ind"))
        reported = expected.merge(returns[returns.year == year], how="left",
                                  left_on=["code", "code_ind"], right_on=["organisation_code", "indicator_code"])
        value, target = reported.value.astype(float), reported.core_threshold.astype(float)
        failed = value.isna() | ((reported.direction == "higher_better") & (value < target)) | (
            (reported.direction == "lower_better") & (value > target))
        red = reported.assign(failed=failed).groupby(["type", "code"]).failed.sum() >= 2
        for type_code, share in red.groupby(level="type").mean().items():
            shares[(year, type_code)] = share
    assert all(0.05 <= share <= 0.35 for share in shares.values()), shares
    assert 0.15 <= shares[("1997-98", "HA")] <= 0.35 and 0.15 <= shares[("1997-98", "TRUST")] <= 0.35
