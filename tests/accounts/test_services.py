from __future__ import annotations

import pytest

from tests.accounts.factories import county, staff
from zqt.accounts.enums import Role
from zqt.accounts.models import ApiToken, User
from zqt.accounts.selectors import api_token_authenticate
from zqt.accounts.services import api_token_issue, api_token_revoke, user_create
from zqt.audit.models import AuditEvent
from zqt.core.errors import PermissionDeniedError, ValidationFailed

pytestmark = pytest.mark.django_db


def test_operations_creates_staff_user_and_it_is_audited() -> None:
    ops = staff(Role.OPERATIONS)
    user = user_create(
        actor=ops,
        username="clerk",
        role=Role.FRONT_DESK,
        password="Pw-12345678x",
        org_unit_code=county().code,
        full_name="窗口一号",
    )
    assert user.check_password("Pw-12345678x")
    assert AuditEvent.objects.filter(action="user.create", object_id="clerk").exists()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.INSPECTOR, Role.BOARD_STAFF])
def test_non_operations_cannot_create_users(role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        user_create(
            actor=staff(role),
            username="x",
            role=Role.FRONT_DESK,
            password="p",
            org_unit_code="330802",
        )
    assert not User.objects.filter(username="x").exists()


def test_staff_without_org_unit_and_unknown_role_are_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_create(actor=None, username="a", role=Role.INSPECTOR, password="p")
    assert exc.value.field == "org_unit" and "组织" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        user_create(actor=None, username="b", role="wizard", password="p", org_unit_code="330802")
    assert exc.value.field == "role"
    assert not User.objects.filter(username__in=["a", "b"]).exists()


def test_api_token_round_trip_and_revocation() -> None:
    client = staff(Role.API_CLIENT)
    token = api_token_issue(actor=None, user=client, name="12345热线")
    assert api_token_authenticate(token=token) == client
    assert api_token_authenticate(token=token + "x") is None
    assert not ApiToken.objects.filter(token_hash=token).exists()  # only the hash is stored
    api_token_revoke(actor=None, token_id=ApiToken.objects.get().pk)
    assert api_token_authenticate(token=token) is None


def test_api_tokens_only_for_api_clients() -> None:
    with pytest.raises(ValidationFailed):
        api_token_issue(actor=None, user=staff(Role.FRONT_DESK), name="x")
