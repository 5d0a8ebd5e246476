"""Credit: set-based and incremental recompute agree with the pure model; credit repair with
its publicity period; intermediary points, suspension and exam; risk warnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.accounts.factories import UserFactory, staff
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.identifiers import make_uscc
from zqt.core.timeutil import local_today
from zqt.credit import scoring, selectors, services
from zqt.credit.models import CreditRepair, CreditScore, RiskWarning
from zqt.enterprises.models import Honour, Licence, Penalty
from zqt.enterprises.services import credit_record_create

pytestmark = pytest.mark.django_db
TODAY = local_today()


def _penalty(enterprise: Any, *, days_ago: int = 30, amount: str = "5000") -> Penalty:
    return Penalty.objects.create(
        enterprise=enterprise,
        decision_number=f"柯市监罚〔2026〕{Penalty.objects.count() + 1}号",
        department="柯城区市场监督管理局",
        reason="未按规定公示年度报告",
        amount=Decimal(amount),
        decided_on=TODAY - dt.timedelta(days=days_ago),
    )


def test_set_based_recompute_matches_the_pure_model(reference_data: None) -> None:
    ops = staff(Role.OPERATIONS)
    cases: list[tuple[Any, dict[str, int]]] = []
    e0 = EnterpriseFactory()
    cases.append((e0, {}))
    e1 = EnterpriseFactory()
    _penalty(e1)
    _penalty(e1, amount="200000")
    _penalty(e1, days_ago=4000)  # outside the window
    cases.append((e1, {"penalty": 2, "penalty_large": 1}))
    e2 = EnterpriseFactory()
    for n in range(3):
        Honour.objects.create(
            enterprise=e2,
            title=f"荣誉{n}",
            granted_by="市政府",
            granted_on=TODAY - dt.timedelta(days=10),
        )
    credit_record_create(
        actor=ops,
        uscc=e2.uscc,
        kind="good",
        title="纳税信用A级",
        source_department="税务局",
        recorded_on=TODAY,
        expires_on=None,
    )
    cases.append((e2, {"honour": 3, "good_record": 1}))
    e3 = EnterpriseFactory()
    credit_record_create(
        actor=ops,
        uscc=e3.uscc,
        kind="bad",
        title="失信",
        source_department="法院",
        recorded_on=TODAY - dt.timedelta(days=10),
    )
    credit_record_create(
        actor=ops,
        uscc=e3.uscc,
        kind="warning",
        title="警示",
        source_department="x",
        recorded_on=TODAY - dt.timedelta(days=900),
        expires_on=TODAY - dt.timedelta(days=1),
    )  # publicity over
    services.credit_event_record(
        actor=None,
        enterprise=e3,
        factor="complaint_upheld",
        title="投诉查实",
        source_department="市场监管局",
        occurred_on=TODAY,
        source_key="t:1",
    )
    cases.append((e3, {"bad_record": 1, "complaint_upheld": 1}))
    run = services.credit_recompute_all(user=ops)
    assert run.changed == 2  # e1, e2; e3 was scored when its event was recorded
    # No counting fact: no row, and exactly the base score.
    assert not CreditScore.objects.filter(enterprise=e0).exists()
    model = scoring.default_model()
    for enterprise, counts in cases:
        view = selectors.credit_view(enterprise=enterprise)
        expected = scoring.score(counts, model)
        assert view.score == expected, (enterprise.name, counts)
        assert view.grade == scoring.grade_for(expected, model)
        assert view.colour == scoring.colour_for(view.grade)
        explained = {
            x.factor: x.count for x in selectors.credit_view(enterprise=enterprise).explanation
        }
        assert explained == counts
    # Nothing changed → nothing rewritten.
    assert services.credit_recompute_all(user=ops).changed == 0


def test_incremental_recompute_tracks_previous_grade(reference_data: None) -> None:
    enterprise = EnterpriseFactory()
    services.credit_recompute_all()
    assert selectors.credit_view(enterprise=enterprise).grade == "B"
    services.credit_event_record(
        actor=None,
        enterprise=enterprise,
        factor="commendation",
        title="表彰",
        source_department="市政府",
        occurred_on=TODAY,
        source_key="x:1",
    )
    _penalty(enterprise)
    _penalty(enterprise)
    assert services.credit_recompute_one(enterprise=enterprise) == 1
    row = CreditScore.objects.get(enterprise=enterprise)
    assert (row.score, row.grade, row.previous_grade) == (65, "D", "B")


def test_only_operations_recompute_and_publish_models(reference_data: None) -> None:
    for role in (Role.INSPECTOR, Role.FRONT_DESK, Role.DEPARTMENT_REVIEWER):
        with pytest.raises(PermissionDeniedError):
            services.credit_recompute_all(user=staff(role))
    with pytest.raises(PermissionDeniedError):
        services.scoring_model_publish(user=staff(Role.INSPECTOR), config=scoring.DEFAULT_CONFIG)
    assert AuditEvent.objects.filter(outcome="denied").count() == 4


def test_published_model_changes_scores(reference_data: None) -> None:
    enterprise = EnterpriseFactory()
    ops = staff(Role.OPERATIONS)
    _penalty(enterprise)
    config = {**scoring.DEFAULT_CONFIG, "base": 92}
    row = services.scoring_model_publish(user=ops, config=config, note="提高基础分")
    services.credit_recompute_all(user=ops)
    score = CreditScore.objects.get(enterprise=enterprise)
    assert (score.score, score.grade, score.model_version) == (82, "B", row.version)
    # Without any fact: the new base, grade A.
    assert selectors.credit_view(enterprise=EnterpriseFactory()).grade == "A"
    with pytest.raises(ValidationFailed):
        services.scoring_model_publish(user=ops, config={**config, "base": "x"})


def test_credit_repair_period_decision_and_public_view(reference_data: None) -> None:
    enterprise = EnterpriseFactory()
    user = enterprise_user(enterprise)
    young = _penalty(enterprise, days_ago=30)
    old = _penalty(enterprise, days_ago=120)
    services.credit_recompute_all()
    with pytest.raises(ValidationFailed) as info:
        services.credit_repair_apply(
            user=user,
            record_kind="penalty",
            record_id=young.pk,
            reason="已按期整改并缴纳罚款，完成年报补报。",
        )
    assert info.value.code == "publicity_period"
    with pytest.raises(ValidationFailed):
        services.credit_repair_apply(
            user=user, record_kind="penalty", record_id=old.pk, reason="短"
        )
    repair = services.credit_repair_apply(
        user=user,
        record_kind="penalty",
        record_id=old.pk,
        reason="已按期整改并缴纳罚款，完成年报补报。",
    )
    with pytest.raises(ConflictError):
        services.credit_repair_apply(
            user=user,
            record_kind="penalty",
            record_id=old.pk,
            reason="已按期整改并缴纳罚款，完成年报补报。",
        )
    # Another enterprise's record: not found.
    other = enterprise_user(EnterpriseFactory())
    with pytest.raises(NotFoundError):
        services.credit_repair_apply(
            user=other,
            record_kind="penalty",
            record_id=young.pk,
            reason="已按期整改并缴纳罚款，完成年报补报。",
        )
    reviewer = staff(Role.DEPARTMENT_REVIEWER)
    with pytest.raises(PermissionDeniedError):
        services.credit_repair_decide(
            user=staff(Role.INSPECTOR), repair_id=repair.pk, approve=True, note=""
        )
    before = CreditScore.objects.get(enterprise=enterprise).score
    services.credit_repair_decide(user=reviewer, repair_id=repair.pk, approve=True, note="同意")
    view = selectors.credit_view(enterprise=enterprise)
    assert [r.id for r in view.records if r.kind == "penalty"] == [young.pk]
    assert [r.id for r in view.repaired] == [old.pk]
    assert CreditScore.objects.get(enterprise=enterprise).score == before + 10
    with pytest.raises(ConflictError):
        services.credit_repair_decide(user=reviewer, repair_id=repair.pk, approve=False, note="x")


def test_repair_period_is_configurable_per_kind(reference_data: None, settings: Any) -> None:
    settings.ZQT_CREDIT_REPAIR_MIN_MONTHS = {"*": 3, "penalty": 12}
    enterprise = EnterpriseFactory()
    user = enterprise_user(enterprise)
    record = _penalty(enterprise, days_ago=200)
    with pytest.raises(ValidationFailed):
        services.credit_repair_apply(
            user=user,
            record_kind="penalty",
            record_id=record.pk,
            reason="已按期整改并缴纳罚款，完成年报补报。",
        )
    assert not CreditRepair.objects.exists()


@pytest.fixture
def agent_env(reference_data: None) -> dict[str, Any]:
    desk = staff(Role.FRONT_DESK)
    agency = services.agency_create(
        user=desk,
        uscc=make_uscc(region_code="330802", serial=990_001),
        name="衢州代办服务有限公司",
        region_code="330802",
    )
    account = UserFactory(role=Role.AGENT, org_unit=None, username="zhongjie")
    agent = services.intermediary_agent_create(
        user=desk, agency=agency, name="赵磊", id_number="330802198001010013", account=account
    )
    return {"desk": desk, "agency": agency, "agent": agent, "account": account}


def test_filings_scored_suspend_and_exam_restores(agent_env: dict[str, Any]) -> None:
    desk, agent, account = agent_env["desk"], agent_env["agent"], agent_env["account"]
    with pytest.raises(ConflictError) as info:
        services.agent_exam_submit(user=account, answers={"q1": "b"})
    assert info.value.code == "not_suspended"
    filing = services.filing_score(
        user=desk, agent_id=agent.pk, reference="DJ-1", enterprise_name="甲公司", outcome="returned"
    )
    assert filing.points_delta == -2 and "补正" in filing.rule_text
    services.filing_score(
        user=desk,
        agent_id=agent.pk,
        reference="DJ-2",
        enterprise_name="乙公司",
        outcome="false_material",
    )
    services.filing_score(
        user=desk,
        agent_id=agent.pk,
        reference="DJ-3",
        enterprise_name="丙公司",
        outcome="false_material",
    )
    agent.refresh_from_db()
    assert agent.points == 38 and agent.suspended_at is not None
    with pytest.raises(ConflictError) as info:
        services.filing_score(
            user=desk,
            agent_id=agent.pk,
            reference="DJ-4",
            enterprise_name="丁公司",
            outcome="clean",
        )
    assert info.value.code == "agent_suspended"
    failed = services.agent_exam_submit(user=account, answers={"q1": "a"})
    assert not failed.passed
    key = {q["id"]: q["answer"] for q in services.EXAM_QUESTIONS}
    passed = services.agent_exam_submit(user=account, answers=key)
    agent.refresh_from_db()
    assert passed.passed and agent.points == 70 and agent.suspended_at is None
    report = selectors.problem_filings(user=desk, since=TODAY - dt.timedelta(days=30))
    assert report[0]["agent"].pk == agent.pk and len(report[0]["filings"]) == 3
    assert selectors.agency_list_for_user(user=desk)[0]["grade"] == "C"


def test_intermediary_permissions(agent_env: dict[str, Any]) -> None:
    with pytest.raises(PermissionDeniedError):
        services.filing_score(
            user=staff(Role.INSPECTOR),
            agent_id=agent_env["agent"].pk,
            reference="X",
            enterprise_name="x",
            outcome="clean",
        )
    with pytest.raises(PermissionDeniedError):
        services.agent_exam_submit(user=staff(Role.FRONT_DESK), answers={})
    with pytest.raises(ValidationFailed):
        services.filing_score(
            user=agent_env["desk"],
            agent_id=agent_env["agent"].pk,
            reference="X",
            enterprise_name="x",
            outcome="great",
        )


def test_risk_rules_produce_routed_warnings_once(reference_data: None) -> None:
    expired = EnterpriseFactory()
    Licence.objects.create(
        enterprise=expired,
        licence_type="食品经营许可证",
        number="JY1",
        issuer="市监局",
        issued_on=dt.date(2020, 1, 1),
        expires_on=TODAY - dt.timedelta(days=3),
    )
    complained = EnterpriseFactory()
    for n in range(2):
        services.credit_event_record(
            actor=None,
            enterprise=complained,
            factor="complaint_upheld",
            title="投诉查实",
            source_department="市监局",
            occurred_on=TODAY,
            source_key=f"c:{n}",
        )
    dropped = EnterpriseFactory()
    services.credit_recompute_all()
    for _ in range(3):
        _penalty(dropped, amount="1000")
    services.credit_recompute_one(enterprise=dropped)  # B → E
    created = services.risk_sweep()
    assert created == {"expired_licence": 1, "complaints_upheld": 1, "grade_drop": 1}
    assert services.risk_sweep() == {}
    reviewer = staff(Role.DEPARTMENT_REVIEWER)
    from zqt.accounts.models import Department

    assert selectors.warning_queryset_for_user(user=reviewer).count() == 0  # not its department
    reviewer.departments.add(Department.objects.get(code="330802-market_regulation"))
    warning = RiskWarning.objects.get(enterprise=expired)
    with pytest.raises(ValidationFailed):
        services.warning_handle(user=reviewer, warning_id=warning.pk, note="已约谈", close=True)
    services.warning_handle(user=reviewer, warning_id=warning.pk, note="已约谈")
    closed = services.warning_handle(
        user=reviewer,
        warning_id=warning.pk,
        note="已约谈",
        close=True,
        feedback="企业已停止相关经营并申请延续",
    )
    assert closed.status == "closed" and closed.feedback
    with pytest.raises(ConflictError):
        services.warning_handle(user=reviewer, warning_id=warning.pk, note="x")
    with pytest.raises(PermissionDeniedError):
        services.warning_handle(user=staff(Role.FRONT_DESK), warning_id=warning.pk, note="x")
