"""The demo loader of catalog + bundles runs inside `zqt load_demo` and is idempotent."""

from __future__ import annotations

import pytest

from zqt.bundles import demo as bundles_demo
from zqt.bundles.models import Case
from zqt.catalog import demo as catalog_demo
from zqt.catalog.models import CatalogItem
from zqt.core import demo
from zqt.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent() -> None:
    result = demo.demo_load(enterprises=300, seed=2026)
    enterprise = Enterprise.objects.get(uscc=result.enterprise_uscc)
    cases = {c.bundle.code: c for c in Case.objects.filter(enterprise=enterprise)}
    assert set(cases) == {"LXIEYE", "B0301"}
    assert cases["LXIEYE"].status == "supplement"
    assert cases["B0301"].verifications.count() == 1
    assert CatalogItem.objects.filter(org_unit__code="330802", status="published").count() == 3
    catalog_demo.demo_load(enterprise=enterprise)
    bundles_demo.demo_load(enterprise=enterprise)
    assert Case.objects.filter(enterprise=enterprise).count() == 2
    assert CatalogItem.objects.filter(org_unit__code="330802").count() == 3
