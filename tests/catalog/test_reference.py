"""Loader fidelity: seed 004 附件3 (涉企服务事项清单省级指导目录) loaded completely and verbatim."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from zqt.catalog.models import CatalogItem, CatalogVersion, ServiceCategory
from zqt.catalog.reference import CATEGORIES_CSV, ITEMS_CSV, reference_load

SEED = Path("/work/shared/seeds/004_768bb513bd368853.txt")
EXPECTED_PER_CATEGORY = {
    "01": 6,
    "02": 7,
    "03": 5,
    "04": 6,
    "05": 6,
    "06": 8,
    "07": 4,
    "08": 8,
    "09": 5,
    "10": 5,
    "11": 4,
    "12": 3,
    "13": 4,
}


def test_csv_counts_without_db() -> None:
    with ITEMS_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with CATEGORIES_CSV.open(encoding="utf-8") as fh:
        cats = list(csv.DictReader(fh))
    assert len(cats) == 13
    assert len(rows) == 71
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["category_code"]] = counts.get(r["category_code"], 0) + 1
        assert r["code"].startswith(r["category_code"])
    assert counts == EXPECTED_PER_CATEGORY


@pytest.mark.skipif(not SEED.exists(), reason="seed documents not available")
def test_every_text_is_in_the_seed() -> None:
    seed = SEED.read_text(encoding="utf-8")
    with ITEMS_CSV.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            assert f"{r['code']} {r['name']}" in seed
            assert r["description"] in seed
            if r["responsible_units"]:
                assert r["responsible_units"] in seed


@pytest.mark.django_db
def test_load_counts_and_exact_samples(reference_data: None) -> None:
    assert ServiceCategory.objects.count() == 13
    assert CatalogItem.objects.filter(org_unit__isnull=True).count() == 71
    assert ServiceCategory.objects.get(code="11").name == "诉求和咨询服务"
    item = CatalogItem.objects.get(code="0101")
    assert item.name == "政策查询"
    assert item.description == (
        "各涉企政策出台部门根据“谁制定、谁梳理、谁解释、谁更新”的原则，"
        "在省惠企政策协同管理平台发布政策，供企业查阅"
    )
    assert item.responsible_units == "经信部门、各涉企相关部门"
    assert item.board_code == "policy"
    assert CatalogItem.objects.get(code="0302").responsible_units == (
        "银保监管部门、地方金融监管部门、各涉企相关部门"
    )
    assert CatalogItem.objects.get(code="1202").responsible_units == "统战部、工商联"
    # The seed skips 1104; we keep its numbering.
    assert not CatalogItem.objects.filter(code="1104").exists()
    assert CatalogItem.objects.get(code="1105").name == "涉企收费监管"
    assert CatalogVersion.objects.filter(org_unit__isnull=True, number=1).exists()


@pytest.mark.django_db
def test_loader_is_idempotent_and_command_reports(reference_data: None, capsys) -> None:  # type: ignore[no-untyped-def]
    report = reference_load()
    assert report["created"] == 0 and report["updated"] == 0
    assert report["per_category"]["08 法律服务"] == 8
    call_command("load_catalog")
    out = capsys.readouterr().out
    assert "一级分类 13 个，二级事项 71 项" in out
    assert "13 其他服务: 4" in out
