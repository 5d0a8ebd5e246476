"""The case state machine: what each department may do to its task, and the one status the
enterprise sees. Pure: no ORM."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_noop

PENDING = "pending"
ACCEPTED = "accepted"
MORE_INFO = "more_info"
APPROVED = "approved"
REJECTED = "rejected"
FINAL = frozenset({APPROVED, REJECTED})

TASK_LABELS = {
    PENDING: gettext_noop("待受理"),
    ACCEPTED: gettext_noop("办理中"),
    MORE_INFO: gettext_noop("待补正"),
    APPROVED: gettext_noop("已办结"),
    REJECTED: gettext_noop("不予办理"),
}

CASE_SUBMITTED = "submitted"
CASE_IN_PROGRESS = "in_progress"
CASE_SUPPLEMENT = "supplement"
CASE_COMPLETED = "completed"
CASE_PARTIAL = "partial"
CASE_REJECTED = "rejected"
CASE_LABELS = {
    CASE_SUBMITTED: gettext_noop("已提交"),
    CASE_IN_PROGRESS: gettext_noop("办理中"),
    CASE_SUPPLEMENT: gettext_noop("待补正"),
    CASE_COMPLETED: gettext_noop("已办结"),
    CASE_PARTIAL: gettext_noop("部分办结"),
    CASE_REJECTED: gettext_noop("不予办理"),
}
CASE_OPEN = frozenset({CASE_SUBMITTED, CASE_IN_PROGRESS, CASE_SUPPLEMENT})

# action → states it may start from → state it leads to
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({PENDING}), ACCEPTED),
    "request_more": (frozenset({PENDING, ACCEPTED}), MORE_INFO),
    "answer": (frozenset({MORE_INFO}), ACCEPTED),
    "approve": (frozenset({PENDING, ACCEPTED}), APPROVED),
    "reject": (frozenset({PENDING, ACCEPTED}), REJECTED),
}


class TransitionError(ValueError):
    pass


def next_status(current: str, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if current not in sources:
        if current in FINAL:
            raise TransitionError(f"该事项已{TASK_LABELS[current]}，不能重复处理")
        raise TransitionError(f"事项当前为“{TASK_LABELS.get(current, current)}”，不能执行此操作")
    return target


def case_status(task_statuses: Iterable[str]) -> str:
    statuses = list(task_statuses)
    if not statuses:
        return CASE_SUBMITTED
    if any(s == MORE_INFO for s in statuses):
        return CASE_SUPPLEMENT
    if all(s in FINAL for s in statuses):
        if all(s == APPROVED for s in statuses):
            return CASE_COMPLETED
        if all(s == REJECTED for s in statuses):
            return CASE_REJECTED
        return CASE_PARTIAL
    if all(s == PENDING for s in statuses):
        return CASE_SUBMITTED
    return CASE_IN_PROGRESS


def progress(task_statuses: Iterable[str]) -> tuple[int, int]:
    statuses = list(task_statuses)
    return sum(1 for s in statuses if s in FINAL), len(statuses)
