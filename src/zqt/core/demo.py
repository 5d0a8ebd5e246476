"""The demo data set: reference data, a few thousand synthetic enterprises centred on 衢州市柯城区,
and one demo account for every role (`zqt load_demo`).

DEMO ONLY. Every account shares one printed password, government staff share one fixed TOTP
secret, and the API client has a fixed token, so a demo can be driven by hand, by `oathtool` and
by scripts. Never load this into a database that real people use.

Idempotent: when the demo accounts exist nothing is written and the logins are returned again.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zqt.accounts.enums import BoardPosition, Role
from zqt.accounts.models import (
    ApiToken,
    BoardMembership,
    BoardStaffing,
    Department,
    OrgUnit,
    ServiceBoard,
    User,
)
from zqt.accounts.permissions import DELEGABLE
from zqt.accounts.reference import board_lead_department_key, department_code
from zqt.accounts.selectors import hash_token
from zqt.accounts.services import user_create
from zqt.audit.services import audit_record
from zqt.core.reference import reference_load_all
from zqt.core.timeutil import local_today
from zqt.enterprises import synthetic
from zqt.enterprises.enums import EnterpriseStatus, EntityType, LicenceStatus
from zqt.enterprises.models import Enterprise, EnterpriseMembership, Licence, PermitRequirement
from zqt.enterprises.services import agent_authorisation_grant, licence_create, licence_update

DEMO_PASSWORD = "Zqt@2026demo"  # noqa: S105 - demo only, printed on purpose
# 20 bytes, hex for django-otp; base32 PJYXILLEMVWW6LLUN52HALLTMVRXEZLU for authenticator apps.
DEMO_TOTP_KEY_HEX = b"zqt-demo-totp-secret".hex()
DEMO_API_TOKEN = "zqt_demo_token_not_for_production_use"  # noqa: S105 - demo only
DEMO_COUNTY = "330802"  # 衢州市柯城区
DEMO_CITY = "330800"
PROVINCE = "330000"
DEMO_ENTERPRISES = 3000
DEMO_SEED = 2026
TOTP_DEVICE_NAME = "zqt-totp"  # as accounts.views.DEVICE_NAME


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    full_name: str
    org_unit: str | None
    departments: tuple[str, ...]  # department keys at the account's org unit
    note: str


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(Role.OPERATIONS, "demo_ops_province", "周建国", PROVINCE, ("business_office",),
                "省营商办：全省数据、审计查询、账号管理"),
    DemoAccount(Role.OPERATIONS, "demo_ops_city", "陈海燕", DEMO_CITY, ("business_office",),
                "衢州市营商办：本市数据"),
    DemoAccount(Role.OPERATIONS, "demo_leader", "方志明", DEMO_COUNTY, ("business_office",),
                "柯城区营商办：各服务板块分管领导"),
    DemoAccount(Role.FRONT_DESK, "demo_front_desk", "李晓婷", DEMO_COUNTY, ("service_centre",),
                "柯城区综合受理窗口"),
    DemoAccount(Role.BOARD_STAFF, "demo_board", "吴俊杰", DEMO_COUNTY, ("service_centre",),
                "柯城区各服务板块服务专员"),
    DemoAccount(Role.CHIEF_COMMISSIONER, "demo_chief", "徐志强", DEMO_COUNTY, ("service_centre",),
                "柯城区首席服务专员"),
    DemoAccount(Role.DEPARTMENT_REVIEWER, "demo_reviewer", "郑丽华", DEMO_COUNTY,
                ("market_regulation",), "柯城区市场监督管理局审核"),
    DemoAccount(Role.INSPECTOR, "demo_inspector", "金伟", DEMO_COUNTY, ("market_regulation",),
                "柯城区市场监管执法"),
    DemoAccount(Role.ENTERPRISE, "demo_enterprise", "", None, (), "企业用户"),
    DemoAccount(Role.AGENT, "demo_agent", "赵磊", None, (), "经办人（已获企业授权）"),
    DemoAccount(Role.API_CLIENT, "demo_api", "柯城区数据共享平台", DEMO_COUNTY, (),
                "接口账号，使用 Bearer 令牌"),
)  # fmt: skip
MARKER_USERNAME = ACCOUNTS[0].username


class DemoLogin(NamedTuple):
    role: str
    username: str
    password: str
    note: str


@dataclass
class DemoResult:
    created: bool
    logins: list[DemoLogin]
    totp_secret_base32: str
    api_token: str
    enterprise_uscc: str
    enterprises_generated: int


def totp_secret_base32() -> str:
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()


def current_totp_code() -> str:
    """The code an authenticator shows now for the demo secret (30 s steps, 6 digits)."""
    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY_HEX)):06d}"


def demo_region_weights() -> dict[str, float]:
    """Province-wide shares, but half of the demo set in 衢州 and a third in 柯城区, so the
    柯城区 demo accounts have plenty to work with."""
    base = synthetic.default_region_weights()
    quzhou = {c: w for c, w in base.items() if c.startswith("3308") and c != DEMO_COUNTY}
    rest = {c: w for c, w in base.items() if not c.startswith("3308")}
    weights = {DEMO_COUNTY: 35.0}
    q_total, r_total = sum(quzhou.values()), sum(rest.values())
    weights.update({c: 15.0 * w / q_total for c, w in quzhou.items()})
    weights.update({c: 50.0 * w / r_total for c, w in rest.items()})
    return weights


def _logins(enterprise_uscc: str) -> list[DemoLogin]:
    result = []
    for account in ACCOUNTS:
        note = account.note
        if account.role == Role.ENTERPRISE:
            note = f"{note}：{enterprise_uscc}"
        elif account.role == Role.API_CLIENT:
            note = f"{note}：{DEMO_API_TOKEN}"
        elif account.role not in (Role.AGENT,):
            note = f"{note}（需动态验证码）"
        result.append(DemoLogin(account.role, account.username, DEMO_PASSWORD, note))
    return result


def _bound_enterprise_uscc() -> str:
    membership = (
        EnterpriseMembership.objects.select_related("enterprise")
        .filter(user__username="demo_enterprise")
        .first()
    )
    return membership.enterprise.uscc if membership else ""


# Industries where holding two licences is natural, most telling first: food manufacturing
# (食品生产 + 排污), construction (资质 + 安全生产), chemicals, pharmaceuticals.
_DEMO_DIVISIONS = ("14", "13", "15", "47", "48", "26", "27")


def _pick_demo_enterprise() -> Enterprise:
    """A live limited company in 柯城区 whose industry needs two licences, lowest id first so
    the choice is reproducible."""
    alive = Enterprise.objects.filter(
        region_code=DEMO_COUNTY,
        entity_type=EntityType.LIMITED_COMPANY,
        status__in=[EnterpriseStatus.EXISTING, EnterpriseStatus.OPERATING],
    ).order_by("id")
    for division in _DEMO_DIVISIONS:
        enterprise = alive.filter(industry_code=division).first()
        if enterprise is not None:
            return enterprise
    per_division = Counter(PermitRequirement.objects.values_list("industry_code", flat=True))
    divisions = sorted(code for code, n in per_division.items() if n >= 2)
    enterprise = alive.filter(industry_code__in=divisions).first() or alive.first()
    if enterprise is None:
        raise RuntimeError("演示数据中没有柯城区的存续企业，无法绑定演示企业账号。")
    return enterprise


def _ensure_expiring_licences(*, enterprise: Enterprise, actor: User) -> None:
    """One active licence expiring within 30 days and one within 60 (but not 30)."""
    today = local_today()
    wanted = [
        (today + dt.timedelta(days=20), "30天内到期"),
        (today + dt.timedelta(days=45), "60天内到期"),
    ]
    required = list(
        PermitRequirement.objects.filter(industry_code=enterprise.industry_code)
        .order_by("licence_type")
        .values_list("licence_type", "issuer_hint")
    )
    fallback = [("食品经营许可证", "市场监督管理局"), ("排污许可证", "生态环境局")]
    types = (required + [t for t in fallback if t[0] not in {r[0] for r in required}])[:2]
    for (licence_type, issuer_hint), (expires_on, _label) in zip(types, wanted, strict=True):
        issued_on = expires_on - dt.timedelta(days=5 * 365)
        held = (
            Licence.objects.filter(enterprise=enterprise, licence_type=licence_type)
            .exclude(status=LicenceStatus.REVOKED)
            .order_by("id")
            .first()
        )
        if held is not None:
            licence_update(
                user=actor,
                licence_id=held.pk,
                data={
                    "issued_on": issued_on,
                    "expires_on": expires_on,
                    "status": LicenceStatus.ACTIVE,
                },
            )
            continue
        licence_create(
            user=actor,
            uscc=enterprise.uscc,
            licence_type=licence_type,
            number=f"DEMO{enterprise.region_code}{enterprise.pk:08d}{len(licence_type)}",
            issuer=f"衢州市柯城区{issuer_hint}",
            issued_on=issued_on,
            expires_on=expires_on,
        )


def _create_accounts(enterprise: Enterprise) -> dict[str, User]:
    users: dict[str, User] = {}
    for account in ACCOUNTS:
        full_name = account.full_name or enterprise.legal_rep_name
        user = user_create(
            actor=None,
            username=account.username,
            role=account.role,
            password=DEMO_PASSWORD,
            full_name=full_name,
            phone=f"1380570{len(users):04d}",
            org_unit_code=account.org_unit,
        )
        if account.departments and account.org_unit:
            codes = [department_code(org_unit_code=account.org_unit, key=k)
                     for k in account.departments]  # fmt: skip
            departments = list(Department.objects.filter(code__in=codes))
            user.departments.add(*departments)
            audit_record(
                actor=None,
                action="user.update",
                object_type="user",
                object_id=user.username,
                purpose="演示数据",
                changes={"departments": {"old": [], "new": codes}},
            )
        if user.is_government_staff:
            device = TOTPDevice.objects.create(
                user=user, name=TOTP_DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True
            )
            audit_record(
                actor=None,
                action="totp.enrol",
                object_type="user",
                object_id=user.username,
                purpose="演示数据（固定演示密钥）",
                changes={"device": device.pk},
            )
        users[account.username] = user
    return users


def _bind_enterprise(*, users: dict[str, User], enterprise: Enterprise) -> None:
    owner = users["demo_enterprise"]
    membership = EnterpriseMembership.objects.create(user=owner, enterprise=enterprise)
    audit_record(
        actor=None,
        action="enterprise_membership.create",
        object_type="enterprise_membership",
        object_id=str(membership.pk),
        purpose="演示数据",
        changes={"user": owner.username, "enterprise": enterprise.uscc},
    )
    agent_authorisation_grant(
        user=owner,
        agent_username="demo_agent",
        scopes=sorted(DELEGABLE),
        expires_at=timezone.now() + dt.timedelta(days=180),
    )


def _issue_api_token(user: User) -> None:
    # A fixed token (not api_token_issue's random one) so every run can print it: demo only.
    token = ApiToken.objects.create(
        name="演示接口", user=user, prefix=DEMO_API_TOKEN[:12],
        token_hash=hash_token(DEMO_API_TOKEN), expires_at=timezone.now() + dt.timedelta(days=365),
    )  # fmt: skip
    audit_record(
        actor=None,
        action="api_token.issue",
        object_type="api_token",
        object_id=str(token.pk),
        purpose="演示数据（固定演示令牌）",
        changes={"user": user.username, "days": 365},
    )


def _staff_boards(users: dict[str, User]) -> None:
    """ "1+1+1+X" for the 11 boards at 柯城区: lead department, leader in charge, chief service
    commissioner, commissioners."""
    unit = OrgUnit.objects.get(code=DEMO_COUNTY)
    for board in ServiceBoard.objects.order_by("sort_order"):
        lead = Department.objects.filter(
            code=department_code(
                org_unit_code=DEMO_COUNTY, key=board_lead_department_key(board.code)
            )
        ).first()
        staffing, _ = BoardStaffing.objects.get_or_create(
            org_unit=unit, board=board, defaults={"lead_department": lead}
        )
        members: list[tuple[str, str]] = [
            ("demo_leader", BoardPosition.LEADER_IN_CHARGE),
            ("demo_chief", BoardPosition.CHIEF_COMMISSIONER),
            ("demo_board", BoardPosition.COMMISSIONER),
        ]
        if board.code == "intake":
            members.append(("demo_front_desk", BoardPosition.COMMISSIONER))
        for username, position in members:
            BoardMembership.objects.get_or_create(
                staffing=staffing, user=users[username], defaults={"position": position}
            )
        audit_record(
            actor=None, action="board_staffing.create", object_type="board_staffing",
            object_id=str(staffing.pk), purpose="演示数据",
            changes={
                "org_unit": DEMO_COUNTY, "board": board.code,
                "lead_department": lead.code if lead else None,
                "members": [f"{u}:{p}" for u, p in members],
            },
        )  # fmt: skip


def demo_load(*, enterprises: int = DEMO_ENTERPRISES, seed: int = DEMO_SEED) -> DemoResult:
    """Load the demo set, or, if it is there already, only return its logins."""
    from zqt.enterprises.management.commands.gen_data import load_synthetic

    if User.objects.filter(username=MARKER_USERNAME).exists():
        uscc = _bound_enterprise_uscc()
        # Apps added since the demo was first loaded still get their demo data.
        with transaction.atomic():
            reference_load_all()
            _app_demo_load(enterprise=Enterprise.objects.get(uscc=uscc))
        return DemoResult(False, _logins(uscc), totp_secret_base32(), DEMO_API_TOKEN, uscc, 0)
    with transaction.atomic():
        reference_load_all()
        loaded = load_synthetic(
            count=enterprises, seed=seed, workers=0, region_weights=demo_region_weights()
        )
        enterprise = _pick_demo_enterprise()
        users = _create_accounts(enterprise)
        _ensure_expiring_licences(enterprise=enterprise, actor=users["demo_front_desk"])
        _bind_enterprise(users=users, enterprise=enterprise)
        _issue_api_token(users["demo_api"])
        _staff_boards(users)
        _app_demo_load(enterprise=enterprise)
    return DemoResult(
        True, _logins(enterprise.uscc), totp_secret_base32(), DEMO_API_TOKEN, enterprise.uscc,
        loaded.enterprises,
    )  # fmt: skip


def _app_demo_load(*, enterprise: Enterprise) -> None:
    """Feature apps ship `<app>/demo.py` with `demo_load(*, enterprise) -> None`, which must be
    idempotent (it runs on every `load_demo`, so apps added later get their demo data too).
    `enterprise` is the demo enterprise bound to `demo_enterprise`/`demo_agent`; demo users are
    found by username (ACCOUNTS)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    foundation = {"zqt.core", "zqt.accounts", "zqt.enterprises", "zqt.notifications"}
    for config in apps.get_app_configs():
        if not config.name.startswith("zqt.") or config.name in foundation:
            continue
        if find_spec(f"{config.name}.demo") is None:
            continue
        loader = getattr(import_module(f"{config.name}.demo"), "demo_load", None)
        if loader is not None:
            loader(enterprise=enterprise)


def demo_logins_table(result: DemoResult) -> list[tuple[str, str, str, str]]:
    """(role label, username, password, note) rows for printing."""
    labels: dict[str, Any] = dict(Role.choices)
    return [(str(labels[x.role]), x.username, x.password, x.note) for x in result.logins]
