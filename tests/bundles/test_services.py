"""The case state machine through the services: submit once, fan out, decide, supplement,
commitments, 歇业 "一键暂停" and resumption, and every bad input of the issue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.factories import staff
from tests.bundles.conftest import XIEYE_DATA, key, pdf, submit_xieye
from tests.enterprises.factories import EnterpriseFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.audit.models import AuditEvent
from zqt.bundles import selectors, services
from zqt.bundles import status as st
from zqt.bundles.models import (
    Bundle,
    Case,
    CaseEvent,
    CaseTask,
    CommitmentVerification,
    FalseCommitmentRecord,
)
from zqt.core.calendar import add_working_days
from zqt.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.timeutil import local_today
from zqt.enterprises.models import CreditRecord, Enterprise
from zqt.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _task(case: Case, item: str) -> CaseTask:
    return CaseTask.objects.get(case=case, item_code=item)


def test_submit_fans_out_to_departments_with_working_day_deadlines(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    tasks = list(case.tasks.order_by("item_code"))
    assert [t.department_code for t in tasks] == [
        "330802-market_regulation",
        "330802-taxation",
        "330802-human_resources",
    ]
    assert all(t.due_on == add_working_days(local_today(), 1) for t in tasks)
    assert case.status == st.CASE_SUBMITTED
    assert case.materials.count() == 3  # info_sheet shared by three items, uploaded once
    assert case.form_data["suspend_reason"] == "订单减少，短期休整"
    assert AuditEvent.objects.filter(action="bundle.case_submit", object_id=case.number).exists()


def test_form_is_union_of_fields_and_prefilled_from_registry(env: dict[str, Any]) -> None:
    _, _, _, form, values = services.case_form_for_user(
        user=env["user"], bundle_code="LXIEYE", uscc=env["enterprise"].uscc, items=["XY01", "XY03"]
    )
    keys = [f["key"] for f in form.fields]
    assert (
        "suspend_reason" in keys and "staff_arrangement" in keys and "housing_fund_plan" not in keys
    )
    assert len(keys) == len(set(keys))
    assert values["enterprise_name"] == "衢州歇业测试有限公司"
    assert values["uscc"] == env["enterprise"].uscc
    assert values["employees"] == "50"
    assert [m["key"] for m in form.materials] == ["application", "info_sheet"]
    assert form.used_by["info_sheet"] == ["市场主体歇业备案", "社会保险参保变更及失业登记"]


def test_three_approvals_complete_case_suspend_enterprise_and_resume(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    services.task_decide(user=env["market"], task_id=_task(case, "XY01").pk, action="accept")
    services.task_decide(
        user=env["market"],
        task_id=_task(case, "XY01").pk,
        action="approve",
        result_number="柯市监歇备〔2026〕1号",
    )
    assert Case.objects.get(pk=case.pk).status == st.CASE_IN_PROGRESS
    services.task_decide(user=env["tax"], task_id=_task(case, "XY02").pk, action="approve")
    services.task_decide(user=env["hr"], task_id=_task(case, "XY03").pk, action="approve")
    case.refresh_from_db()
    assert case.status == st.CASE_COMPLETED and case.completed_at is not None
    assert Enterprise.objects.get(pk=env["enterprise"].pk).status == "suspended"
    assert case.prior_enterprise_status == "existing"
    # The registry change is recorded as the last approving reviewer's decision, with the case.
    change = AuditEvent.objects.get(
        action="enterprise.status_set", object_id=env["enterprise"].uscc
    )
    assert change.actor_id == env["hr"].pk and case.number in change.purpose
    note = Notification.objects.get(
        recipient=env["user"], event_key=f"bundle:{case.number}:completed"
    )
    assert "歇业备案通知书" in note.body
    view = selectors.case_view(case=case, user=env["user"])
    assert len(view.results) == 3 and view.can_resume
    assert _task(case, "XY01").result_number == "柯市监歇备〔2026〕1号"
    services.case_resume(user=env["user"], number=case.number)
    assert Enterprise.objects.get(pk=env["enterprise"].pk).status == "existing"
    with pytest.raises(ConflictError):
        services.case_resume(user=env["user"], number=case.number)


def test_rejection_with_reason_gives_partial_result(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    with pytest.raises(ValidationFailed) as exc:
        services.task_decide(user=env["tax"], task_id=_task(case, "XY02").pk, action="reject")
    assert exc.value.field == "reason"
    services.task_decide(
        user=env["tax"], task_id=_task(case, "XY02").pk, action="reject", reason="存在未结清税款"
    )
    services.task_decide(user=env["market"], task_id=_task(case, "XY01").pk, action="approve")
    services.task_decide(user=env["hr"], task_id=_task(case, "XY03").pk, action="approve")
    case.refresh_from_db()
    assert case.status == st.CASE_PARTIAL
    assert _task(case, "XY02").reason == "存在未结清税款"


def test_request_more_is_answered_once_for_all_departments(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    services.task_decide(
        user=env["market"],
        task_id=_task(case, "XY01").pk,
        action="request_more",
        reason="申请书缺少法定代表人签字",
    )
    services.task_decide(
        user=env["hr"],
        task_id=_task(case, "XY03").pk,
        action="request_more",
        reason="采集表员工人数与申报不一致",
    )
    case.refresh_from_db()
    assert case.status == st.CASE_SUPPLEMENT
    assert Notification.objects.filter(recipient=env["user"], title__contains="补正").exists()
    with pytest.raises(ValidationFailed):
        services.case_supplement_answer(user=env["user"], number=case.number, message="")
    services.case_supplement_answer(
        user=env["user"],
        number=case.number,
        message="已签字并更正人数",
        files={"application": pdf("申请书-补正.pdf"), "info_sheet": pdf("采集表-补正.pdf")},
    )
    case.refresh_from_db()
    assert case.status == st.CASE_IN_PROGRESS
    assert {_task(case, "XY01").status, _task(case, "XY03").status} == {st.ACCEPTED}
    assert case.materials.filter(round=1).count() == 2
    with pytest.raises(ConflictError):
        services.case_supplement_answer(user=env["user"], number=case.number, message="again")


def test_informed_commitment_creates_verification_and_false_is_recorded(
    env: dict[str, Any],
) -> None:
    case = submit_xieye(
        env, files={"application": pdf(), "info_sheet": pdf()}, commitments=["debt_statement"]
    )
    material = case.materials.get(key="debt_statement")
    assert material.commitment and not material.file
    row = CommitmentVerification.objects.get(case=case)
    assert row.department_code == "330802-taxation"
    assert row.due_on == add_working_days(local_today(), 20)
    with pytest.raises(NotFoundError):  # another department may not decide it
        services.commitment_verify(
            user=env["market"], verification_id=row.pk, truthful=True, note=""
        )
    with pytest.raises(ValidationFailed):
        services.commitment_verify(user=env["tax"], verification_id=row.pk, truthful=False, note="")
    services.commitment_verify(
        user=env["tax"], verification_id=row.pk, truthful=False, note="核查发现尚有未清偿债务"
    )
    record = FalseCommitmentRecord.objects.get(verification=row)
    assert record.enterprise_id == env["enterprise"].pk
    assert "告知承诺不实" in record.title
    # ...and it is in the registry's credit records, which the rest of the platform reads.
    credit = CreditRecord.objects.get(enterprise=env["enterprise"], kind="bad")
    assert "告知承诺不实" in credit.title and credit.source_department == row.department_name
    with pytest.raises(ConflictError):
        services.commitment_verify(user=env["tax"], verification_id=row.pk, truthful=True, note="")


def test_commitment_only_where_the_bundle_allows_it(env: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        submit_xieye(
            env, files={"info_sheet": pdf(), "debt_statement": pdf()}, commitments=["application"]
        )
    assert any("不适用告知承诺制" in e["message"] for e in exc.value.errors)
    assert not Case.objects.exists()


# --- bad input -------------------------------------------------------------------------------


def test_missing_field_and_material_report_everything_and_write_nothing(
    env: dict[str, Any],
) -> None:
    data = {
        **XIEYE_DATA,
        "uscc": env["enterprise"].uscc,
        "suspend_reason": "",
        "contact_phone": "abc",
    }
    with pytest.raises(ValidationFailed) as exc:
        submit_xieye(env, data=data, files={"info_sheet": pdf()})
    fields = {e["field"] for e in exc.value.errors}
    assert {
        "suspend_reason",
        "contact_phone",
        "material_application",
        "material_debt_statement",
    } <= fields
    assert "请填写“歇业原因”" in [e["message"] for e in exc.value.errors]
    assert not Case.objects.exists() and not CaseTask.objects.exists()


def test_wrong_file_type_and_disguised_file_are_refused(env: dict[str, Any]) -> None:
    exe = SimpleUploadedFile("申请书.exe", b"MZ\x90\x00")
    with pytest.raises(ValidationFailed) as exc:
        submit_xieye(env, files={"application": exe, "info_sheet": pdf(), "debt_statement": pdf()})
    assert "文件类型不正确" in exc.value.message
    fake = SimpleUploadedFile("申请书.pdf", b"not really a pdf")
    with pytest.raises(ValidationFailed):
        submit_xieye(env, files={"application": fake, "info_sheet": pdf(), "debt_statement": pdf()})
    assert not Case.objects.exists()


def test_file_too_large_is_refused(env: dict[str, Any]) -> None:
    big = SimpleUploadedFile("申请书.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as exc:
        submit_xieye(env, files={"application": big, "info_sheet": pdf(), "debt_statement": pdf()})
    assert "文件过大" in exc.value.message
    assert not Case.objects.exists()


def test_duplicate_submission_returns_the_same_case(env: dict[str, Any]) -> None:
    k = key()
    first = submit_xieye(env, idempotency_key=k)
    again = submit_xieye(env, idempotency_key=k)
    assert again.pk == first.pk
    assert Case.objects.count() == 1 and CaseTask.objects.count() == 3
    with pytest.raises(ValidationFailed):
        submit_xieye(env, idempotency_key="")


def test_department_deciding_twice_is_a_conflict(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    task = _task(case, "XY01")
    services.task_decide(user=env["market"], task_id=task.pk, action="approve")
    with pytest.raises(ConflictError) as exc:
        services.task_decide(user=env["market"], task_id=task.pk, action="reject", reason="x")
    assert "不能重复处理" in exc.value.message
    assert CaseEvent.objects.filter(case=case, kind="approved").count() == 1


def test_stale_second_decision_is_refused(env: dict[str, Any]) -> None:
    """Racing decisions are serialised: the decision re-reads the task under a row lock inside
    its transaction, so the second of two racing decisions sees the first and is refused."""
    case = submit_xieye(env)
    task = _task(case, "XY02")
    # Simulate the race: the page showed "pending" to two officers; the first wins.
    stale_status = task.status
    services.task_decide(user=env["tax"], task_id=task.pk, action="approve")
    assert stale_status == st.PENDING
    with pytest.raises(ConflictError):
        services.task_decide(user=env["tax"], task_id=task.pk, action="approve")
    assert _task(case, "XY02").decided_by_id == env["tax"].pk


def test_other_enterprise_cannot_see_or_act_on_a_case(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    other = enterprise_user(EnterpriseFactory(name="别家企业"))
    with pytest.raises(NotFoundError):
        selectors.case_get_for_user(user=other, number=case.number)
    with pytest.raises(NotFoundError):
        services.case_supplement_answer(user=other, number=case.number, message="x")
    with pytest.raises(NotFoundError):  # submitting for another enterprise
        submit_xieye({**env, "user": other})
    assert AuditEvent.objects.filter(action="bundle.case_view", outcome="denied").exists()


def test_reviewer_of_another_department_or_role_cannot_decide(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    with pytest.raises(NotFoundError):
        services.task_decide(user=env["tax"], task_id=_task(case, "XY01").pk, action="approve")
    with pytest.raises(PermissionDeniedError):
        services.task_decide(user=env["user"], task_id=_task(case, "XY01").pk, action="approve")
    desk = staff(Role.FRONT_DESK)
    with pytest.raises(PermissionDeniedError):
        services.task_decide(user=desk, task_id=_task(case, "XY01").pk, action="approve")


def test_front_desk_applies_on_behalf_within_its_area_only(env: dict[str, Any]) -> None:
    desk = staff(Role.FRONT_DESK)
    case = submit_xieye(env, user=desk)
    assert case.applicant_role == Role.FRONT_DESK
    # The enterprise's own accounts hear about a case a desk filed for it.
    services.task_decide(user=env["market"], task_id=_task(case, "XY01").pk, action="reject",
                         reason="材料不符")  # fmt: skip
    services.task_decide(user=env["tax"], task_id=_task(case, "XY02").pk, action="reject",
                         reason="材料不符")  # fmt: skip
    services.task_decide(user=env["hr"], task_id=_task(case, "XY03").pk, action="reject",
                         reason="材料不符")  # fmt: skip
    assert Notification.objects.filter(
        recipient=env["user"], event_key__startswith=f"bundle:{case.number}:"
    ).exists()
    from tests.accounts.factories import county

    hz_desk = staff(Role.FRONT_DESK, org_unit=county("330102", "上城区", "330100"))
    with pytest.raises(NotFoundError):
        submit_xieye(env, user=hz_desk)


def test_overdue_visible_to_owner_and_chief_commissioner(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    CaseTask.objects.filter(case=case, item_code="XY02").update(
        due_on=local_today() - dt.timedelta(days=3)
    )
    chief = staff(Role.CHIEF_COMMISSIONER)
    assert [t.item_code for t in selectors.overdue_tasks(user=env["user"])] == ["XY02"]
    assert [t.item_code for t in selectors.overdue_tasks(user=chief)] == ["XY02"]
    with pytest.raises(PermissionDeniedError):
        selectors.overdue_tasks(user=env["tax"])
    view = selectors.case_view(case=case, user=env["user"])
    assert view.overdue_count == 1


def test_definition_edit_is_versioned_and_in_flight_cases_keep_theirs(env: dict[str, Any]) -> None:
    case = submit_xieye(env)
    ops = staff(Role.OPERATIONS)
    bundle = Bundle.objects.get(code="LXIEYE")
    doc = selectors.definition_current(bundle=bundle).document  # type: ignore[union-attr]
    doc = {**doc, "items": [{**i, "deadline_days": 3} for i in doc["items"]]}
    row = services.bundle_definition_save(
        user=ops, bundle_code="LXIEYE", document=doc, note="延长时限"
    )
    assert row.version == 2
    assert Case.objects.get(pk=case.pk).definition.version == 1
    newer = submit_xieye(env)
    assert newer.definition.version == 2
    assert _task(newer, "XY01").due_on == add_working_days(local_today(), 3)
    with pytest.raises(ValidationFailed):
        services.bundle_definition_save(user=ops, bundle_code="LXIEYE", document="{not json")
    with pytest.raises(ValidationFailed):
        services.bundle_definition_save(user=ops, bundle_code="LXIEYE", document={"items": []})
    with pytest.raises(PermissionDeniedError):
        services.bundle_definition_save(user=env["tax"], bundle_code="LXIEYE", document=doc)


def test_unconfigured_bundle_and_unknown_items_are_refused(env: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        submit_xieye(env, bundle_code="B0503")
    assert "尚未开通" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        submit_xieye(env, items=[])
    assert exc.value.field == "items"
    with pytest.raises(ValidationFailed):
        submit_xieye(env, items=["KB01"])


def test_items_go_to_their_department_and_utilities_through_the_service_centre(
    env: dict[str, Any],
) -> None:
    case = submit_xieye(env, items=["XY04"], files={"info_sheet": pdf()})
    task = _task(case, "XY04")
    assert task.department_code == "330802-medical_insurance" and not task.routed_via_centre
    assert task.department_name == "医疗保障局"
    unit = env["enterprise"].region_code
    from zqt.accounts.models import OrgUnit

    org_unit = OrgUnit.objects.get(code=unit)
    available = {f"{unit}-medical_insurance", f"{unit}-service_centre"}
    assert services.route(org_unit=org_unit, department="power_supply", available=available) == (
        f"{unit}-service_centre",
        True,
    )
