"""Every transactional test restores the serialized reference data: one that
does not flushes with the post-migrate signal, which recreates the content
types under new ids, and the next test that restores the serialized data then
meets them (a unique clash on django_content_type, in whichever test follows)."""

import re
from pathlib import Path

TESTS = Path(__file__).parent


def test_every_transactional_test_uses_serialized_rollback():
    marks = [(path.relative_to(TESTS), line) for path in sorted(TESTS.rglob("*.py"))
             for line in path.read_text().splitlines() if re.search(r"django_db\([^)]*transaction=True", line)]
    assert marks, "no transactional tests found: the pattern is out of date"
    assert [mark for mark in marks if "serialized_rollback=True" not in mark[1]] == []
