from __future__ import annotations

import pytest

from zqt.accounts.models import Department, OrgUnit, ServiceBoard
from zqt.core.reference import reference_load_all
from zqt.enterprises.models import Industry


@pytest.mark.django_db
def test_reference_load_is_complete_and_idempotent() -> None:
    reference_load_all()
    first = (OrgUnit.objects.count(), Department.objects.count(), Industry.objects.count())
    reference_load_all()
    assert (OrgUnit.objects.count(), Department.objects.count(), Industry.objects.count()) == first

    assert OrgUnit.objects.filter(level="city").count() == 11
    assert OrgUnit.objects.filter(level="county").count() == 90
    assert OrgUnit.objects.get(code="330000").scope_prefix == "33"
    assert OrgUnit.objects.get(code="330800").scope_prefix == "3308"
    kecheng = OrgUnit.objects.get(code="330802")
    assert kecheng.parent is not None and kecheng.parent.code == "330800"
    assert Industry.objects.filter(level="section").count() == 20
    assert Industry.objects.filter(level="division").count() == 97
    boards = list(ServiceBoard.objects.values_list("name", flat=True))
    assert len(boards) == 11 and boards[0] == "综合受理" and boards[-1] == "地方特色"
    assert Department.objects.get(code="330000-market_regulation").name == "浙江省市场监督管理厅"
    assert Department.objects.get(code="330802-market_regulation").name == "柯城区市场监督管理局"
