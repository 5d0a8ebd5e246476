"""Services of 惠企政策: library, two-person rule publishing, sweep and incremental matching,
push once, applications, instant and automatic modes, payouts exactly once, budget, objections."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from tests.policies.conftest import RD_EXAMPLES, RD_RULE, active_policy, policy_data
from zqt.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.notifications.models import Notification
from zqt.policies import selectors, services
from zqt.policies.models import Application, LedgerEntry, Match, Payout, Policy, RuleVersion
from zqt.taskqueue.testing import run_pending_tasks

pytestmark = pytest.mark.django_db


def test_bad_policy_input_is_refused_and_nothing_written(env: dict[str, Any]) -> None:
    for overrides, field in (
        ({"effective_until": "2025-01-01"}, "effective_until"),
        ({"budget": "-5"}, "budget"),
        ({"benefit_kind": "fixed", "benefit_amount": "-1"}, "benefit_amount"),
        ({"benefit_rate": "150"}, "benefit_rate"),
        ({"region_prefix": "11"}, "region_prefix"),
    ):
        with pytest.raises(ValidationFailed) as info:
            services.policy_create(actor=env["ops"], data=policy_data(**overrides))
        assert any(e["field"] == field for e in info.value.errors), info.value.errors
    assert Policy.objects.count() == 0
    with pytest.raises(PermissionDeniedError):
        services.policy_create(actor=env["reviewer"], data=policy_data())


def test_rules_need_a_second_person_and_passing_examples(env: dict[str, Any]) -> None:
    policy = services.policy_create(actor=env["ops"], data=policy_data())
    with pytest.raises(ValidationFailed, match="未知字段"):
        services.rule_version_submit(
            actor=env["ops"], policy_id=policy.pk,
            document={"condition": {"op": "cmp", "field": "profit", "cmp": ">", "value": "1",
                                    "ref": "一"}}, examples=RD_EXAMPLES,
        )  # fmt: skip
    with pytest.raises(ValidationFailed, match="样例未通过"):
        services.rule_version_submit(
            actor=env["ops"], policy_id=policy.pk, document=RD_RULE,
            examples=[{**RD_EXAMPLES[1], "expected": "eligible"}],
        )  # fmt: skip
    with pytest.raises(ValidationFailed, match="有效的 JSON"):
        services.rule_version_submit(
            actor=env["ops"], policy_id=policy.pk, document="{oops", examples=RD_EXAMPLES
        )
    assert RuleVersion.objects.count() == 0
    version = services.rule_version_submit(
        actor=env["ops"], policy_id=policy.pk, document=RD_RULE, examples=RD_EXAMPLES
    )
    assert version.fields_read == ["penalties", "rd_spend", "revenue", "tags"]
    with pytest.raises(ValidationFailed, match="另一人"):
        services.rule_version_decide(actor=env["ops"], version_id=version.pk, approve=True)
    with pytest.raises(ValidationFailed, match="先发布"):
        services.policy_status_set(actor=env["ops"], policy_id=policy.pk, status="active")
    services.rule_version_decide(actor=env["chief"], version_id=version.pk, approve=True)
    with pytest.raises(ConflictError):
        services.rule_version_decide(actor=env["chief"], version_id=version.pk, approve=True)
    assert selectors.rule_current(policy=policy) is not None


def test_sweep_matches_notifies_once_and_explains(env: dict[str, Any]) -> None:
    policy = active_policy(env)
    run_pending_tasks()
    matches = {m.enterprise_id: m for m in Match.objects.filter(policy=policy)}
    assert matches[env["good"].pk].verdict == "eligible"
    assert matches[env["good"].pk].status == "notified"
    assert matches[env["good"].pk].expected_amount == Decimal("150000.00")  # 10% of 150万元
    assert env["weak"].pk not in matches and env["other"].pk not in matches
    notes = Notification.objects.filter(
        recipient=env["good_user"], event_key__startswith="policy-match"
    )
    assert notes.count() == 1
    # a second sweep changes nothing and sends nothing twice
    services.match_sweep_run()
    run_pending_tasks()
    assert notes.count() == 1
    view = selectors.match_get_for_user(user=env["good_user"], policy_id=policy.pk)
    sentences = [r.sentence for r in view.evaluation.atoms]
    assert "研发投入占比 5%，要求 ≥ 3%" in sentences
    assert view.amount == Decimal("150000.00")
    with pytest.raises(NotFoundError):
        selectors.match_get_for_user(user=env["weak_user"], policy_id=policy.pk)


def test_incremental_rematch_touches_only_policies_reading_the_field(env: dict[str, Any]) -> None:
    policy = active_policy(env)
    energy = active_policy(
        env,
        rule={"condition": {"op": "cmp", "field": "energy_intensity", "cmp": "<",
                            "value": "0.52", "ref": "第四条"}},
        title="能评绿色通道", benefit_kind="fixed", benefit_amount="5000", mode="automatic",
    )  # fmt: skip
    run_pending_tasks()
    # everyone in the area is UNKNOWN for the energy policy: asked for data, not paid
    m = Match.objects.get(policy=energy, enterprise=env["weak"])
    assert m.verdict == "unknown"
    result = services.enterprise_rematch(enterprise_id=env["weak"].pk, fields=["energy_intensity"])
    assert result["policies"] == 1
    services.fact_record(
        actor=env["ops"], uscc=env["weak"].uscc, field="energy_intensity", value="0.4800",
        as_of=dt.date.today().isoformat(),
    )  # fmt: skip
    run_pending_tasks()
    assert Match.objects.get(policy=energy, enterprise=env["weak"]).verdict == "eligible"
    assert not Match.objects.filter(policy=policy, enterprise=env["weak"]).exists()
    with pytest.raises(ValidationFailed):
        services.fact_record(actor=env["ops"], uscc=env["weak"].uscc, field="revenue",
                             value="1", as_of="2026-01-01")  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.fact_record(actor=env["ops"], uscc=env["weak"].uscc, field="energy_intensity",
                             value=0.5, as_of="2026-01-01")  # fmt: skip


def test_apply_review_approve_and_payout_frozen(env: dict[str, Any]) -> None:
    policy = active_policy(env)
    run_pending_tasks()
    with pytest.raises(ValidationFailed, match="不符合"):
        services.application_submit(actor=env["weak_user"], policy_id=policy.pk)
    app = services.application_submit(actor=env["good_user"], policy_id=policy.pk)
    with pytest.raises(ConflictError, match="重复申报"):
        services.application_submit(actor=env["good_user"], policy_id=policy.pk)
    assert selectors.application_queue_for_user(user=env["reviewer"]).count() == 1
    with pytest.raises(ValidationFailed):
        services.application_decide(actor=env["reviewer"], application_id=app.pk, decision="reject")
    services.application_decide(actor=env["reviewer"], application_id=app.pk, decision="approve")
    payout = Payout.objects.get(policy=policy, enterprise=env["good"])
    assert payout.amount == Decimal("150000.00")
    assert payout.rule_version.version == 1
    assert payout.inputs["rd_spend"]["value"] == "150.00"
    assert payout.explanation["verdict"] == "eligible"
    assert LedgerEntry.objects.filter(payout=payout, kind="commit").count() == 1
    assert Match.objects.get(policy=policy, enterprise=env["good"]).status == "approved"
    with pytest.raises(PermissionDeniedError):
        services.application_decide(actor=env["ops"], application_id=app.pk, decision="approve")


def test_instant_mode_approves_on_submit_or_refuses(env: dict[str, Any]) -> None:
    policy = active_policy(env, mode="instant")
    app = services.application_submit(actor=env["good_user"], policy_id=policy.pk)
    assert app.status == "approved"
    assert Payout.objects.filter(application=app).count() == 1
    with pytest.raises(ValidationFailed, match="即申即享"):
        services.application_submit(actor=env["weak_user"], policy_id=policy.pk)
    assert not Application.objects.filter(enterprise=env["weak"]).exists()


def test_automatic_mode_confirm_pays_once_over_retries(env: dict[str, Any]) -> None:
    policy = active_policy(env, mode="automatic")
    run_pending_tasks()
    payout = services.match_confirm(actor=env["good_user"], policy_id=policy.pk)
    again = services.match_confirm(actor=env["good_user"], policy_id=policy.pk)
    assert payout.pk == again.pk
    assert services.automatic_payouts_run(policy_id=policy.pk) >= 0
    assert Payout.objects.filter(policy=policy).count() == 1
    assert LedgerEntry.objects.filter(policy=policy, kind="commit").count() == 1
    # announced first; paid through an approved batch after the objection window
    later = payout.pay_after
    batch = services.batch_create(actor=env["ops"], policy_id=policy.pk, today=later)
    with pytest.raises(ValidationFailed, match="另一人"):
        services.batch_approve(actor=env["ops"], batch_id=batch.pk)
    from tests.accounts.factories import staff
    from zqt.accounts.enums import Role

    second = staff(Role.OPERATIONS, username="ops2")
    services.batch_approve(actor=second, batch_id=batch.pk)
    _name, body = services.batch_export(actor=env["ops"], batch_id=batch.pk)
    assert env["good"].uscc in body and "150000.00" in body
    services.batch_export(actor=env["ops"], batch_id=batch.pk)
    assert Payout.objects.get(pk=payout.pk).status == "paid"
    assert LedgerEntry.objects.filter(payout=payout, kind="payment").count() == 1
    rows = selectors.policy_evaluation_rows(user=env["ops"])
    row = next(r for r in rows if r["policy"].pk == policy.pk)
    assert row["paid"] == 1 and row["amount"] == Decimal("150000.00")


def test_budget_cap_refuses_and_alerts(env: dict[str, Any]) -> None:
    policy = active_policy(env, mode="instant", budget="160000")
    services.application_submit(actor=env["good_user"], policy_id=policy.pk)
    assert Notification.objects.filter(event_key=f"policy-budget:{policy.pk}:9000").exists()
    from tests.enterprises.factories import EnterpriseFactory, enterprise_user
    from zqt.enterprises.models import Tag

    third = EnterpriseFactory(rd_spend=Decimal("150"), revenue=Decimal("3000"))
    third.tags.add(Tag.objects.get(code="high_tech"))
    with pytest.raises(ValidationFailed, match="超出政策资金预算"):
        services.application_submit(actor=enterprise_user(third), policy_id=policy.pk)
    assert Payout.objects.filter(policy=policy).count() == 1
    assert not Application.objects.filter(enterprise=third).exists()


def test_objection_routed_with_working_day_deadline(env: dict[str, Any]) -> None:
    energy = active_policy(
        env,
        rule={"condition": {"op": "cmp", "field": "energy_intensity", "cmp": "<",
                            "value": "0.52", "ref": "第四条"}},
        benefit_kind="fixed", benefit_amount="5000", mode="automatic",
    )  # fmt: skip
    run_pending_tasks()
    view = selectors.match_get_for_user(user=env["good_user"], policy_id=energy.pk)
    path = view.evaluation.atoms[-1].atom.path
    obj = services.objection_file(
        actor=env["good_user"], policy_id=energy.pk, condition_path=path,
        message="我司能耗已由发改局核定为0.45", claimed_value="0.45",
    )  # fmt: skip
    assert obj.department.code == "330802-development_reform"
    assert obj.due_on > dt.date.today()
    from tests.accounts.factories import staff
    from zqt.accounts.enums import Role
    from zqt.accounts.models import Department

    fgj = staff(Role.DEPARTMENT_REVIEWER, username="fgj")
    fgj.departments.add(Department.objects.get(code="330802-development_reform"))
    with pytest.raises(NotFoundError):
        services.objection_resolve(actor=env["reviewer"], objection_id=obj.pk, upheld=True,
                                   resolution="x")  # fmt: skip
    services.objection_resolve(
        actor=fgj, objection_id=obj.pk, upheld=True, resolution="已核实更正",
        corrected_value="0.4500",
    )  # fmt: skip
    run_pending_tasks()
    assert Match.objects.get(policy=energy, enterprise=env["good"]).verdict == "eligible"
    assert Notification.objects.filter(event_key=f"policy-objection:{obj.pk}").exists()


def test_library_search_with_jieba(env: dict[str, Any]) -> None:
    services.policy_create(actor=env["ops"], data=policy_data())
    services.policy_create(
        actor=env["ops"], data=policy_data(title="境外展会展位费补助", full_text="展位费补助70%")
    )
    titles = [p.title for p in selectors.policy_search(user=env["ops"], query="研发费用")]
    assert titles == ["柯城区高新技术企业研发费用补助"]
    assert len(selectors.policy_search(user=env["ops"], query="补助")) == 2
    with pytest.raises(PermissionDeniedError):
        selectors.policy_search(user=env["good_user"])


def test_near_miss_report(env: dict[str, Any]) -> None:
    policy = active_policy(env)
    rows = selectors.near_miss_report(policy=policy)
    by_label = {r["label"]: r for r in rows}
    # the weak enterprise misses only the R&D ratio; the untagged one only the tag
    assert by_label["研发投入占比"]["examples"] == ["衢州普通贸易有限公司"]
    assert by_label["企业标签"]["examples"] == ["衢州无标签有限公司"]


@pytest.mark.django_db(transaction=True)
def test_exactly_once_payout_under_concurrent_sweeps(reference_data: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (SQLite serialises writers)")
    from tests.policies.conftest import env as make_env

    env = make_env.__wrapped__(None)  # type: ignore[attr-defined]
    policy = active_policy(env, mode="automatic")
    services.match_sweep_run()
    Match.objects.filter(policy=policy, enterprise=env["good"]).update(status="confirmed")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            services.automatic_payouts_run(policy_id=policy.pk)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Payout.objects.filter(policy=policy, enterprise=env["good"]).count() == 1
    assert LedgerEntry.objects.filter(policy=policy, kind="commit").count() == 1
