from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.accounts.factories import county, staff
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import BoardPosition, Role
from zqt.accounts.models import BoardMembership, BoardStaffing, OrgUnit, ServiceBoard, User


def staff_board(unit: OrgUnit, board_code: str, **members: User) -> BoardStaffing:
    board = ServiceBoard.objects.get(code=board_code)
    staffing, _ = BoardStaffing.objects.get_or_create(org_unit=unit, board=board)
    positions = {
        "leader": BoardPosition.LEADER_IN_CHARGE,
        "chief": BoardPosition.CHIEF_COMMISSIONER,
    }
    for key, user in members.items():
        BoardMembership.objects.get_or_create(
            staffing=staffing,
            user=user,
            defaults={"position": positions.get(key, BoardPosition.COMMISSIONER)},
        )
    return staffing


@dataclass
class Cast:
    unit: OrgUnit
    enterprise: Any
    company: User
    desk: User
    handler: User
    other_handler: User
    leader: User
    chief: User
    office: User
    fallback_handler: User
    api: User


def cast() -> Cast:
    """柯城区 with the project and fallback boards staffed "1+1+1+X", and one enterprise."""
    unit = OrgUnit.objects.filter(code="330802").first() or county()
    enterprise = EnterpriseFactory()
    c = Cast(
        unit=unit,
        enterprise=enterprise,
        company=enterprise_user(enterprise),
        desk=staff(Role.FRONT_DESK, unit, full_name="窗口李"),
        handler=staff(Role.BOARD_STAFF, unit, full_name="项目专员吴"),
        other_handler=staff(Role.BOARD_STAFF, unit, full_name="金融专员钱"),
        leader=staff(Role.OPERATIONS, unit, full_name="分管方"),
        chief=staff(Role.CHIEF_COMMISSIONER, unit, full_name="首席徐"),
        office=staff(Role.OPERATIONS, unit, full_name="营商办周"),
        fallback_handler=staff(Role.BOARD_STAFF, unit, full_name="兜底专员孙"),
        api=staff(Role.API_CLIENT, unit, full_name="12345"),
    )
    staff_board(unit, "project", leader=c.leader, chief=c.chief, x=c.handler)
    staff_board(unit, "finance", x=c.other_handler)
    staff_board(unit, "appeals", x=c.fallback_handler)
    return c
