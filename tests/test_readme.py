"""README for a newcomer: the two commands first, the tour, a contents list
that names every section, and links that work in a plain clone."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def anchor(title: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def test_the_readme_opens_with_the_two_commands_then_the_tour_then_the_contents():
    assert README.index("make run") < README.index("make test") < README.index("## A tour after `make run`") \
        < README.index("## Contents") < README.index("## Folders")
    for user in ("### The public", "### An admin", "### A regional office"):
        assert user in README
    assert "manage.py createsuperuser" in README and "Region memberships" in README


def test_the_contents_link_every_section_and_only_real_ones():
    headings = re.findall(r"^(#{2,3}) (.+)$", README, re.M)
    anchors = {anchor(title) for _, title in headings}
    contents = README[README.index("## Contents"):README.index("## Folders")]
    linked = re.findall(r"\]\(#([^)]+)\)", contents)
    assert set(linked) <= anchors, set(linked) - anchors
    assert {anchor(title) for level, title in headings if level == "##" and title != "Contents"} <= set(linked)


def test_every_relative_link_works_in_a_plain_clone():
    links = re.findall(r"\]\((?!https?:|#|mailto:)([^)#]+)", README)
    assert "docs/rating-method.md" in links
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, missing
    assert "../shared/" not in README
