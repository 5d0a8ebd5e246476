from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from zqt.accounts.decorators import staff_required
from zqt.accounts.enums import Role
from zqt.audit.models import AuditOutcome
from zqt.audit.selectors import audit_event_search
from zqt.core.errors import ValidationFailed

PAGE_SIZE = 50


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("操作人用户名"), max_length=150, required=False)
    action = forms.CharField(
        label=_("操作"),
        max_length=64,
        required=False,
        help_text=_("按前缀匹配，如 enterprise."),
    )
    object_id = forms.CharField(label=_("对象标识"), max_length=64, required=False)
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(
        label=_("结果"),
        required=False,
        choices=[("", _("全部")), *((v, _(label)) for v, label in AuditOutcome.choices)],
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


@require_GET
@staff_required("audit.search")
def audit_search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    result = None
    error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = audit_event_search(
                user=request.user,  # type: ignore[arg-type]
                actor_username=data["actor"],
                action=data["action"],
                object_id=data["object_id"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                outcome=data["outcome"],
                page=data["page"] or 1,
                page_size=PAGE_SIZE,
            )
        except ValidationFailed as exc:
            error = exc.message
    elif not form.is_bound:
        result = audit_event_search(user=request.user, page=1, page_size=PAGE_SIZE)  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "error": error,
        "rows": [],
    }
    if result is not None:
        labels = dict(Role.choices)
        context["rows"] = [
            {"event": event, "role_label": labels.get(event.actor_role, event.actor_role)}
            for event in result.items
        ]
        context["prev_query"] = _page_query(request, result.page - 1) if result.page > 1 else None
        context["next_query"] = _page_query(request, result.page + 1) if result.has_next else None
    return render(request, "audit/search.html", context)


def _page_query(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return query.urlencode()
