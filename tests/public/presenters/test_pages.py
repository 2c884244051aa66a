"""The home page's counts and key to the colours (no database)."""

from types import SimpleNamespace

from public.presenters import pages


def kind(code, green_share, **parameters):
    """A type as `queries.organisation_types(year)` gives it: with its published run's parameters, or None."""
    params = None if green_share is None else {"green_share": green_share, **parameters}
    return SimpleNamespace(code=code, name=code, plural_name=f"{code.lower()}s", parameters=params)


def test_home_counts_every_rated_band_and_not_rated_only_when_there_are_some():
    counts = {("HA", "green"): 2, ("HA", "red"): 1, ("TRUST", "yellow"): 3, ("TRUST", "not_rated"): 1}
    page = pages.home(counts, [kind("HA", 0.25), kind("PCG", None), kind("TRUST", 0.25)])
    assert [(row["type"].code, row["counts"], row["unrated"]) for row in page["types"]] == [
        ("HA", [("green", 2), ("yellow", 0), ("red", 1)], []),
        ("TRUST", [("green", 0), ("yellow", 3), ("red", 0)], [("not_rated", 1)])]
    assert page["band_words"] == "green, yellow or red"
    assert [band for band, _ in page["key"]] == ["green", "yellow", "red"]


def test_the_key_says_the_green_share_the_published_runs_used():
    def key(*types):
        page = pages.home({(t.code, "green"): 1 for t in types}, list(types))
        return dict(page["key"])
    assert "At most a quarter of the rated organisations of its type can be green" in key(kind("T", 0.25))["green"]
    assert "At most a fifth of the rated" in key(kind("T", 0.2))["green"]
    assert "At most 30% of the rated" in key(kind("T", 0.3))["green"]
    # Types whose runs' parameters differ are each named.
    both = key(kind("HA", 0.2), kind("TRUST", 0.25))["green"]
    assert both.startswith("Has: Failed no core") and "Trusts: Failed no core" in both
    assert "a fifth" in both and "a quarter" in both
    # Nothing published: the method's defaults.
    assert "At most a quarter of the rated" in key()["green"]


def test_the_key_says_how_many_core_failures_make_red_and_how_a_missing_figure_counts():
    red = dict(pages.home({("T", "red"): 1}, [kind("T", 0.25, red_core_failures=3)])["key"])
    assert red["red"].startswith("Failed three or more core national targets (a core figure not reported counts "
                                 "as failed).") and red["red"].endswith("escalating help and intervention.")
    assert red["yellow"].startswith("Failed fewer than three core national targets")
    not_green = dict(pages.home({("T", "red"): 1}, [kind("T", 0.25, missing_core_data="not_green")])["key"])
    assert "not reported" not in not_green["red"]
    assert "did not report one" in not_green["yellow"] and "and reported every one" in not_green["green"]
