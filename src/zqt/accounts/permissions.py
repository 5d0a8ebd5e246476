"""Who may do what: the role → capability table. Pure (no ORM); object scope is applied by each
entity's fetch-and-authorise selector (e.g. enterprises.selectors.enterprise_get_for_user).

Scope rules:
- government staff and API clients act on objects whose region lies within their org unit
  (region_code starts with the unit's scope prefix);
- an enterprise user acts on its own enterprise only;
- an agent acts on an enterprise only inside an active authorisation whose scopes name the
  capability.
"""

from __future__ import annotations

from zqt.accounts.enums import Role

STAFF = {
    Role.FRONT_DESK,
    Role.BOARD_STAFF,
    Role.CHIEF_COMMISSIONER,
    Role.DEPARTMENT_REVIEWER,
    Role.INSPECTOR,
    Role.OPERATIONS,
}

CAPABILITIES: dict[str, frozenset[str]] = {
    # Registry
    "enterprise.search": frozenset(STAFF | {Role.API_CLIENT}),
    "enterprise.view": frozenset(STAFF | {Role.API_CLIENT, Role.ENTERPRISE, Role.AGENT}),
    # The legal representative's full ID number: only where identity is checked in person.
    "enterprise.view_sensitive": frozenset({Role.FRONT_DESK, Role.INSPECTOR}),
    "enterprise.create": frozenset({Role.FRONT_DESK, Role.OPERATIONS, Role.API_CLIENT}),
    "enterprise.update": frozenset({Role.FRONT_DESK, Role.OPERATIONS, Role.API_CLIENT}),
    "enterprise.import": frozenset({Role.OPERATIONS}),
    "enterprise.export": frozenset({Role.OPERATIONS, Role.CHIEF_COMMISSIONER}),
    "licence.view": frozenset(STAFF | {Role.API_CLIENT, Role.ENTERPRISE, Role.AGENT}),
    "licence.manage": frozenset(
        {Role.FRONT_DESK, Role.DEPARTMENT_REVIEWER, Role.OPERATIONS, Role.API_CLIENT}
    ),
    # Enterprise space
    "space.view": frozenset({Role.ENTERPRISE, Role.AGENT}),
    "agent.authorise": frozenset({Role.ENTERPRISE}),
    # Enterprise code (issue 3) — ecode capabilities go here
    "ecode.view_own": frozenset({Role.ENTERPRISE}),
    "ecode.issue": frozenset({Role.ENTERPRISE, Role.FRONT_DESK, Role.OPERATIONS}),
    "ecode.revoke": frozenset({Role.FRONT_DESK, Role.OPERATIONS}),
    "ecode.consent": frozenset({Role.ENTERPRISE}),
    "ecode.login_approve": frozenset({Role.ENTERPRISE}),
    "ecode.inspect": frozenset({Role.INSPECTOR}),
    "ecode.prefill": frozenset({Role.FRONT_DESK, Role.BOARD_STAFF, Role.API_CLIENT}),
    "ecode.stats": frozenset({Role.OPERATIONS, Role.CHIEF_COMMISSIONER}),
    # Service list and one-class-of-things bundles (issue 4) — catalog/bundles capabilities go here
    "catalog.manage": frozenset({Role.OPERATIONS}),
    "bundle.apply": frozenset({Role.ENTERPRISE, Role.AGENT, Role.FRONT_DESK}),
    "bundle.case_view": frozenset(STAFF | {Role.ENTERPRISE, Role.AGENT, Role.API_CLIENT}),
    "bundle.review": frozenset({Role.DEPARTMENT_REVIEWER}),
    "bundle.overdue_view": frozenset({Role.CHIEF_COMMISSIONER, Role.OPERATIONS}),
    "bundle.manage": frozenset({Role.OPERATIONS}),
    "recommendation.view": frozenset({Role.ENTERPRISE, Role.AGENT}),
    # Appeals (issue 6) — appeals capabilities go here
    "appeal.submit": frozenset({Role.ENTERPRISE, Role.FRONT_DESK, Role.API_CLIENT}),
    "appeal.view": frozenset(
        {
            Role.ENTERPRISE,
            Role.FRONT_DESK,
            Role.BOARD_STAFF,
            Role.CHIEF_COMMISSIONER,
            Role.DEPARTMENT_REVIEWER,
            Role.OPERATIONS,
            Role.API_CLIENT,
        }
    ),
    "appeal.route": frozenset({Role.FRONT_DESK, Role.CHIEF_COMMISSIONER, Role.OPERATIONS}),
    "appeal.handle": frozenset(
        {Role.BOARD_STAFF, Role.CHIEF_COMMISSIONER, Role.DEPARTMENT_REVIEWER, Role.OPERATIONS}
    ),
    "appeal.supervise": frozenset({Role.CHIEF_COMMISSIONER, Role.OPERATIONS}),
    "appeal.rate": frozenset({Role.ENTERPRISE}),
    "appeal.callback": frozenset({Role.FRONT_DESK, Role.CHIEF_COMMISSIONER, Role.OPERATIONS}),
    "appeal.report": frozenset({Role.CHIEF_COMMISSIONER, Role.OPERATIONS}),
    "appeal.calendar": frozenset({Role.OPERATIONS}),
    # Policies (issue 5) — policies capabilities go here
    "policy.view": frozenset(STAFF | {Role.API_CLIENT}),
    "policy.manage": frozenset({Role.OPERATIONS, Role.BOARD_STAFF}),
    # The second person of the two-person rule publishing (never the author; see services).
    "policy.rule_approve": frozenset({Role.OPERATIONS, Role.CHIEF_COMMISSIONER}),
    "policy.match_run": frozenset({Role.OPERATIONS, Role.BOARD_STAFF}),
    "policy.review": frozenset({Role.DEPARTMENT_REVIEWER}),
    "policy.fact_record": frozenset({Role.DEPARTMENT_REVIEWER, Role.OPERATIONS, Role.API_CLIENT}),
    "policy.objection_handle": frozenset({Role.DEPARTMENT_REVIEWER}),
    "policy.payout_manage": frozenset({Role.OPERATIONS}),
    "policy.evaluate": frozenset({Role.OPERATIONS, Role.CHIEF_COMMISSIONER}),
    "policy.my_view": frozenset({Role.ENTERPRISE, Role.AGENT}),
    "policy.apply": frozenset({Role.ENTERPRISE, Role.AGENT}),
    # Supervision and credit (issue 7) — supervision/credit capabilities go here
    "supervision.view": frozenset(STAFF),
    "supervision.item_manage": frozenset({Role.DEPARTMENT_REVIEWER, Role.OPERATIONS}),
    "supervision.draw": frozenset({Role.DEPARTMENT_REVIEWER, Role.OPERATIONS}),
    "supervision.inspect": frozenset({Role.INSPECTOR}),
    "credit.view": frozenset(STAFF | {Role.API_CLIENT}),
    "credit.view_own": frozenset({Role.ENTERPRISE}),
    "credit.model_manage": frozenset({Role.OPERATIONS}),
    "credit.recompute": frozenset({Role.OPERATIONS}),
    "credit.repair_apply": frozenset({Role.ENTERPRISE}),
    "credit.repair_decide": frozenset({Role.DEPARTMENT_REVIEWER, Role.OPERATIONS}),
    "credit.event_report": frozenset({Role.DEPARTMENT_REVIEWER, Role.OPERATIONS, Role.API_CLIENT}),
    "intermediary.manage": frozenset({Role.FRONT_DESK, Role.DEPARTMENT_REVIEWER, Role.OPERATIONS}),
    "intermediary.exam": frozenset({Role.AGENT}),
    "risk.handle": frozenset({Role.DEPARTMENT_REVIEWER, Role.INSPECTOR, Role.OPERATIONS}),
    # Administration
    "audit.search": frozenset({Role.OPERATIONS}),
    "accounts.manage": frozenset({Role.OPERATIONS}),
}

# Capabilities an enterprise may delegate to an agent.
DELEGABLE = frozenset(
    {
        "enterprise.view",
        "licence.view",
        "space.view",
        "bundle.apply",
        "bundle.case_view",
        "recommendation.view",
        "policy.my_view",
        "policy.apply",
    }
)


def role_can(role: str, capability: str) -> bool:
    allowed = CAPABILITIES.get(capability)
    if allowed is None:
        raise KeyError(f"unknown capability {capability!r}")
    return role in allowed


def is_staff_role(role: str) -> bool:
    return role in STAFF
