"""Two admins resolving the same challenge at once, in threads released
together by a barrier, each on its own connection, on whichever database the
suite runs on: one decision is stored, the other admin is told it was
already made; one correction, one audit entry, one email."""

import time

import pytest
from django.core import mail

from indicators.models import Organisation, ReturnImport
from ratings import actions
from ratings.actions import fact_checks
from ratings.models import AuditEntry, Challenge
from tests import fact_check_world
from tests.fact_check_world import ADMIN, STAFF_A
from tests.races import race

RACE = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def slow_correction(monkeypatch):
    """Widen the gap between reading the challenge and storing the decision."""
    original = fact_checks.apply_return

    def apply_slowly(**kwargs):
        time.sleep(0.05)
        return original(**kwargs)

    monkeypatch.setattr(fact_checks, "apply_return", apply_slowly)


@RACE
@pytest.mark.parametrize("second", ["accept", "reject"])
def test_two_admins_resolving_one_challenge_at_once_store_one_decision(rated_world, slow_correction, settings,
                                                                       second):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = fact_check_world.build(Organisation.objects.get(code="HA1"), Organisation.objects.get(code="HA2"))
    other_admin = type(world.people[ADMIN]).objects.create_superuser("admin-2", password="a-long-password-1")
    made = actions.make_challenge(user=world.people[STAFF_A], organisation=world.a, year=2000,
                                  indicator_code="MORTCIRC", figure_year=2000, proposed_value=3, reason="Typo.")
    mail.outbox.clear()

    outcomes = race(
        lambda: actions.resolve_challenge(challenge=made, user=world.people[ADMIN], accept=True, resolution="Yes."),
        lambda: actions.resolve_challenge(challenge=made, user=other_admin, accept=second == "accept",
                                          resolution="Second opinion."))

    stored = [o for o in outcomes if isinstance(o, Challenge)]
    refused = [o for o in outcomes if isinstance(o, actions.FactCheckError)]
    assert len(stored) == 1 and len(refused) == 1, outcomes
    assert f"Challenge {made.pk} was already {stored[0].status} by " in str(refused[0])
    held = Challenge.objects.get(pk=made.pk)
    assert held.status == stored[0].status and held.resolution == stored[0].resolution
    assert ReturnImport.objects.filter(channel="fact_check").count() == (held.status == "accepted")
    assert AuditEntry.objects.filter(action__in=["challenge_accepted", "challenge_rejected"]).count() == 1
    assert len(mail.outbox) == 1
