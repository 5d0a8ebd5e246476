from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.factories import staff
from tests.enterprises.factories import EnterpriseFactory
from zqt.accounts.enums import Role
from zqt.accounts.models import Department


def member(role: str, dept_key: str = "market_regulation", unit: str = "330802", **kw: Any):  # type: ignore[no-untyped-def]
    user = staff(role, **kw)
    user.departments.add(Department.objects.get(code=f"{unit}-{dept_key}"))
    return user


@pytest.fixture
def env(reference_data: None) -> dict[str, Any]:
    from zqt.supervision.services import inspector_profile_set

    reviewer = member(Role.DEPARTMENT_REVIEWER, username="scj_reviewer")
    inspectors = [
        member(Role.INSPECTOR, username=f"insp{i}", full_name=f"执法{i}") for i in range(4)
    ]
    # insp0 lives in 航埠镇 (330802106): never sent to enterprises there.
    inspector_profile_set(user=reviewer, inspector=inspectors[0], home_region_code="330802106")
    enterprises = [
        EnterpriseFactory(region_code="330802" if i % 2 else "330802106") for i in range(12)
    ]
    return {"reviewer": reviewer, "inspectors": inspectors, "enterprises": enterprises}
