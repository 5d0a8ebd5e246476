"""Draws (commit → draw → public verification), inspection results feeding credit, joint
inspections, item lists, expert draws; bad input leaves nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from tests.accounts.factories import staff
from tests.enterprises.factories import EnterpriseFactory
from tests.supervision.conftest import member
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.credit import selectors as credit_selectors
from zqt.supervision import draw_engine, selectors, services
from zqt.supervision.models import Draw, Expert, Finding, Inspection, ItemList

pytestmark = pytest.mark.django_db


def _commit(env: dict[str, Any], **kw: Any) -> Draw:
    args: dict[str, Any] = {
        "user": env["reviewer"],
        "title": "2026年第一批双随机抽查",
        "department_code": "330802-market_regulation",
        "k": 4,
        "m": 2,
    }
    args.update(kw)
    return services.inspection_draw_commit(**args)


def test_commit_publishes_commitment_but_not_the_seed(env: dict[str, Any]) -> None:
    draw = _commit(env)
    public = selectors.draw_get_public(number=draw.number)
    assert public.commitment and selectors.public_seed(public) == ""
    assert draw.population_size == 12
    assert draw.pool == sorted(draw.pool) and len(draw.pool) == 4
    assert not selectors.draw_verify(public).ok  # nothing to verify before the draw


def test_draw_reveals_seed_plans_inspections_and_verifies(env: dict[str, Any]) -> None:
    draw = services.draw_execute(user=env["reviewer"], number=_commit(env).number)
    assert draw.status == "drawn"
    assert draw_engine.verify_commitment(seed_hex=draw.seed_hex, commitment=draw.commitment)
    report = selectors.draw_verify(draw)
    assert report.ok, report.checks
    inspections = Inspection.objects.filter(draw=draw)
    assert inspections.count() == 4
    for insp in inspections:
        names = {u.username for u in insp.inspectors.all()}
        assert len(names) == 2
        if insp.region_code.startswith("330802106"):
            assert "insp0" not in names  # region conflict excluded


def test_redraw_command_reproduces_exactly(env: dict[str, Any], capsys: Any) -> None:
    draw = services.draw_execute(user=env["reviewer"], number=_commit(env).number)
    call_command("redraw", draw.number)
    out = capsys.readouterr().out
    assert "一致" in out and draw.result_digest in out


def test_tampered_record_fails_verification(env: dict[str, Any]) -> None:
    draw = services.draw_execute(user=env["reviewer"], number=_commit(env).number)
    draw.result = list(reversed(draw.result))
    assert not selectors.draw_verify(draw).ok


def test_draw_twice_is_refused(env: dict[str, Any]) -> None:
    draw = services.draw_execute(user=env["reviewer"], number=_commit(env).number)
    with pytest.raises(ConflictError):
        services.draw_execute(user=env["reviewer"], number=draw.number)
    assert Inspection.objects.filter(draw=draw).count() == 4


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"k": 13}, "k"), ({"k": "x"}, "k"), ({"title": " "}, "title"),
     ({"region_prefix": "330100"}, "region_prefix"), ({"m": 5}, "m"),
     ({"department_code": "330802-taxation"}, "department_code")],
)  # fmt: skip
def test_bad_draw_input_writes_nothing(env: dict[str, Any], kw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        _commit(env, **kw)
    assert info.value.field == field
    assert not Draw.objects.exists()


def test_empty_pool_is_refused(env: dict[str, Any]) -> None:
    for user in env["inspectors"]:
        user.is_active = False
        user.save()
    with pytest.raises(ValidationFailed) as info:
        _commit(env)
    assert info.value.field == "pool"


def test_too_many_conflicts_fail_the_draw_without_partial_write(env: dict[str, Any]) -> None:
    draw = _commit(env, m=4)  # insp0 conflicts with half the targets: 3 left for those
    with pytest.raises(ValidationFailed) as info:
        services.draw_execute(user=env["reviewer"], number=draw.number)
    assert info.value.field == "m"
    draw.refresh_from_db()
    assert draw.status == "committed" and not Inspection.objects.exists()


def test_roles_that_may_not_draw(env: dict[str, Any]) -> None:
    for role in (Role.INSPECTOR, Role.FRONT_DESK, Role.BOARD_STAFF):
        with pytest.raises(PermissionDeniedError):
            _commit(env, user=staff(role))
    assert AuditEvent.objects.filter(action="supervision.draw", outcome="denied").count() == 3


def test_other_county_cannot_see_or_execute(env: dict[str, Any]) -> None:
    draw = _commit(env)
    from tests.accounts.factories import county

    outsider = member(Role.DEPARTMENT_REVIEWER, unit="330803", org_unit=county("330803", "衢江区"))
    with pytest.raises(NotFoundError):
        services.draw_execute(user=outsider, number=draw.number)


def _results(insp: Inspection, fail_codes: set[str]) -> dict[int, tuple[str, str]]:
    return {
        item.pk: ("fail", "现场发现问题") if item.code in fail_codes else ("pass", "")
        for item in insp.item_list.items.all()
    }


def test_inspector_records_results_and_credit_follows(env: dict[str, Any]) -> None:
    draw = services.draw_execute(user=env["reviewer"], number=_commit(env).number)
    insp = Inspection.objects.filter(draw=draw).first()
    assert insp is not None
    inspector = insp.inspectors.first()
    before = credit_selectors.credit_view(enterprise=insp.enterprise)
    assert before.grade == "B"
    services.inspection_results_record(
        user=inspector,
        uscc=insp.enterprise.uscc,
        results={insp.pk: _results(insp, {"SC-R01", "SC-R02", "SC-Y01"})},
    )
    insp.refresh_from_db()
    assert insp.status == "recorded" and insp.published_at is not None
    assert Finding.objects.filter(inspection=insp, outcome="fail").count() == 3
    after = credit_selectors.credit_view(enterprise=insp.enterprise)
    assert (after.score, after.grade, after.colour) == (55, "E", "red")
    # Recording the same inspection again is refused and changes nothing.
    with pytest.raises(ConflictError):
        services.inspection_results_record(
            user=inspector, uscc=insp.enterprise.uscc, results={insp.pk: _results(insp, set())}
        )
    assert Finding.objects.filter(inspection=insp).count() == insp.item_list.items.count()


def test_incomplete_results_and_unassigned_inspector(env: dict[str, Any]) -> None:
    draw = services.draw_execute(user=env["reviewer"], number=_commit(env).number)
    insp = Inspection.objects.filter(draw=draw).first()
    assert insp is not None
    inspector = insp.inspectors.first()
    partial = dict(list(_results(insp, set()).items())[:2])
    with pytest.raises(ValidationFailed):
        services.inspection_results_record(
            user=inspector, uscc=insp.enterprise.uscc, results={insp.pk: partial}
        )
    stranger = next(u for u in env["inspectors"] if not insp.inspectors.filter(pk=u.pk).exists())
    with pytest.raises(NotFoundError):
        services.inspection_results_record(
            user=stranger, uscc=insp.enterprise.uscc, results={insp.pk: _results(insp, set())}
        )
    assert not Finding.objects.exists()


def test_inspection_plan_refuses_conflicted_inspector(env: dict[str, Any]) -> None:
    target = next(e for e in env["enterprises"] if e.region_code == "330802106")
    with pytest.raises(ValidationFailed) as info:
        services.inspection_plan(
            user=env["reviewer"],
            uscc=target.uscc,
            department_code="330802-market_regulation",
            planned_on=target.founded_on,
            inspectors=[env["inspectors"][0]],
        )
    assert info.value.code == "conflict"
    assert not Inspection.objects.exists()


def test_joint_inspection_merges_departments(env: dict[str, Any]) -> None:
    import datetime as dt

    eco = member(Role.DEPARTMENT_REVIEWER, dept_key="ecology", username="hb")
    eco_inspector = member(Role.INSPECTOR, dept_key="ecology", username="hb_insp")
    target = env["enterprises"][1]
    day = dt.date(2026, 3, 2)
    a = services.inspection_plan(
        user=env["reviewer"],
        uscc=target.uscc,
        department_code="330802-market_regulation",
        planned_on=day,
        inspectors=[env["inspectors"][1]],
    )
    b = services.inspection_plan(
        user=eco,
        uscc=target.uscc,
        department_code="330802-ecology",
        planned_on=day + dt.timedelta(days=3),
        inspectors=[eco_inspector],
    )
    joints = services.joint_inspections_plan(
        user=env["reviewer"], period_start=day, period_end=day + dt.timedelta(days=30)
    )
    assert len(joints) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.joint_id == b.joint_id == joints[0].pk
    # Nothing left to merge the second time.
    assert (
        services.joint_inspections_plan(
            user=env["reviewer"], period_start=day, period_end=day + dt.timedelta(days=30)
        )
        == []
    )


def test_item_list_versions(env: dict[str, Any]) -> None:
    first = selectors.item_list_current(department_key="market_regulation")
    assert first is not None and first.version == 1
    items = [{"code": "X1", "title": "新事项", "colour": "yellow", "legal_basis": "某法第一条"}]
    new = services.item_list_publish(
        user=env["reviewer"],
        department_key="market_regulation",
        department_name="市场监督管理局",
        items=items,
        note="修订",
    )
    assert (
        new.version == 2
        and selectors.item_list_current(department_key="market_regulation").pk == new.pk
    )
    assert ItemList.objects.get(pk=first.pk).is_current is False
    with pytest.raises(ValidationFailed):
        services.item_list_publish(
            user=env["reviewer"],
            department_key="market_regulation",
            department_name="x",
            items=[{**items[0], "colour": "blue"}],
        )
    with pytest.raises(ValidationFailed):
        services.item_list_publish(
            user=env["reviewer"], department_key="ecology", department_name="x", items=items
        )


def test_expert_draw_excludes_bidders_and_matches_venues(env: dict[str, Any]) -> None:
    for i in range(8):
        Expert.objects.create(
            code=f"E{i:03d}",
            name=f"专家{i}",
            speciality="房建",
            employer="投标甲公司" if i < 2 else f"单位{i}",
            region_code="330800",
        )
    tender = services.tender_create(
        user=env["reviewer"],
        number="ZB2026-001",
        title="某学校工程",
        speciality="房建",
        region_code="330802",
        bidders=["投标甲公司"],
        venues=["衢州主场", "杭州副场"],
    )
    draw = services.expert_draw_commit(
        user=env["reviewer"], tender=tender, k=5, department_code="330802-market_regulation"
    )
    assert draw.population_size == 6 and len(draw.excluded) == 2
    draw = services.draw_execute(user=env["reviewer"], number=draw.number)
    chosen = [line.split(":")[0] for line in draw.result]
    assert len(chosen) == 5 and not {"E000", "E001"} & set(chosen)
    assert all(line.split(":")[1] in {"V1", "V2"} for line in draw.result)
    assert selectors.draw_verify(draw).ok
    with pytest.raises(ValidationFailed):
        services.expert_draw_commit(
            user=env["reviewer"], tender=tender, k=7, department_code="330802-market_regulation"
        )


def test_worse_grade_gets_larger_weight_in_population(env: dict[str, Any]) -> None:
    from zqt.credit.services import credit_recompute_all
    from zqt.enterprises.services import credit_record_create

    bad = env["enterprises"][3]
    credit_record_create(
        actor=env["reviewer"],
        uscc=bad.uscc,
        kind="bad",
        title="严重失信",
        source_department="市场监管局",
        recorded_on=bad.founded_on,
    )
    credit_recompute_all()
    draw = _commit(env)
    weights = dict(line.split(",")[:2] for line in selectors.population_lines(draw))
    assert int(weights[bad.uscc]) > int(weights[env["enterprises"][0].uscc])


def test_other_enterprise_region_is_not_in_population(env: dict[str, Any]) -> None:
    EnterpriseFactory(region_code="330100")
    assert _commit(env).population_size == 12
