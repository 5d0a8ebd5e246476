from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from tests.accounts.factories import UserFactory
from zqt.accounts.enums import Role
from zqt.core.identifiers import make_id_number, make_uscc
from zqt.enterprises.enums import EntityType, LicenceStatus, LifecycleStage, Scale
from zqt.enterprises.models import (
    AgentAuthorisation,
    Enterprise,
    EnterpriseMembership,
    Licence,
)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    uscc = factory.Sequence(lambda n: make_uscc(region_code="330802", serial=100_000 + n))
    name = factory.Sequence(lambda n: f"衢州测试{n}号科技有限公司")
    entity_type = EntityType.LIMITED_COMPANY
    legal_rep_name = "张三"
    legal_rep_id_number = factory.Sequence(
        lambda n: make_id_number(
            region_code="330802", birth_date=dt.date(1980, 1, 1), sequence=n % 1000
        )
    )
    registered_capital = Decimal("500.00")
    founded_on = dt.date(2015, 6, 1)
    address = "浙江省衢州市柯城区测试路1号"
    region_code = "330802"
    industry_code = "39"
    employees = 50
    revenue = Decimal("3000.00")
    rd_spend = Decimal("120.00")
    scale = Scale.SMALL
    lifecycle_stage = LifecycleStage.GROWTH


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    enterprise = factory.SubFactory(EnterpriseFactory)
    licence_type = "食品经营许可证"
    number = factory.Sequence(lambda n: f"JY1330802{n:07d}")
    issuer = "衢州市柯城区市场监督管理局"
    issued_on = dt.date(2022, 1, 1)
    expires_on = dt.date(2027, 1, 1)
    status = LicenceStatus.ACTIVE


def enterprise_user(enterprise: Enterprise, **kw: object):  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.ENTERPRISE, org_unit=None, **kw)
    EnterpriseMembership.objects.create(user=user, enterprise=enterprise)
    return user


def agent_for(enterprise: Enterprise, scopes: list[str] | None = None, days: int = 30, **kw):  # type: ignore[no-untyped-def]
    agent = UserFactory(role=Role.AGENT, org_unit=None, **kw)
    now = timezone.now()
    AgentAuthorisation.objects.create(
        enterprise=enterprise,
        agent=agent,
        scopes=scopes or ["enterprise.view", "space.view"],
        valid_from=now - dt.timedelta(hours=1),
        expires_at=now + dt.timedelta(days=days),
    )
    return agent
