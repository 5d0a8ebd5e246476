"""Loader fidelity: seed 004 附件4 (涉企服务“一类事”省级指导目录) loaded completely and verbatim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from zqt.bundles.definition import definition_errors
from zqt.bundles.models import Bundle, BundleDefinition
from zqt.bundles.reference import BUNDLES_JSON, DEFINITIONS_JSON, reference_load

SEED = Path("/work/shared/seeds/004_768bb513bd368853.txt")
PER_TOPIC = {
    "市场准入": 2,
    "获取经营场所": 4,
    "市政公用基础设施服务": 1,
    "劳动用工": 3,
    "获取金融服务": 4,
    "国际贸易": 2,
    "纳税": 1,
    "解决商业纠纷": 2,
    "促进市场竞争": 3,
    "办理破产": 2,
}


def _directory() -> dict:  # type: ignore[type-arg]
    return json.loads(BUNDLES_JSON.read_text(encoding="utf-8"))


def test_directory_counts_without_db() -> None:
    d = _directory()
    assert len(d["topics"]) == 10
    assert len(d["bundles"]) == 24
    counts: dict[str, int] = {}
    for b in d["bundles"]:
        counts[b["topic"]] = counts.get(b["topic"], 0) + 1
        numbers = [v["no"] for v in b["value_added_items"]]
        assert numbers == list(range(1, len(numbers) + 1)), b["name"]
    assert counts == PER_TOPIC
    assert sum(len(b["basic_items"]) for b in d["bundles"]) == 140
    assert sum(len(b["value_added_items"]) for b in d["bundles"]) == 166


@pytest.mark.skipif(not SEED.exists(), reason="seed documents not available")
def test_every_text_is_in_the_seed() -> None:
    seed = SEED.read_text(encoding="utf-8")
    for b in _directory()["bundles"]:
        assert b["name"] in seed
        for text in b["basic_items"]:
            assert text in seed, text
        for v in b["value_added_items"]:
            assert v["text"] in seed, v


def test_shipped_definitions_are_valid() -> None:
    for entry in json.loads(DEFINITIONS_JSON.read_text(encoding="utf-8"))["definitions"]:
        assert definition_errors(entry["definition"]) == [], entry["bundle"]["code"]


@pytest.mark.django_db
def test_load_counts_and_exact_samples(reference_data: None) -> None:
    assert Bundle.objects.filter(is_provincial=True).count() == 24
    opening = Bundle.objects.get(name="企业开办一类事")
    assert opening.topic == "市场准入"
    assert opening.basic_items[0] == "公司设立登记"
    assert opening.basic_items[-1] == "住房公积金登记及员工缴存登记"
    assert len(opening.value_added_items) == 11
    assert opening.value_added_items[2]["text"] == (
        "发票开具、报销、入账、归档等各环节“去介质”电子化服务"
        "（纳税人不再需要预先领取税控专用设备（Ukey））"
    )
    assert (
        opening.responsible_units
        == "省市场监管局、省公安厅、省税务局、省人社厅、省建设厅、省经信厅等"
    )
    goods = Bundle.objects.get(name="跨境货物贸易一类事")
    assert len(goods.value_added_items) == 23
    assert (
        goods.value_added_items[-1]["text"]
        == "企业“走出去”金融、保险、法律、安全、人才等一站式信息服务"
    )
    utilities = Bundle.objects.get(name="电水气网联合报装一类事")
    assert utilities.value_added_items[6] == {"no": 7, "text": "用能政策咨询和辅导"}
    assert utilities.responsible_units.endswith("省水利厅、省林业局等")
    dereg = Bundle.objects.get(name="企业注销一类事")
    assert dereg.basic_items == [
        "注销公示",
        "注销登记",
        "税务注销",
        "社保注销",
        "医保注销",
        "住房公积金注销",
    ]
    assert dereg.value_added_items == [{"no": 1, "text": "企业注销一次都不跑"}]
    configured = set(BundleDefinition.objects.values_list("bundle__name", flat=True))
    assert configured == {
        "企业开办一类事",
        "歇业一件事",
        "营运车辆六证联办",
        "企业注销一类事",
        "电水气网联合报装一类事",
    }


@pytest.mark.django_db
def test_reload_keeps_edited_definitions(reference_data: None, capsys) -> None:  # type: ignore[no-untyped-def]
    bundle = Bundle.objects.get(code="LXIEYE")
    doc = BundleDefinition.objects.get(bundle=bundle).document
    BundleDefinition.objects.create(bundle=bundle, version=2, document=doc, note="edited")
    report = reference_load()
    assert report["created"] == 0
    assert BundleDefinition.objects.filter(bundle=bundle).count() == 2
    call_command("load_bundles")
    out = capsys.readouterr().out
    assert "一类事 24 个" in out and "办理破产: 2" in out
