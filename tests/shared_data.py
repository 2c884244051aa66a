"""Data that many tests read, built once for a run of consecutive tests instead
of once a test.

A fixture made with `shared_fixture` (the public site worlds, the demo loaded
and rated) is built inside an outer transaction that stays open while the next
tests use the same fixture; each test then runs in its own savepoint inside it
(pytest-django's `db`), so whatever a test writes is rolled back before the
next one, as before. When the next test does not use the fixture, the outer
transaction is rolled back too: other tests see an empty database, as before.
`pytest_collection_modifyitems` (tests/conftest.py) puts the tests that use
the same shared fixture next to each other, so each is built about once a run.

Each test gets its own deep copy of the fixture's value (model instances
included), so a test that changes an object in memory does not change it for
the next test.

Transactional tests (live server, races) commit and flush: they cannot share
an outer transaction, so for them the fixture builds its data again, inside
the test, as it always did."""

import copy
from collections.abc import Callable
from typing import Any

import pytest

# key (the builder's module and name) -> builder(folder) of every shared fixture.
BUILDERS: dict[str, Callable[[Any], Any]] = {}


def shared_fixture(build: Callable[[Any], Any]):
    """A pytest fixture named as `build`, whose value is `build(folder)` (folder:
    a fresh temporary directory), built once for consecutive tests that use it."""
    key = f"{build.__module__}.{build.__qualname__}"
    BUILDERS[key] = build

    def fixture(db, tmp_path):
        if SHARED.key == key:
            return copy.deepcopy(SHARED.value)
        return build(tmp_path)  # a transactional test: built inside it, as before

    fixture.__doc__ = build.__doc__
    fixture.shared_data_key = key  # tells this fixture from others of the same name
    return pytest.fixture(name=build.__name__)(fixture)


def is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                   or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


def shared_key(item) -> str | None:
    """The shared fixture this test uses (None: none, or the test is transactional)."""
    if item is None or not hasattr(item, "_fixtureinfo"):
        return None
    keys = set()
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        # The last definition is the one the test gets (the closest override).
        key = definitions and getattr(definitions[-1].func, "shared_data_key", None)
        if key in BUILDERS:
            keys.add(key)
    if not keys or is_transactional(item):
        return None
    if len(keys) > 1:
        raise pytest.UsageError(f"{item.nodeid} uses more than one shared fixture ({', '.join(sorted(keys))}): "
                                "their data would clash in one database")
    return keys.pop()


class SharedData:
    """The one shared fixture open now, if any, and its outer transaction."""

    def __init__(self):
        self.key: str | None = None
        self.value: Any = None
        self._atomic = None
        self._blocker = None

    def open(self, key: str, *, blocker, folder_factory) -> None:
        if self.key == key:
            return
        self.close()
        from django.db import transaction

        with blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            # Plays the part of a test case's transaction (as Django's TestCase marks its own).
            atomic._from_testcase = True
            try:
                self.value = BUILDERS[key](folder_factory.mktemp(key))
            except BaseException as error:
                transaction.set_rollback(True)
                atomic.__exit__(type(error), error, error.__traceback__)
                raise
        self.key, self._atomic, self._blocker = key, atomic, blocker

    def close(self) -> None:
        if self.key is None:
            return
        from django.db import transaction

        atomic, blocker = self._atomic, self._blocker
        self.key = self.value = self._atomic = self._blocker = None
        with blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


SHARED = SharedData()


def grouped(items: list) -> list:
    """The same tests, those that use the same shared fixture moved next to the
    first of them; everything else keeps its order."""
    keys = {id(item): shared_key(item) for item in items}
    groups: dict[str, list] = {}
    for item in items:
        if keys[id(item)]:
            groups.setdefault(keys[id(item)], []).append(item)
    ordered, placed = [], set()
    for item in items:
        key = keys[id(item)]
        if key is None:
            ordered.append(item)
        elif key not in placed:
            placed.add(key)
            ordered.extend(groups[key])
    return ordered
