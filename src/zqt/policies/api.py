"""JSON API for 惠企政策, mounted at /api/v1/policies/ (see zqt.config.api). Thin: rules live in
selectors/services; DomainErrors become {"code","message","field","errors"} 4xx."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from zqt.enterprises.schemas import ErrorOut
from zqt.policies import catalog as cat
from zqt.policies import selectors, services
from zqt.policies.models import Policy

router = Router(tags=["惠企政策"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PolicyOut(Schema):
    id: int
    code: str
    title: str
    issuer: str
    document_number: str
    effective_from: str
    effective_until: str
    region_prefix: str
    mode: str
    status: str
    benefit: str
    budget: str


class PolicyIn(Schema):
    title: str
    issuer: str
    department: str
    document_number: str
    effective_from: str
    effective_until: str
    full_text: str
    summary: str = ""
    region_prefix: str
    mode: str
    benefit_kind: str
    benefit_amount: str = ""
    benefit_rate: str = ""
    benefit_base_field: str = ""
    benefit_cap: str = ""
    budget: str
    period: str


class RuleIn(Schema):
    document: dict[str, Any]
    examples: list[dict[str, Any]]
    note: str = ""


class DecideIn(Schema):
    approve: bool
    note: str = ""


class ReviewIn(Schema):
    decision: str
    reason: str = ""


class ApplyIn(Schema):
    uscc: str | None = None
    form_data: dict[str, str] = {}
    materials_note: str = ""


class ObjectionIn(Schema):
    uscc: str | None = None
    condition_path: str
    message: str
    claimed_value: str = ""


class FactIn(Schema):
    uscc: str
    field: str
    value: Any
    as_of: str
    source: str = ""


def _policy(p: Policy) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "title": p.title,
        "issuer": p.issuer,
        "document_number": p.document_number,
        "effective_from": p.effective_from.isoformat(),
        "effective_until": p.effective_until.isoformat(),
        "region_prefix": p.region_prefix,
        "mode": p.mode,
        "status": p.status,
        "benefit": selectors.benefit_text(p),
        "budget": f"{p.budget:.2f}",
    }


def _view(v: selectors.MatchView) -> dict[str, Any]:
    return {
        "policy": _policy(v.policy),
        "status": v.match.status,
        "expected_amount": f"{v.amount:.2f}" if v.amount is not None else None,
        "explanation": v.evaluation.as_json(),
        "payout": (
            {"amount": f"{v.payout.amount:.2f}", "status": v.payout.status} if v.payout else None
        ),
        "application": (
            {"number": v.application.number, "status": v.application.status}
            if v.application
            else None
        ),
    }


@router.get("/", response={200: list[PolicyOut], **ERRORS}, summary="政策库检索（结巴分词）")
def policy_list(request: HttpRequest, q: str = "", mode: str = "", status: str = "") -> Any:
    return [
        _policy(p)
        for p in selectors.policy_search(user=request.user, query=q, mode=mode, status=status)
    ]


@router.post("/", response={201: PolicyOut, **ERRORS}, summary="录入政策")
def policy_create(request: HttpRequest, payload: PolicyIn) -> Any:
    return Status(201, _policy(services.policy_create(actor=request.user, data=payload.dict())))


@router.get("/catalog", response={200: list[dict[str, Any]]}, summary="字段目录")
def field_catalog(request: HttpRequest) -> Any:
    return [
        {
            "name": f.name,
            "label": f.label,
            "kind": f.kind,
            "unit": f.unit,
            "source": f.source,
            "origin": f.origin,
            "max_age_days": f.max_age_days,
            "choices": list(f.choices),
        }
        for f in cat.FIELDS.values()
    ]


@router.get("/mine", response={200: list[dict[str, Any]], **ERRORS}, summary="可享受的政策")
def mine(request: HttpRequest, uscc: str | None = None) -> Any:
    enterprise = selectors.enterprise_for_policies(user=request.user, uscc=uscc)
    return [_view(v) for v in selectors.matches_for_enterprise(enterprise=enterprise)]


@router.get("/mine/{policy_id}", response={200: dict[str, Any], **ERRORS}, summary="逐条说明")
def mine_one(request: HttpRequest, policy_id: int, uscc: str | None = None) -> Any:
    return _view(selectors.match_get_for_user(user=request.user, policy_id=policy_id, uscc=uscc))


@router.post("/mine/{policy_id}/apply", response={201: dict[str, Any], **ERRORS}, summary="申报")
def apply(request: HttpRequest, policy_id: int, payload: ApplyIn) -> Any:
    app = services.application_submit(
        actor=request.user,
        policy_id=policy_id,
        form_data=payload.form_data,
        materials_note=payload.materials_note,
        uscc=payload.uscc,
    )
    return Status(201, {"number": app.number, "status": app.status})


@router.post(
    "/mine/{policy_id}/confirm", response={201: dict[str, Any], **ERRORS}, summary="意愿确认"
)
def confirm(request: HttpRequest, policy_id: int, uscc: str | None = None) -> Any:
    payout = services.match_confirm(actor=request.user, policy_id=policy_id, uscc=uscc)
    return Status(
        201,
        {
            "amount": f"{payout.amount:.2f}",
            "status": payout.status,
            "pay_after": payout.pay_after.isoformat(),
        },
    )


@router.post(
    "/mine/{policy_id}/objections", response={201: dict[str, Any], **ERRORS}, summary="异议"
)
def objection(request: HttpRequest, policy_id: int, payload: ObjectionIn) -> Any:
    obj = services.objection_file(
        actor=request.user,
        policy_id=policy_id,
        condition_path=payload.condition_path,
        message=payload.message,
        claimed_value=payload.claimed_value,
        uscc=payload.uscc,
    )
    return Status(
        201,
        {
            "number": obj.number,
            "due_on": obj.due_on.isoformat(),
            "department": obj.department.name,
        },
    )


@router.post("/facts", response={201: dict[str, Any], **ERRORS}, summary="部门报送企业数据")
def fact(request: HttpRequest, payload: FactIn) -> Any:
    row = services.fact_record(
        actor=request.user,
        uscc=payload.uscc,
        field=payload.field,
        value=payload.value,
        as_of=payload.as_of,
        source=payload.source,
    )
    return Status(201, {"field": row.field, "value": row.value, "as_of": row.as_of.isoformat()})


@router.post(
    "/applications/{application_id}/decide",
    response={200: dict[str, Any], **ERRORS},
    summary="部门审核申报",
)
def decide(request: HttpRequest, application_id: int, payload: ReviewIn) -> Any:
    app = services.application_decide(
        actor=request.user,
        application_id=application_id,
        decision=payload.decision,
        reason=payload.reason,
    )
    return {"number": app.number, "status": app.status}


@router.get("/evaluation", response={200: list[dict[str, Any]], **ERRORS}, summary="政策评估")
def evaluation(request: HttpRequest) -> Any:
    rows = selectors.policy_evaluation_rows(user=request.user)
    return [
        {
            **{k: v for k, v in r.items() if k != "policy"},
            "policy": r["policy"].code,
            "amount": f"{r['amount']:.2f}",
        }
        for r in rows
    ]


@router.get("/{policy_id}", response={200: PolicyOut, **ERRORS}, summary="政策详情")
def policy_get(request: HttpRequest, policy_id: int) -> Any:
    return _policy(selectors.policy_get_for_user(user=request.user, policy_id=policy_id))


@router.post("/{policy_id}/rules", response={201: dict[str, Any], **ERRORS}, summary="提交规则")
def rule_submit(request: HttpRequest, policy_id: int, payload: RuleIn) -> Any:
    v = services.rule_version_submit(
        actor=request.user,
        policy_id=policy_id,
        document=payload.document,
        examples=payload.examples,
        note=payload.note,
    )
    return Status(
        201, {"id": v.pk, "version": v.version, "fields_read": v.fields_read, "status": v.status}
    )


@router.post(
    "/rules/{version_id}/decide", response={200: dict[str, Any], **ERRORS}, summary="审核发布规则"
)
def rule_decide(request: HttpRequest, version_id: int, payload: DecideIn) -> Any:
    v = services.rule_version_decide(
        actor=request.user, version_id=version_id, approve=payload.approve, note=payload.note
    )
    return {"id": v.pk, "version": v.version, "status": v.status}


@router.post("/{policy_id}/run", response={202: dict[str, Any], **ERRORS}, summary="运行匹配")
def run(request: HttpRequest, policy_id: int) -> Any:
    services.matching_start(actor=request.user, policy_id=policy_id)
    return Status(202, {"queued": True})
