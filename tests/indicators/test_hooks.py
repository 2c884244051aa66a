"""indicators asks ratings without importing it (indicators/hooks.py): the
audit log its actions write to, and which years' ratings are published."""

import pytest
from django.contrib.auth.models import User

from indicators import actions, hooks
from indicators.models import Region, RegionMembership
from ratings.models import AuditEntry


def test_ratings_receives_the_audit_and_answers_the_published_question():
    assert hooks.audited.has_listeners()
    assert hooks._published_reader is not None


def test_a_write_whose_audit_entry_fails_is_not_stored(world):
    member = User.objects.create_user("alice", password="x")

    def failing(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    hooks.audited.connect(failing, dispatch_uid="failing")
    try:
        with pytest.raises(RuntimeError):
            actions.grant_region_membership(member=member, region=Region.objects.get(code="NY"), user=None)
    finally:
        hooks.audited.disconnect(dispatch_uid="failing")
    assert not RegionMembership.objects.exists() and not AuditEntry.objects.exists()


def test_with_no_reader_nothing_is_published(monkeypatch):
    monkeypatch.setattr(hooks, "_published_reader", None)
    assert hooks.published_year_types({2000}) == set()
