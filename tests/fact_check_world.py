"""The fact-check world's people and window, on any rated world: staff of an
organisation A and of another, B, of the same type; a regional office's
staff; a signed-in user with no role; an admin. A window of 2000-01 opened on
the year's drafts. Built through the actions, as an admin would."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from indicators import actions as indicator_actions
from indicators.models import Organisation, Region
from ratings import actions
from ratings.models import FactCheckWindow

ANONYMOUS, PUBLIC, REGIONAL, STAFF_A, STAFF_B, ADMIN = "anonymous", "public", "regional", "staff_a", "staff_b", "admin"
PEOPLE = [ANONYMOUS, PUBLIC, REGIONAL, STAFF_A, STAFF_B, ADMIN]


@dataclass
class FactCheckWorld:
    people: dict
    a: Organisation
    b: Organisation
    window: FactCheckWindow
    drafts: list


def make_people(a: Organisation, b: Organisation) -> dict:
    admin = User.objects.create_superuser("admin-fc", email="admin@example.org", password="a-long-password-1")
    people = {ADMIN: admin, PUBLIC: User.objects.create_user("public", password="a-long-password-1")}
    people[REGIONAL] = User.objects.create_user("regional", email="regional@example.org", password="a-long-password-1")
    indicator_actions.grant_region_membership(member=people[REGIONAL], region=Region.objects.order_by("pk").first(),
                                              user=admin)
    for who, organisation in ((STAFF_A, a), (STAFF_B, b)):
        people[who] = User.objects.create_user(who, email=f"{who}@example.org", password="a-long-password-1")
        indicator_actions.grant_organisation_membership(member=people[who], organisation=organisation, user=admin)
    return people


def build(a: Organisation, b: Organisation, *, year: int = 2000, drafts=None) -> FactCheckWorld:
    people = make_people(a, b)
    drafts = drafts if drafts is not None else actions.recalculate(year=year)
    window = actions.open_window(year=year, closes_at=timezone.now() + timedelta(days=10), user=people[ADMIN])
    return FactCheckWorld(people=people, a=a, b=b, window=window, drafts=drafts)
