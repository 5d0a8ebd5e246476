from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_noop

from zqt.accounts.permissions import role_can

# (label, url name, capability or None for everyone signed in). Labels are marked with
# gettext_noop and translated by base.html ({% translate item.label %}).
MENU: list[tuple[str, str, str | None]] = [
    (gettext_noop("企业检索"), "enterprises:search", "enterprise.search"),
    (gettext_noop("企业导入"), "enterprises:import", "enterprise.import"),
    (gettext_noop("企业空间"), "space:home", "space.view"),
    # Enterprise code (issue 3)
    (gettext_noop("企业码"), "ecode:home", "ecode.view_own"),
    (gettext_noop("扫码检查"), "ecode:inspect", "ecode.inspect"),
    (gettext_noop("扫码办事"), "ecode:desk", "ecode.prefill"),
    (gettext_noop("企业码统计"), "ecode:stats", "ecode.stats"),
    # Service list and bundles (issue 4)
    (gettext_noop("服务清单"), "catalog:browse", None),
    (gettext_noop("一类事"), "bundles:browse", None),
    (gettext_noop("我的办件"), "bundles:case_list", "bundle.case_view"),
    (gettext_noop("为你推荐"), "bundles:recommend", "recommendation.view"),
    (gettext_noop("清单管理"), "catalog:manage", "catalog.manage"),
    # Appeals (issue 6)
    (gettext_noop("企业诉求"), "appeals:home", "appeal.view"),
    (gettext_noop("诉求周报"), "appeals:report", "appeal.report"),
    (gettext_noop("工作日历维护"), "appeals:calendar", "appeal.calendar"),
    # Policies (issue 5)
    (gettext_noop("惠企政策"), "policies:library", "policy.view"),
    (gettext_noop("可享受的政策"), "policies:mine", "policy.my_view"),
    (gettext_noop("政策兑现审核"), "policies:review_queue", "policy.review"),
    (gettext_noop("政策评估"), "policies:evaluation", "policy.evaluate"),
    # Supervision and credit (issue 7)
    (gettext_noop("双随机抽查"), "supervision:home", "supervision.view"),
    (gettext_noop("现场检查"), "supervision:inspect", "supervision.inspect"),
    (gettext_noop("信用评价"), "credit:home", "credit.view"),
    (gettext_noop("我的信用"), "credit:mine", "credit.view_own"),
    (gettext_noop("风险预警"), "credit:warnings", "risk.handle"),
    (gettext_noop("中介管理"), "credit:intermediaries", "intermediary.manage"),
    (gettext_noop("中介积分"), "credit:agent_home", "intermediary.exam"),
    (gettext_noop("消息"), "notifications:inbox", None),
    (gettext_noop("审计查询"), "audit:search", "audit.search"),
]


def menu_for(user: Any) -> list[dict[str, str]]:
    if user is None or not user.is_authenticated:
        return []
    items = []
    for label, url_name, capability in MENU:
        if capability is not None and not role_can(user.role, capability):
            continue
        try:
            items.append({"label": label, "url": reverse(url_name)})
        except NoReverseMatch:
            continue
    return items
