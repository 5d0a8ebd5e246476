from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from zqt.accounts import selectors
from zqt.accounts.models import User

router = Router(tags=["账号与组织"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    org_unit_code: str | None
    org_unit_name: str | None


class OrgUnitOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class BoardOut(Schema):
    code: str
    name: str
    description: str


@router.get("/me", response=MeOut, summary="当前账号")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)  # the router's auth guarantees a signed-in account
    unit = user.org_unit
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        role_label=user.get_role_display(),
        org_unit_code=unit.code if unit else None,
        org_unit_name=unit.name if unit else None,
    )


@router.get("/org-units", response=list[OrgUnitOut], summary="组织单元（按上级筛选）")
def org_units(request: HttpRequest, parent: str | None = None) -> list[OrgUnitOut]:
    return [
        OrgUnitOut(
            code=u.code,
            name=u.name,
            level=u.level,
            parent_code=u.parent.code if u.parent_id else None,  # type: ignore[union-attr]
        )
        for u in selectors.org_unit_list(parent_code=parent).select_related("parent")
    ]


@router.get("/boards", response=list[BoardOut], summary="服务板块")
def boards(request: HttpRequest) -> list[BoardOut]:
    return [
        BoardOut(code=b.code, name=b.name, description=b.description)
        for b in selectors.service_board_list()
    ]
