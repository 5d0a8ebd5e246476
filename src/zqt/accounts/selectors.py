from __future__ import annotations

import hashlib

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zqt.accounts.enums import BoardPosition, Role
from zqt.accounts.models import ApiToken, BoardMembership, OrgUnit, ServiceBoard, User


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


# Who staffs which service board ("1+1+1+X") and who sits above a case when it is escalated.
def board_member_ids(*, org_unit_id: int, board_id: int) -> set[int]:
    return set(
        BoardMembership.objects.filter(
            staffing__org_unit_id=org_unit_id, staffing__board_id=board_id, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def is_board_member(*, user_id: int, org_unit_id: int, board_id: int | None) -> bool:
    if board_id is None:
        return False
    return BoardMembership.objects.filter(
        user_id=user_id, staffing__org_unit_id=org_unit_id, staffing__board_id=board_id
    ).exists()


def board_ids_for_user(*, user_id: int) -> list[tuple[int, int]]:
    """(org_unit_id, board_id) pairs the user is a member of."""
    return list(
        BoardMembership.objects.filter(user_id=user_id).values_list(
            "staffing__org_unit_id", "staffing__board_id"
        )
    )


def board_position_holder(*, org_unit_id: int, board_id: int, position: str) -> User | None:
    membership = (
        BoardMembership.objects.select_related("user")
        .filter(
            staffing__org_unit_id=org_unit_id,
            staffing__board_id=board_id,
            position=position,
            user__is_active=True,
        )
        .first()
    )
    return membership.user if membership else None


def least_loaded_commissioner(
    *, org_unit_id: int, board_id: int, open_counts: dict[int, int]
) -> User | None:
    """A commissioner of the board (the chief if there is none) with the fewest open cases."""
    members = list(
        User.objects.filter(
            is_active=True,
            board_memberships__staffing__org_unit_id=org_unit_id,
            board_memberships__staffing__board_id=board_id,
        )
        .annotate(
            is_commissioner=Count(
                "board_memberships",
                filter=Q(board_memberships__position=BoardPosition.COMMISSIONER)
                & Q(board_memberships__staffing__board_id=board_id),
            )
        )
        .order_by("id")
    )
    commissioners = [u for u in members if getattr(u, "is_commissioner", 0)] or members
    if not commissioners:
        return None
    return min(commissioners, key=lambda u: (open_counts.get(u.pk, 0), u.pk))


def users_with_role(*, org_unit_id: int, role: str) -> list[User]:
    return list(User.objects.filter(org_unit_id=org_unit_id, role=role, is_active=True))


def office_users(*, org_unit_id: int) -> list[User]:
    return users_with_role(org_unit_id=org_unit_id, role=Role.OPERATIONS)
