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
