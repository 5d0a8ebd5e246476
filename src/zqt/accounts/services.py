from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zqt.accounts.enums import Role
from zqt.accounts.models import ApiToken, OrgUnit, User
from zqt.accounts.permissions import role_can
from zqt.accounts.selectors import hash_token
from zqt.audit.services import audit_record
from zqt.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.services import full_clean_or_raise


def _require(actor: User | None, capability: str) -> None:
    # actor None = a management command run by an operator on the server.
    if actor is not None and not role_can(actor.role, capability):
        raise PermissionDeniedError("您没有管理账号的权限。")


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    role: str,
    password: str,
    full_name: str = "",
    phone: str = "",
    org_unit_code: str | None = None,
) -> User:
    """Create an account. Staff and API clients must belong to an org unit."""
    _require(actor, "accounts.manage")
    if role not in Role.values:
        raise ValidationFailed(f"角色“{role}”不存在。", field="role")
    org_unit = None
    if org_unit_code:
        org_unit = OrgUnit.objects.filter(code=org_unit_code).first()
        if org_unit is None:
            raise ValidationFailed(f"组织代码“{org_unit_code}”不存在。", field="org_unit")
    if role not in (Role.ENTERPRISE, Role.AGENT) and org_unit is None:
        raise ValidationFailed("政府工作人员和接口账号必须属于一个组织。", field="org_unit")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"用户名“{username}”已存在。", field="username")
    user = User(username=username, role=role, full_name=full_name, phone=phone, org_unit=org_unit)
    user.set_password(password)
    full_clean_or_raise(user)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=username,
        changes={"role": role, "org_unit": org_unit_code},
    )
    return user


@transaction.atomic
def api_token_issue(*, actor: User | None, user: User, name: str, days: int = 365) -> str:
    """Issue a bearer token for a service account; the plain token is returned once only."""
    _require(actor, "accounts.manage")
    if user.role != Role.API_CLIENT:
        raise ValidationFailed("只能为接口账号签发令牌。", field="user")
    if not 1 <= days <= 730:
        raise ValidationFailed("令牌有效期应在 1 到 730 天之间。", field="days")
    token = "zqt_" + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        user=user,
        prefix=token[:12],
        token_hash=hash_token(token),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    full_clean_or_raise(row)
    row.save()
    audit_record(
        actor=actor,
        action="api_token.issue",
        object_type="api_token",
        object_id=str(row.pk),
        changes={"user": user.username, "name": name, "days": days},
    )
    return token


@transaction.atomic
def api_token_revoke(*, actor: User | None, token_id: int) -> None:
    _require(actor, "accounts.manage")
    row = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if row is None:
        raise NotFoundError("令牌不存在。")
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor, action="api_token.revoke", object_type="api_token", object_id=str(row.pk)
        )


TOTP_DEVICE_NAME = "政企通动态验证码"


@transaction.atomic
def totp_device_enrol(*, user: User, ip_address: str | None = None) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created (and audited) on first enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        audit_record(
            actor=user,
            action="totp_device.create",
            object_type="user",
            object_id=user.get_username(),
            ip_address=ip_address,
        )
    return device


@transaction.atomic
def totp_device_confirm(
    *, user: User, device: TOTPDevice, code: str, ip_address: str | None = None
) -> bool:
    """Confirm enrolment with a valid current code; False (nothing changed) otherwise."""
    if device.user_id != user.pk or not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user,
        action="totp_device.confirm",
        object_type="user",
        object_id=user.get_username(),
        ip_address=ip_address,
    )
    return True
