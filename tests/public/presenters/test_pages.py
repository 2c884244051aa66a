"""The home page's counts and key to the colours (no database)."""

from types import SimpleNamespace

from public.presenters import pages


def kind(code, green_share):
    return SimpleNamespace(code=code, name=code, plural_name="", green_share=green_share)


def test_home_counts_every_rated_band_and_not_rated_only_when_there_are_some():
    counts = {("HA", "green"): 2, ("HA", "red"): 1, ("TRUST", "yellow"): 3, ("TRUST", "not_rated"): 1}
    page = pages.home(counts, [kind("HA", 0.25), kind("PCG", None), kind("TRUST", 0.25)])
    assert [(row["type"].code, row["counts"], row["unrated"]) for row in page["types"]] == [
        ("HA", [("green", 2), ("yellow", 0), ("red", 1)], []),
        ("TRUST", [("green", 0), ("yellow", 3), ("red", 0)], [("not_rated", 1)])]
    assert page["band_words"] == "green, yellow or red"
    assert [band for band, _ in page["key"]] == ["green", "yellow", "red"]


def test_the_key_says_the_green_share_the_published_runs_used():
    def green_key(*shares):
        page = pages.home({(f"T{i}", "green"): 1 for i in range(len(shares))},
                          [kind(f"T{i}", share) for i, share in enumerate(shares)])
        return page["key"][0][1]
    assert green_key(0.25).startswith("Among the best quarter of its type")
    assert green_key(0.2).startswith("Among the best 20% of its type")
    assert green_key(0.2, 0.25).startswith("Among the best 20% or quarter of its type")
    assert green_key().startswith("Among the best quarter of its type")  # nothing published: the method's default
