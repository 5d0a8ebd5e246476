from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from zqt.accounts.models import ApiToken, OrgUnit, ServiceBoard, User


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_authenticate(*, token: str) -> User | None:
    """The service user behind a bearer token, or None if unknown, expired or revoked."""
    now = timezone.now()
    row = (
        ApiToken.objects.select_related("user", "user__org_unit")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if not row.user.is_active:
        return None
    # Throttle the write: at most once a minute per token.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def user_scope_prefix(user: User) -> str | None:
    """The region prefix a staff user's data visibility is limited to; None = nothing."""
    if user.org_unit_id is None:
        return None
    return user.org_unit.scope_prefix  # type: ignore[union-attr]


def org_unit_list(*, parent_code: str | None = None) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.all()
    if parent_code is not None:
        qs = qs.filter(parent__code=parent_code)
    return qs.order_by("code")


def org_unit_get(*, code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code).first()


def org_units_within(*, scope_prefix: str) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(code__startswith=scope_prefix).order_by("code")


def service_board_list() -> QuerySet[ServiceBoard]:
    return ServiceBoard.objects.order_by("sort_order")
