from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client

from tests.accounts.factories import login_verified
from tests.appeals.test_services import submit
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.appeals import reports, selectors, services, themes
from zqt.appeals.models import Appeal
from zqt.core.timeutil import local_today


def _item(pk: int, text: str, ent: int = 1, cls: str | None = None) -> themes.RepeatItem:
    return themes.RepeatItem(
        pk=pk, reference=f"R{pk}", enterprise_id=ent, text=text, problem_class=cls
    )


def test_top_themes_counts_appeals_per_keyword_without_stopwords() -> None:
    texts = [
        "企业流动资金紧张，希望协调银行贷款",
        "银行贷款审批太慢，流动资金周转困难",
        "厂房施工许可迟迟没有批下来",
        "",
    ]
    found = dict(themes.top_themes(texts, k=5))
    assert found["银行贷款"] == 2 and found["流动资金"] == 2
    assert not set(found) & themes.STOPWORDS
    assert list(found.values()) == sorted(found.values(), reverse=True)
    assert themes.top_themes([]) == [] and themes.top_themes(["  "]) == []


def test_repeat_groups_join_classes_and_similar_texts() -> None:
    items = [
        _item(1, "厂房施工许可迟迟没有批下来", ent=1),
        _item(2, "新建厂房施工许可迟迟没有批", ent=2),
        _item(3, "停车位不够用", ent=3),
        _item(4, "用电增容", ent=4, cls="电力接入难"),
        _item(5, "用电报装慢", ent=5, cls="电力接入难"),
        _item(6, "用电报装慢", ent=5, cls="电力接入难"),
    ]
    groups = themes.repeat_groups(items, similarity=selectors.text_similarity)
    assert [(g.problem_class, g.count, g.enterprises) for g in groups] == [
        ("电力接入难", 3, 2),
        (None, 2, 2),
    ]
    assert groups[1].references == ["R1", "R2"] and groups[1].label.startswith("厂房")
    assert themes.repeat_groups(items[2:3], similarity=selectors.text_similarity) == []


@pytest.mark.django_db
def test_report_page_and_excel_show_themes_and_repeats(c) -> None:  # type: ignore[no-untyped-def]
    submit(c, title="贷款", content="流动资金紧张需要银行贷款")
    other = EnterpriseFactory(region_code=c.enterprise.region_code)
    submit(c, user=enterprise_user(other), title="贷款", content="流动资金紧张需要银行贷款支持")
    first, _ = submit(c, title="用地", content="厂房用地指标不足")
    second, _ = submit(c, title="用地指标", content="厂房用地指标不足，无法扩产")
    services.problem_class_create(
        user=c.chief, title="工业用地指标紧张", appeal_ids=[first.pk, second.pk]
    )
    today = local_today()
    data = reports.trend_report(
        appeals=Appeal.objects.all(), start=today - dt.timedelta(days=6), end=today
    )
    words = dict(data["themes"])
    assert words.get("流动资金") == 2
    repeats = {(g.problem_class, g.count) for g in data["repeats"]}
    assert ("工业用地指标紧张", 2) in repeats and (None, 2) in repeats
    chief = login_verified(Client(), c.chief)
    page = chief.get("/appeals/report/").content.decode()
    assert "热点主题" in page and "流动资金" in page and "工业用地指标紧张" in page
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(chief.get("/appeals/report/?format=xlsx").content))
    assert {"热点主题", "重复问题"} <= set(wb.sheetnames)
    rows = list(wb["重复问题"].iter_rows(values_only=True))
    assert any(r[1] == "工业用地指标紧张" and r[2] == 2 for r in rows[1:])
