"""Pure modules: definition (form union, validation, file checks), status machine, recommend."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as hs

from zqt.bundles import definition as d
from zqt.bundles import status as st
from zqt.bundles.recommend import industry_section, recommend
from zqt.bundles.reference import DEFINITIONS_JSON

DOCS = {
    e["bundle"]["code"]: e["definition"]
    for e in json.loads(DEFINITIONS_JSON.read_text(encoding="utf-8"))["definitions"]
}


def test_case_form_union_keeps_each_field_and_material_once() -> None:
    form = d.case_form(DOCS["B0101"], ["KB01", "KB04", "KB05"])
    keys = [f["key"] for f in form.fields]
    assert len(keys) == len(set(keys))
    assert [m["key"] for m in form.materials] == ["articles", "premises", "id_docs", "staff_list"]
    assert form.used_by["staff_list"] == ["社保登记及员工参保登记", "医保登记及员工参保登记"]
    with pytest.raises(ValueError):
        d.case_form(DOCS["B0101"], [])
    with pytest.raises(ValueError):
        d.case_form(DOCS["B0101"], ["XY01"])


def test_definition_errors_name_each_problem() -> None:
    doc = json.loads(json.dumps(DOCS["LXIEYE"]))
    doc["items"][0]["fields"].append("nope")
    doc["items"][1]["deadline_days"] = -1
    doc["materials"][0]["types"] = ["exe"]
    errors = d.definition_errors(doc)
    assert any("nope" in e for e in errors)
    assert any("办理时限" in e for e in errors)
    assert any("文件类型" in e for e in errors)
    assert d.definition_errors([]) == ["定义必须是 JSON 对象"]


def test_clean_form_data() -> None:
    form = d.case_form(DOCS["LXIEYE"], ["XY01", "XY03"])
    _cleaned, errors = d.clean_form_data(
        form, {"suspend_from": "2026/1/1", "employees": "-1", "staff_arrangement": "随便"}
    )
    messages = {e["field"]: e["message"] for e in errors}
    assert messages["suspend_from"].endswith("须为日期（如 2026-01-31）")
    assert "非负" in messages["employees"]
    assert "可选范围" in messages["staff_arrangement"]
    assert messages["suspend_reason"] == "请填写“歇业原因”"


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("a.pdf", b"%PDF-1.7", "pdf"),
        ("a.PNG", b"\x89PNG\r\n\x1a\n..", "png"),
        ("a.jpeg", b"\xff\xd8\xff\xe0", "jpg"),
        ("a.pdf", b"MZ", None),
        ("a.exe", b"%PDF", None),
        ("noext", b"%PDF", None),
    ],
)
def test_file_kind_needs_extension_and_content_to_agree(
    name: str, head: bytes, kind: str | None
) -> None:
    assert d.file_kind(name, head) == kind


def test_material_errors() -> None:
    m = {"key": "a", "label": "申请书", "types": ["pdf"], "max_mb": 1}
    assert d.material_errors(m, filename="a.pdf", size=10, head=b"%PDF") == []
    assert (
        "文件过大" in d.material_errors(m, filename="a.pdf", size=2 * 1024 * 1024, head=b"%PDF")[0]
    )
    assert (
        "文件类型不正确"
        in d.material_errors(m, filename="a.png", size=10, head=b"\x89PNG\r\n\x1a\n")[0]
    )


STATUSES = hs.sampled_from([st.PENDING, st.ACCEPTED, st.MORE_INFO, st.APPROVED, st.REJECTED])


@given(hs.lists(STATUSES, min_size=1, max_size=20))
def test_case_status_properties(statuses: list[str]) -> None:
    result = st.case_status(statuses)
    if st.MORE_INFO in statuses:
        assert result == st.CASE_SUPPLEMENT
    elif all(s in st.FINAL for s in statuses):
        assert result in (st.CASE_COMPLETED, st.CASE_PARTIAL, st.CASE_REJECTED)
        assert (result == st.CASE_COMPLETED) == all(s == st.APPROVED for s in statuses)
    else:
        assert result in st.CASE_OPEN
    done, total = st.progress(statuses)
    assert 0 <= done <= total == len(statuses)


@given(STATUSES, hs.sampled_from(list(st.TRANSITIONS)))
def test_final_states_never_change(current: str, action: str) -> None:
    if current in st.FINAL:
        with pytest.raises(st.TransitionError):
            st.next_status(current, action)


def test_recommendations_carry_reasons_and_are_specific_first() -> None:
    profile = {
        "lifecycle_stage": "transformation",
        "lifecycle_stage_label": "转型",
        "scale": "small",
        "scale_label": "小型",
        "industry_code": "39",
        "status": "existing",
        "tags": ["高新技术企业"],
        "expiring_licences": ["食品生产许可证"],
        "has_bad_credit": False,
    }
    rows = recommend(profile)
    codes = [r.code for r in rows]
    assert "LXIEYE" in codes and "B0903" in codes and "B0102" in codes and "1004" in codes
    assert "B1001" not in codes  # only once suspended
    reasons = {r.code: r.reason for r in rows}
    assert "高新技术企业" in reasons["B0903"]
    assert "食品生产许可证" in reasons["B0102"]
    assert codes[-1] == "0102"  # the unconditional rule comes last
    assert (
        industry_section("39") == "C"
        and industry_section("54") == "G"
        and industry_section("C") == "C"
    )
