"""Reads of the enterprise registry. Object access goes through ONE fetch-and-authorise function,
`enterprise_get_for_user`; lists go through `enterprise_queryset_for_user` / `enterprise_search`,
which are scoped the same way (see accounts/permissions.py for the rules).

Refusals raise NotFoundError (the object is outside the user's scope: 404, no existence leak) or
PermissionDeniedError (the role lacks the capability altogether: 403), and are audited with
outcome "denied". The audit row of a refusal is written before raising, so callers must not run
these inside a transaction they roll back on the error (services authorise BEFORE opening theirs).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Collate
from django.utils import timezone

from zqt.accounts.enums import Role
from zqt.accounts.models import OrgUnit, User
from zqt.accounts.permissions import is_staff_role, role_can
from zqt.accounts.scope import scope_prefix_for_code
from zqt.audit.models import AuditOutcome
from zqt.audit.services import audit_record
from zqt.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from zqt.core.identifiers import IdentifierError, mask_id_number, mask_name, validate_uscc
from zqt.core.timeutil import local_today
from zqt.enterprises.enums import CreditKind, EnterpriseStatus, LicenceStatus
from zqt.enterprises.licence_state import LicenceState, days_until_expiry, licence_state
from zqt.enterprises.models import (
    AgentAuthorisation,
    Enterprise,
    EnterpriseMembership,
    Industry,
    Licence,
)

AnyUser = User | AnonymousUser

# Reads that are recorded in the audit trail when staff, API clients or agents make them.
# (An enterprise reading its own data is not an access to someone else's data.)
AUDITED_READS = frozenset({"enterprise.view", "licence.view", "space.view"})

SEARCH_COUNT_CAP = 10_000
# A name search counts (and reads the keys of) at most this many substring matches.
NAME_COUNT_CAP = 2_000
SEARCH_MAX_PAGE_SIZE = 100
# OFFSET pagination reads and discards every earlier row; past this, narrow the query instead.
SEARCH_MAX_OFFSET = 10_000

# A USCC or a prefix of one (>= 6 characters): registration authority + type + region digits.
_USCC_PREFIX_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{4}[0-9A-HJ-NPQRTUWXY]{0,12}$")
_SECTION_RE = re.compile(r"^[A-T]$")
_NOT_FOUND_MESSAGE = "市场主体不存在或您无权查看。"


# --- who may see what ------------------------------------------------------------------------


def _is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", True))


def _role(user: Any) -> str:
    return str(getattr(user, "role", "") or "") if _is_signed_in(user) else ""


def _region_scoped(role: str) -> bool:
    """Government staff and API clients see enterprises by region."""
    return is_staff_role(role) or role == Role.API_CLIENT


def _scope_prefix(user: User) -> str | None:
    if user.org_unit_id is None:
        return None
    return user.org_unit.scope_prefix  # type: ignore[union-attr]


def _active_authorisations(*, agent: User, now: dt.datetime) -> QuerySet[AgentAuthorisation]:
    return AgentAuthorisation.objects.filter(
        agent_id=agent.pk, revoked_at__isnull=True, valid_from__lte=now, expires_at__gt=now
    )


def _agent_may(*, agent: User, enterprise_id: int, capability: str) -> bool:
    scopes_rows = (
        _active_authorisations(agent=agent, now=timezone.now())
        .filter(enterprise_id=enterprise_id)
        .values_list("scopes", flat=True)
    )
    # JSON containment is not portable to SQLite; an agent holds a handful of rows at most.
    return any(capability in (scopes or []) for scopes in scopes_rows)


def _within_scope(*, user: User, enterprise: Enterprise, capability: str) -> bool:
    role = user.role
    if _region_scoped(role):
        prefix = _scope_prefix(user)
        return prefix is not None and enterprise.region_code.startswith(prefix)
    if role == Role.ENTERPRISE:
        return EnterpriseMembership.objects.filter(
            user_id=user.pk, enterprise_id=enterprise.pk
        ).exists()
    if role == Role.AGENT:
        return _agent_may(agent=user, enterprise_id=enterprise.pk, capability=capability)
    return False


def _deny(
    *,
    user: AnyUser,
    capability: str,
    object_id: str,
    reason: str,
    purpose: str,
    ip_address: str | None,
    object_type: str = "enterprise",
) -> None:
    audit_record(
        actor=user,
        action=capability,
        object_type=object_type,
        object_id=object_id[:64],
        purpose=purpose,
        outcome=AuditOutcome.DENIED,
        changes={"reason": reason},
        ip_address=ip_address,
    )


def require_capability(
    *,
    user: AnyUser,
    capability: str,
    object_type: str = "enterprise",
    object_id: str = "",
    purpose: str = "",
    ip_address: str | None = None,
) -> User:
    """The signed-in user if their role holds `capability`; else audit and raise 403."""
    if not _is_signed_in(user):
        _deny(
            user=user,
            capability=capability,
            object_id=object_id,
            reason="anonymous",
            purpose=purpose,
            ip_address=ip_address,
            object_type=object_type,
        )
        raise PermissionDeniedError("请先登录。", code="unauthenticated")
    assert isinstance(user, User)
    if not role_can(user.role, capability):
        _deny(
            user=user,
            capability=capability,
            object_id=object_id,
            reason="no_capability",
            purpose=purpose,
            ip_address=ip_address,
            object_type=object_type,
        )
        raise PermissionDeniedError("您的角色没有此项操作权限。")
    return user


def enterprise_get_for_user(
    *,
    user: AnyUser,
    uscc: str,
    capability: str = "enterprise.view",
    purpose: str = "",
    ip_address: str | None = None,
) -> Enterprise:
    """THE fetch-and-authorise function for one enterprise.

    - the role must hold `capability` (else 403);
    - staff and API clients: the enterprise's region lies within their org unit;
      enterprise users: their own enterprise; agents: an active authorisation naming
      `capability` (else 404, as for a malformed or unknown USCC: no existence leak);
    - refusals are audited (outcome denied); reads in AUDITED_READS by anyone but the
      enterprise itself are audited with `purpose`.
    """
    raw = (uscc or "").strip()
    actor = require_capability(
        user=user, capability=capability, object_id=raw, purpose=purpose, ip_address=ip_address
    )
    try:
        code = validate_uscc(raw)
    except IdentifierError:
        _deny(
            user=actor,
            capability=capability,
            object_id=raw,
            reason="invalid_uscc",
            purpose=purpose,
            ip_address=ip_address,
        )
        raise NotFoundError(_NOT_FOUND_MESSAGE) from None
    enterprise = Enterprise.objects.filter(uscc=code).first()
    if enterprise is None or not _within_scope(
        user=actor, enterprise=enterprise, capability=capability
    ):
        _deny(
            user=actor,
            capability=capability,
            object_id=code,
            reason="not_found" if enterprise is None else "out_of_scope",
            purpose=purpose,
            ip_address=ip_address,
        )
        raise NotFoundError(_NOT_FOUND_MESSAGE)
    if capability in AUDITED_READS and actor.role != Role.ENTERPRISE:
        audit_record(
            actor=actor,
            action=capability,
            object_type="enterprise",
            object_id=code,
            purpose=purpose,
            ip_address=ip_address,
        )
    return enterprise


def licence_get_for_user(
    *,
    user: AnyUser,
    licence_id: int,
    capability: str = "licence.view",
    purpose: str = "",
    ip_address: str | None = None,
) -> Licence:
    """Fetch-and-authorise for one licence: its enterprise's rules (enterprise_get_for_user)."""
    actor = require_capability(
        user=user,
        capability=capability,
        object_type="licence",
        object_id=str(licence_id),
        purpose=purpose,
        ip_address=ip_address,
    )
    licence = Licence.objects.select_related("enterprise").filter(pk=licence_id).first()
    if licence is None or not _within_scope(
        user=actor, enterprise=licence.enterprise, capability=capability
    ):
        _deny(
            user=actor,
            capability=capability,
            object_type="licence",
            object_id=str(licence_id),
            reason="not_found" if licence is None else "out_of_scope",
            purpose=purpose,
            ip_address=ip_address,
        )
        raise NotFoundError("证照不存在或您无权查看。")
    if capability in AUDITED_READS and actor.role != Role.ENTERPRISE:
        audit_record(
            actor=actor,
            action=capability,
            object_type="licence",
            object_id=str(licence_id),
            purpose=purpose,
            ip_address=ip_address,
        )
    return licence


def enterprise_for_member(*, user: AnyUser) -> Enterprise | None:
    """The enterprise an enterprise user account is bound to (None for anyone else)."""
    if _role(user) != Role.ENTERPRISE or not isinstance(user, User):
        return None
    membership = (
        EnterpriseMembership.objects.select_related("enterprise").filter(user_id=user.pk).first()
    )
    return membership.enterprise if membership else None


def enterprise_member_users(*, enterprise: Enterprise) -> QuerySet[User]:
    """The active enterprise-user accounts bound to `enterprise` (e.g. to notify them of a case a
    service desk filed on the enterprise's behalf). The caller has authorised the enterprise."""
    return User.objects.filter(
        is_active=True, role=Role.ENTERPRISE, enterprise_membership__enterprise=enterprise
    ).order_by("pk")


def enterprise_queryset_all() -> QuerySet[Enterprise]:
    """Every enterprise, unscoped: for system-side set-based work (policy matching sweeps, credit
    recompute) that runs as the platform, not as a user. Never hand it to a page or API answer;
    user-facing reads go through enterprise_queryset_for_user / enterprise_get_for_user."""
    return Enterprise.objects.all()


def enterprise_queryset_for_user(
    *, user: AnyUser, capability: str | None = None
) -> QuerySet[Enterprise]:
    """Every enterprise the user may see, as a queryset (lists, export).

    With `capability`, the role must hold it first (403 and audited otherwise).
    """
    if capability is not None:
        require_capability(user=user, capability=capability)
    if not _is_signed_in(user):
        return Enterprise.objects.none()
    assert isinstance(user, User)
    role = user.role
    if _region_scoped(role):
        prefix = _scope_prefix(user)
        if prefix is None:
            return Enterprise.objects.none()
        return Enterprise.objects.filter(region_code__startswith=prefix)
    if role == Role.ENTERPRISE:
        return Enterprise.objects.filter(members__user_id=user.pk)
    if role == Role.AGENT:
        # An agent sees an enterprise only for what its authorisation names.
        needed = capability or "enterprise.view"
        ids = [
            enterprise_id
            for enterprise_id, scopes in _active_authorisations(
                agent=user, now=timezone.now()
            ).values_list("enterprise_id", "scopes")
            if needed in (scopes or [])
        ]
        return Enterprise.objects.filter(pk__in=ids)
    return Enterprise.objects.none()


def agent_authorisation_list(*, enterprise: Enterprise) -> QuerySet[AgentAuthorisation]:
    """An enterprise's authorisations, newest first (the caller has authorised the enterprise)."""
    return (
        AgentAuthorisation.objects.filter(enterprise=enterprise)
        .select_related("agent", "granted_by")
        .order_by("-created_at", "-id")
    )


def agent_authorisation_is_active(
    authorisation: AgentAuthorisation, *, now: dt.datetime | None = None
) -> bool:
    now = now or timezone.now()
    return (
        authorisation.revoked_at is None
        and authorisation.valid_from <= now < authorisation.expires_at
    )


# --- search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseListItem:
    uscc: str
    name: str
    entity_type: str
    entity_type_label: str
    status: str
    status_label: str
    legal_rep_name: str
    registered_capital: Decimal
    founded_on: dt.date
    region_code: str
    region_name: str
    industry_code: str
    industry_name: str
    scale: str
    scale_label: str
    lifecycle_stage: str
    lifecycle_stage_label: str
    tags: list[str]


@dataclass
class SearchPage:
    items: list[EnterpriseListItem]
    page: int
    page_size: int
    has_next: bool
    # Exact number of matches, or None when there are more than SEARCH_COUNT_CAP (counting
    # further would cost more than the search itself); see total_display.
    total: int | None
    count_cap: int = SEARCH_COUNT_CAP
    query_kind: str = "all"  # "all" | "uscc" | "name"

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def total_display(self) -> str:
        return str(self.total) if self.total is not None else f"{self.count_cap}+"


def looks_like_uscc(query: str) -> bool:
    """A whole USCC or a prefix of one (at least 6 characters, region digits in place)."""
    return bool(_USCC_PREFIX_RE.match(query.strip().upper()))


def _name_sort_key() -> Any:
    # Byte order ("C") on PostgreSQL whatever the database's collation: it matches SQLite's
    # BINARY order, and it is the order of the index ent_name_c_uscc (migration 0002), which
    # serves both `name LIKE 'prefix%'` and ORDER BY name, uscc without a sort step.
    if connection.vendor == "postgresql":
        return Collate(F("name"), "C")
    return F("name")


class _NameBigramsContain(Func):
    """`zqt_bigrams(name) @> zqt_bigrams(query)` (both lower-cased inside the function): the
    GIN-indexed substring filter on PostgreSQL (function and index: migration 0002). For a
    2-character query it is exact; for longer ones it narrows the rows and _ILike rechecks."""

    arg_joiner = ") @> zqt_bigrams("
    template = "zqt_bigrams(%(expressions)s::text)"
    output_field = BooleanField()


class _ILike(Func):
    """`name ILIKE pattern`. Unlike Django's icontains (UPPER(name) LIKE UPPER(...)), the planner
    estimates ILIKE on a column from its statistics, so it picks the ordered index walk for
    common substrings and the bigram index for rare ones instead of guessing "rare" always."""

    arg_joiner = " ILIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_contains(query: str, *, walk: bool = False) -> Q | Any:
    """Names containing `query`, ignoring case.

    On PostgreSQL a query of 2+ characters goes through the bigram GIN index (exact for 2
    characters, rechecked with ILIKE for longer ones). `walk=True` is for a scan of the name
    index in order: there the cheap ILIKE is evaluated on each index entry (about 20 times
    faster than computing the bigrams of every name on the way).
    """
    if connection.vendor != "postgresql":
        return Q(name__icontains=query)
    ilike = _ILike(F("name"), Value(f"%{_like_escape(query)}%"))
    if walk or len(query) < 2:
        return ilike
    bigrams = _NameBigramsContain(F("name"), Value(query))
    return bigrams if len(query) == 2 else bigrams & ilike


def _rows_by_id(qs: QuerySet[Enterprise], *, offset: int, limit: int) -> list[Enterprise]:
    """A page of an ordered queryset, read as ids first, then the rows by primary key.

    The id query touches only columns of ent_name_c_uscc (name, uscc + INCLUDE region_code,
    industry_code, status, id), so PostgreSQL answers it with an index-only scan: scoping and
    filters are checked on index entries instead of fetching every skipped row from the table.
    """
    ids = list(qs.values_list("pk", flat=True)[offset : offset + limit])
    by_id = Enterprise.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids]


def _validate_search_args(*, status: str | None, page: int, page_size: int) -> None:
    errors: list[dict[str, str]] = []
    if status and status not in EnterpriseStatus.values:
        errors.append({"field": "status", "message": f"登记状态“{status}”不存在"})
    if page < 1:
        errors.append({"field": "page", "message": "页码必须大于等于1"})
    if not 1 <= page_size <= SEARCH_MAX_PAGE_SIZE:
        errors.append(
            {"field": "page_size", "message": f"每页条数应在1到{SEARCH_MAX_PAGE_SIZE}之间"}
        )
    elif page >= 1 and (page - 1) * page_size >= SEARCH_MAX_OFFSET:
        errors.append(
            {
                "field": "page",
                "message": f"只能翻阅前{SEARCH_MAX_OFFSET}条结果，请增加查询条件缩小范围",
            }
        )
    if errors:
        raise ValidationFailed(errors[0]["message"], field=errors[0]["field"], errors=errors)


def _filtered(
    qs: QuerySet[Enterprise],
    *,
    region_code: str | None,
    industry_code: str | None,
    status: str | None,
    tag: str | None,
) -> QuerySet[Enterprise]:
    if region_code:
        qs = qs.filter(region_code__startswith=scope_prefix_for_code(region_code.strip()))
    if industry_code:
        code = industry_code.strip().upper()
        if _SECTION_RE.match(code):
            # A section (门类) means all its divisions (大类).
            divisions = Industry.objects.filter(parent_code=code).values("code")
            qs = qs.filter(Q(industry_code=code) | Q(industry_code__in=divisions))
        else:
            qs = qs.filter(industry_code=code)
    if status:
        qs = qs.filter(status=status)
    if tag:
        through = Enterprise.tags.through
        qs = qs.filter(
            Exists(
                through.objects.filter(enterprise_id=OuterRef("pk")).filter(
                    Q(tag__code=tag) | Q(tag__name=tag)
                )
            )
        )
    return qs


def enterprise_search_queryset(
    *,
    user: AnyUser,
    query: str = "",
    region_code: str | None = None,
    industry_code: str | None = None,
    status: str | None = None,
    tag: str | None = None,
) -> QuerySet[Enterprise]:
    """All matches of a search, in the order enterprise_search pages them (export uses this).

    Requires enterprise.search (403, audited). Name matches: names starting with the query
    first, then names containing it; each group by name, then USCC.
    """
    require_capability(user=user, capability="enterprise.search")
    _validate_search_args(status=status, page=1, page_size=1)
    scoped = _filtered(
        enterprise_queryset_for_user(user=user),
        region_code=region_code,
        industry_code=industry_code,
        status=status,
        tag=tag,
    )
    q = (query or "").strip()
    if not q:
        return scoped.alias(sort_name=_name_sort_key()).order_by("sort_name", "uscc")
    if looks_like_uscc(q):
        return scoped.filter(uscc__startswith=q.upper()).order_by("uscc")
    return (
        scoped.alias(sort_name=_name_sort_key())
        .filter(_name_contains(q))
        .alias(
            prefix_rank=Case(
                When(sort_name__startswith=q, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("prefix_rank", "sort_name", "uscc")
    )


def _capped_count(qs: QuerySet[Enterprise], cap: int) -> int | None:
    """min(count, cap + 1) computed with LIMIT, so it stops reading after cap + 1 rows."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return n if n <= cap else None


@dataclass
class _NamePage:
    rows: list[Enterprise]
    total: int | None  # exact, or None when over NAME_COUNT_CAP
    known: bool  # False: total not computed (the caller decides whether it is needed)


def _sort_key(row: tuple[int, str, str]) -> tuple[str, str]:
    # Python compares str by code point: the same order as COLLATE "C" on UTF-8 (PostgreSQL)
    # and BINARY (SQLite), so a group sorted here pages exactly like one sorted in SQL.
    return (row[1], row[2])


def _name_page(scoped: QuerySet[Enterprise], *, query: str, offset: int, want: int) -> _NamePage:
    """One page of name matches: names starting with `query` first, then names containing it,
    each group ordered by name, USCC.

    Prefix group: a range scan of ent_name_c_uscc, in output order. Substring group:
    the planner cannot know where in name order the matches of a substring lie (they cluster:
    every "X州新…" sits under "X州"), so an ordered index walk can read most of the table to
    find 21 rows. Instead its keys are read unordered through the bigram index, up to
    NAME_COUNT_CAP + 1 of them: when there are no more than that, they are sorted here and the
    page is fetched by id (cost bounded by the cap); only when the group is larger — dense, so
    an ordered walk finds rows soon — is the page read in SQL order, by an index-only walk.
    """
    named = scoped.alias(sort_name=_name_sort_key())
    prefix_qs = named.filter(sort_name__startswith=query).order_by("sort_name", "uscc")
    rows = _rows_by_id(prefix_qs, offset=offset, limit=want)
    if len(rows) == want:
        return _NamePage(rows=rows, total=None, known=False)
    if rows or offset == 0:
        prefix_total = offset + len(rows)
    else:  # the page starts past the prefix group, which has at most `offset` rows
        prefix_total = prefix_qs.order_by().values("pk")[: offset + 1].count()
    rest_offset = offset + len(rows) - prefix_total
    need = want - len(rows)
    rest_qs = named.filter(_name_contains(query)).exclude(sort_name__startswith=query)
    keys = list(rest_qs.order_by().values_list("pk", "name", "uscc")[: NAME_COUNT_CAP + 1])
    if len(keys) <= NAME_COUNT_CAP:
        keys.sort(key=_sort_key)
        page_ids = [pk for pk, _name, _uscc in keys[rest_offset : rest_offset + need]]
        by_id = Enterprise.objects.in_bulk(page_ids) if page_ids else {}
        rows += [by_id[pk] for pk in page_ids]
        total = prefix_total + len(keys)
        return _NamePage(rows=rows, total=total if total <= NAME_COUNT_CAP else None, known=True)
    walk_qs = named.filter(_name_contains(query, walk=True)).exclude(sort_name__startswith=query)
    rows += _rows_by_id(walk_qs.order_by("sort_name", "uscc"), offset=rest_offset, limit=need)
    return _NamePage(rows=rows, total=None, known=True)


def _name_total(scoped: QuerySet[Enterprise], *, query: str) -> int | None:
    named = scoped.alias(sort_name=_name_sort_key())
    prefix_count = _capped_count(named.filter(sort_name__startswith=query), NAME_COUNT_CAP)
    if prefix_count is None:
        return None
    rest = named.filter(_name_contains(query)).exclude(sort_name__startswith=query)
    rest_count = _capped_count(rest, NAME_COUNT_CAP - prefix_count)
    return None if rest_count is None else prefix_count + rest_count


def enterprise_search(
    *,
    user: AnyUser,
    query: str = "",
    region_code: str | None = None,
    industry_code: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchPage:
    """Staff search by USCC (prefix) or Chinese name (prefix first, then substring), scoped to
    the user's region, filtered, OFFSET-paged (page_size + 1 rows fetched to know has_next).

    Requires enterprise.search (403, audited). The number of queries per page is constant:
    rows (a name search: up to three, see _name_page), a capped count when it is not known
    already, tags, region names, industry names. `total` is exact up to SEARCH_COUNT_CAP
    (NAME_COUNT_CAP for a name search: substring matching reads rows), else None.

    Performance on PostgreSQL (1M rows, migration 0002): a name prefix is a range scan of
    ent_name_c_uscc in output order, a substring of >= 2 characters goes through the bigram GIN
    index, a USCC prefix uses the uscc indexes.
    """
    actor = require_capability(user=user, capability="enterprise.search")
    _validate_search_args(status=status, page=page, page_size=page_size)
    scoped = _filtered(
        enterprise_queryset_for_user(user=actor),
        region_code=region_code,
        industry_code=industry_code,
        status=status,
        tag=tag,
    )
    offset = (page - 1) * page_size
    want = page_size + 1
    q = (query or "").strip()
    rows: list[Enterprise]
    total: int | None = None
    known = False
    cap = SEARCH_COUNT_CAP
    if not q:
        kind = "all"
        all_qs = scoped.alias(sort_name=_name_sort_key()).order_by("sort_name", "uscc")
        rows = _rows_by_id(all_qs, offset=offset, limit=want)
        count_qs = scoped
    elif looks_like_uscc(q):
        kind = "uscc"
        count_qs = scoped.filter(uscc__startswith=q.upper())
        rows = _rows_by_id(count_qs.order_by("uscc"), offset=offset, limit=want)
    else:
        kind = "name"
        cap = NAME_COUNT_CAP
        name_page = _name_page(scoped, query=q, offset=offset, want=want)
        rows, total, known = name_page.rows, name_page.total, name_page.known
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    if not has_next and (rows or page == 1):
        total = offset + len(rows)
        total = total if total <= cap else None
    elif not known:
        if kind == "name":
            total = _name_total(scoped, query=q)
        else:
            total = _capped_count(count_qs, cap)
    return SearchPage(
        items=_list_items(rows, user=actor),
        page=page,
        page_size=page_size,
        has_next=has_next,
        total=total,
        count_cap=cap,
        query_kind=kind,
    )


def _names_for(rows: list[Enterprise]) -> tuple[dict[str, str], dict[str, str]]:
    region_codes = {e.region_code for e in rows}
    industry_codes = {e.industry_code for e in rows}
    regions = dict(OrgUnit.objects.filter(code__in=region_codes).values_list("code", "name"))
    industries = dict(Industry.objects.filter(code__in=industry_codes).values_list("code", "name"))
    return regions, industries


def _list_items(rows: list[Enterprise], *, user: User) -> list[EnterpriseListItem]:
    if not rows:
        return []
    sensitive = role_can(user.role, "enterprise.view_sensitive")
    regions, industries = _names_for(rows)
    through = Enterprise.tags.through
    tags: dict[int, list[str]] = {}
    for enterprise_id, tag_name in (
        through.objects.filter(enterprise_id__in=[e.pk for e in rows])
        .order_by("tag__code")
        .values_list("enterprise_id", "tag__name")
    ):
        tags.setdefault(enterprise_id, []).append(tag_name)
    return [
        EnterpriseListItem(
            uscc=e.uscc,
            name=e.name,
            entity_type=e.entity_type,
            entity_type_label=e.get_entity_type_display(),
            status=e.status,
            status_label=e.get_status_display(),
            legal_rep_name=e.legal_rep_name if sensitive else mask_name(e.legal_rep_name),
            registered_capital=e.registered_capital,
            founded_on=e.founded_on,
            region_code=e.region_code,
            region_name=regions.get(e.region_code, ""),
            industry_code=e.industry_code,
            industry_name=industries.get(e.industry_code, ""),
            scale=e.scale,
            scale_label=e.get_scale_display(),
            lifecycle_stage=e.lifecycle_stage,
            lifecycle_stage_label=e.get_lifecycle_stage_display(),
            tags=tags.get(e.pk, []),
        )
        for e in rows
    ]


# --- detail ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceRow:
    id: int
    licence_type: str
    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date | None
    status: str
    status_label: str
    state: LicenceState
    state_label: str
    colour: str
    days_left: int | None


def licence_row(licence: Licence, *, today: dt.date) -> LicenceRow:
    state = licence_state(status=licence.status, expires_on=licence.expires_on, today=today)
    return LicenceRow(
        id=licence.pk,
        licence_type=licence.licence_type,
        number=licence.number,
        issuer=licence.issuer,
        issued_on=licence.issued_on,
        expires_on=licence.expires_on,
        status=licence.status,
        status_label=LicenceStatus(licence.status).label,
        state=state,
        state_label=state.label,
        colour=state.colour,
        days_left=days_until_expiry(expires_on=licence.expires_on, today=today),
    )


def licence_list_for_enterprise(
    *, enterprise: Enterprise, today: dt.date | None = None
) -> list[LicenceRow]:
    """The enterprise's licences with their colour states (caller has authorised the enterprise).

    Ordered by expiry (soonest first, no expiry last), then id.
    """
    today = today or local_today()
    licences = sorted(
        Licence.objects.filter(enterprise=enterprise),
        key=lambda lic: (lic.expires_on is None, lic.expires_on or dt.date.max, lic.pk),
    )
    return [licence_row(lic, today=today) for lic in licences]


def _region_full_name(region_code: str) -> str:
    unit = OrgUnit.objects.select_related("parent").filter(code=region_code).first()
    if unit is None:
        return ""
    parent = unit.parent
    if parent is not None and parent.parent_id is not None:  # not the province
        return f"{parent.name}{unit.name}"
    return unit.name


def enterprise_detail(
    *, enterprise: Enterprise, user: User, today: dt.date | None = None
) -> dict[str, Any]:
    """Everything the detail page and API show about one enterprise.

    The caller got `enterprise` from enterprise_get_for_user (authorised and audited there).
    The legal representative's name and ID number are masked unless the role holds
    enterprise.view_sensitive.
    """
    today = today or local_today()
    sensitive = role_can(user.role, "enterprise.view_sensitive")
    industry = Industry.objects.filter(code=enterprise.industry_code).first()
    unit_name = _region_full_name(enterprise.region_code)
    e = enterprise
    return {
        "uscc": e.uscc,
        "name": e.name,
        "entity_type": e.entity_type,
        "entity_type_label": e.get_entity_type_display(),
        "status": e.status,
        "status_label": e.get_status_display(),
        "legal_rep_name": e.legal_rep_name if sensitive else mask_name(e.legal_rep_name),
        "legal_rep_id_number": (
            e.legal_rep_id_number if sensitive else mask_id_number(e.legal_rep_id_number)
        ),
        "sensitive_visible": sensitive,
        "registered_capital": e.registered_capital,
        "founded_on": e.founded_on,
        "address": e.address,
        "region_code": e.region_code,
        "region_name": unit_name,
        "industry_code": e.industry_code,
        "industry_name": industry.name if industry else "",
        "employees": e.employees,
        "revenue": e.revenue,
        "rd_spend": e.rd_spend,
        "scale": e.scale,
        "scale_label": e.get_scale_display(),
        "lifecycle_stage": e.lifecycle_stage,
        "lifecycle_stage_label": e.get_lifecycle_stage_display(),
        "phone": e.phone,
        "tags": [t.name for t in e.tags.order_by("code")],
        "licences": licence_list_for_enterprise(enterprise=e, today=today),
        "credit_records": [
            {
                "kind": r.kind,
                "kind_label": CreditKind(r.kind).label,
                "title": r.title,
                "source_department": r.source_department,
                "recorded_on": r.recorded_on,
                "expires_on": r.expires_on,
            }
            for r in e.credit_records.order_by("-recorded_on", "-id")
        ],
        "penalties": [
            {
                "decision_number": p.decision_number,
                "department": p.department,
                "reason": p.reason,
                "legal_basis": p.legal_basis,
                "amount": p.amount,
                "decided_on": p.decided_on,
            }
            for p in e.penalties.order_by("-decided_on", "-id")
        ],
        "honours": [
            {"title": h.title, "granted_by": h.granted_by, "granted_on": h.granted_on}
            for h in e.honours.order_by("-granted_on", "-id")
        ],
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }
