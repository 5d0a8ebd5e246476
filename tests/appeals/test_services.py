"""Services of 企业诉求: intake, routing, clocks, answer, rating, callbacks, reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zqt.appeals import services
from zqt.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealEvent,
    Callback,
    RatingReview,
    StageClock,
)
from zqt.appeals.selectors import appeal_detail, similar_open_appeals
from zqt.appeals.states import InvalidTransition
from zqt.audit.models import AuditEvent
from zqt.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed

pytestmark = pytest.mark.django_db


def submit(c, **kw):  # type: ignore[no-untyped-def]
    data = {
        "user": c.company,
        "title": "厂房施工许可",
        "content": "新建厂房项目施工许可迟迟没有批下来",
    }
    data.update(kw)
    return services.appeal_submit(**data)


def routed(c, **kw):  # type: ignore[no-untyped-def]
    appeal, _ = submit(c)
    args = {
        "board_code": "project",
        "appeal_type": "help",
        "scope": "point",
        "difficulty": "complex",
    }
    args.update(kw)
    return services.appeal_route(user=c.desk, appeal_id=appeal.pk, **args)


def test_enterprise_submits_with_attachment_and_suggestion(c) -> None:  # type: ignore[no-untyped-def]
    pdf = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    appeal, created = submit(c, attachments=[pdf], idempotency_key="k1")
    assert created and appeal.status == "submitted" and appeal.channel == "online"
    assert appeal.suggested_board_code == "project"
    assert AppealAttachment.objects.filter(appeal=appeal).count() == 1
    assert StageClock.objects.filter(appeal=appeal, stage="accept").count() == 1
    again, created_again = submit(c, idempotency_key="k1")
    assert again.pk == appeal.pk and created_again is False
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"title": ""}, "title"),
        ({"content": "字" * 5001}, "content"),
        ({"attachments": [SimpleUploadedFile("x.exe", b"MZ")]}, "attachments"),
        ({"appeal_type": "nonsense"}, "appeal_type"),
    ],
)
def test_bad_input_writes_nothing(c, kw, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        submit(c, **kw)
    assert err.value.field == field
    assert Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0


def test_window_intake_by_uscc_is_accepted_on_the_spot(c) -> None:  # type: ignore[no-untyped-def]
    appeal, _ = services.appeal_submit(
        user=c.desk,
        uscc=c.enterprise.uscc,
        title="融资",
        content="流动资金紧张需要银行贷款",
        channel="hotline",
    )
    assert appeal.status == "accepted" and appeal.channel == "hotline"


def test_route_assigns_board_handler_and_three_day_clock(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    assert appeal.status == "assigned" and appeal.handler == c.handler
    clock = StageClock.objects.get(appeal=appeal, stage="handle")
    assert clock.tier == "three_days" and clock.due_at is not None
    assert not StageClock.objects.filter(appeal=appeal, stage="accept", stopped_at__isnull=True)


def test_handler_outside_board_is_refused_and_audited(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    with pytest.raises(PermissionDeniedError):
        services.appeal_answer(
            user=c.other_handler, appeal_id=appeal.pk, resolution_type="solved", text="好了"
        )
    assert AuditEvent.objects.filter(action="appeal.handle", outcome="denied").exists()
    assert Appeal.objects.get(pk=appeal.pk).status == "assigned"


def test_other_enterprise_cannot_see_or_rate(c) -> None:  # type: ignore[no-untyped-def]
    from tests.enterprises.factories import EnterpriseFactory, enterprise_user

    appeal = routed(c)
    stranger = enterprise_user(EnterpriseFactory())
    with pytest.raises(NotFoundError):
        services.appeal_rate(user=stranger, appeal_id=appeal.pk, score="good")


def test_full_loop_answer_rate_close_and_rating_rules(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    with pytest.raises(ConflictError):
        services.appeal_rate(user=c.company, appeal_id=appeal.pk, score="good")
    services.appeal_start(user=c.handler, appeal_id=appeal.pk)
    services.appeal_note_add(user=c.handler, appeal_id=appeal.pk, text="内部：已联系住建")
    services.appeal_answer(
        user=c.handler,
        appeal_id=appeal.pk,
        resolution_type="solved",
        text="已协调住建局，本周内发证。",
    )
    services.appeal_rate(user=c.company, appeal_id=appeal.pk, score="good", comment="很快")
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.resolution_type == "solved"
    with pytest.raises(ConflictError):
        services.appeal_rate(user=c.company, appeal_id=appeal.pk, score="bad", comment="x")
    detail = appeal_detail(appeal=appeal, user=c.company)
    assert all(not e.internal for e in detail["timeline"])
    assert any(e.internal for e in appeal_detail(appeal=appeal, user=c.handler)["timeline"])


def test_invalid_transition_is_refused(c) -> None:  # type: ignore[no-untyped-def]
    appeal, _ = submit(c)
    with pytest.raises(InvalidTransition):
        services.appeal_confirm(user=c.company, appeal_id=appeal.pk)


def test_pause_and_resume_extend_without_restarting(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    clock = StageClock.objects.get(appeal=appeal, stage="handle")
    started = clock.started_at
    services.appeal_pause(user=c.handler, appeal_id=appeal.pk, request="请提供土地证复印件")
    clock.refresh_from_db()
    assert clock.due_at is None and clock.paused_at is not None
    services.appeal_resume(user=c.company, appeal_id=appeal.pk, reply="已上传")
    clock.refresh_from_db()
    assert clock.started_at == started and clock.due_at is not None and clock.paused_at is None
    assert AuditEvent.objects.filter(action="appeal.clock_recompute").exists()


def test_extension_granted_by_board_lead(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c)
    before = StageClock.objects.get(appeal=appeal, stage="handle").due_at
    ext = services.extension_request(
        user=c.handler, appeal_id=appeal.pk, days=2, reason="需现场踏勘"
    )
    with pytest.raises(PermissionDeniedError):
        services.extension_decide(user=c.handler, extension_id=ext.pk, grant=True)
    services.extension_decide(user=c.leader, extension_id=ext.pk, grant=True)
    clock = StageClock.objects.get(appeal=appeal, stage="handle")
    assert clock.extension_days == 2 and clock.due_at > before


def test_bad_rating_review_rectify_and_callback_not_solved_reopens(c) -> None:  # type: ignore[no-untyped-def]
    appeal = routed(c, appeal_type="complaint")
    services.appeal_answer(
        user=c.handler, appeal_id=appeal.pk, resolution_type="explained", text="已解释政策"
    )
    services.appeal_rate(user=c.company, appeal_id=appeal.pk, score="bad", comment="没解决")
    review = RatingReview.objects.get(rating__appeal=appeal)
    services.rating_review_contest(user=c.handler, review_id=review.pk, statement="已按规定答复")
    with pytest.raises(PermissionDeniedError):
        services.rating_review_decide(user=c.handler, review_id=review.pk, valid=True, note="x")
    services.rating_review_decide(user=c.office, review_id=review.pk, valid=True, note="答复不到位")
    services.rating_review_rectify(user=c.handler, review_id=review.pk, text="重新上门服务")
    # Complaint: callback at 100%, plus the review callback.
    reasons = set(Callback.objects.filter(appeal=appeal).values_list("reason", flat=True))
    assert reasons == {"complaint", "review"}
    callback = Callback.objects.get(appeal=appeal, reason="complaint")
    with pytest.raises(PermissionDeniedError):
        services.callback_record(user=c.handler, callback_id=callback.pk, result="solved")
    services.callback_record(
        user=c.desk, callback_id=callback.pk, result="not_solved", note="企业称仍未解决"
    )
    appeal.refresh_from_db()
    assert appeal.status == "reopened" and appeal.reopen_count == 1
    assert StageClock.objects.filter(
        appeal=appeal, stage="handle", stopped_at__isnull=True
    ).exists()


def test_similar_open_appeal_is_suggested_for_merge(c) -> None:  # type: ignore[no-untyped-def]
    first, _ = submit(c)
    second, _ = submit(c, title="施工许可", content="新建厂房项目施工许可一直没有批下来")
    similar = similar_open_appeals(
        enterprise_id=c.enterprise.pk, text=second.title + second.content, exclude_id=second.pk
    )
    assert [a.pk for a, _s in similar] == [first.pk]
    services.appeal_merge(user=c.desk, appeal_id=second.pk, into_id=first.pk)
    assert Appeal.objects.get(pk=second.pk).status == "merged"


def test_problem_class_resolution_notifies_linked_enterprises(c) -> None:  # type: ignore[no-untyped-def]
    from zqt.notifications.models import Notification

    a, _ = submit(c)
    b, _ = submit(c, title="验收", content="消防验收多次不通过需要指导")
    problem = services.problem_class_create(
        user=c.chief, title="厂房审批慢", appeal_ids=[a.pk, b.pk]
    )
    services.problem_class_resolve(
        user=c.chief, problem_class_id=problem.pk, resolution="推行工业项目“拿地即开工”"
    )
    assert Notification.objects.filter(
        recipient=c.company, event_key=f"problem-class:{problem.pk}:resolved"
    ).exists()
    assert dt.datetime  # keep import used
