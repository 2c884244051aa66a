"""What the indicators tests share: an admin in the small world, and the
organisation change form as the admin's page posts it."""

import pytest
from django.contrib.auth.models import User


@pytest.fixture
def admin_user(world):
    return User.objects.create_superuser("admin", password="a-long-password-1")


def organisation_form(organisation, **changes):
    data = {"code": organisation.code, "name": organisation.name, "type": organisation.type_id,
            "region": organisation.region_id, "opened": organisation.opened or "",
            "closed": organisation.closed or "", "successor": organisation.successor_id or ""}
    return {**data, **changes}
