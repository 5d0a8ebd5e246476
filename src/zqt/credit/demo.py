"""Demo data of credit (DEMO ONLY; idempotent): scores for every enterprise, a registration
intermediary with demo_agent as one of its agents (suspended after two false-material filings,
so the exam can be shown), and the risk-warning sweep."""

from __future__ import annotations

from zqt.accounts.models import User
from zqt.core.identifiers import make_uscc
from zqt.credit import services
from zqt.credit.models import Agency, IntermediaryAgent
from zqt.enterprises.models import Enterprise

DEMO_AGENCY_SERIAL = 909_090


def demo_load(*, enterprise: Enterprise) -> None:
    services.credit_recompute_all()
    desk = User.objects.filter(username="demo_front_desk").first()
    agent_user = User.objects.filter(username="demo_agent").first()
    uscc = make_uscc(region_code="330802", serial=DEMO_AGENCY_SERIAL)
    if desk is not None and not Agency.objects.filter(uscc=uscc).exists():
        agency = services.agency_create(
            user=desk, uscc=uscc, name="衢州诚信企业登记代理有限公司", region_code="330802"
        )
        services.intermediary_agent_create(
            user=desk, agency=agency, name="钱立新", id_number="330802198503120017"
        )
        if (
            agent_user is not None
            and not IntermediaryAgent.objects.filter(user=agent_user).exists()
        ):
            agent = services.intermediary_agent_create(
                user=desk, agency=agency, name=agent_user.display_name,
                id_number="330802199001010019", account=agent_user,
            )  # fmt: skip
            for n, outcome in enumerate(["clean", "returned", "false_material", "false_material"]):
                services.filing_score(
                    user=desk, agent_id=agent.pk, reference=f"DEMO-DJ-{n + 1:04d}",
                    enterprise_name=f"衢州演示{n + 1}号商贸有限公司", outcome=outcome,
                )  # fmt: skip
    services.risk_sweep()
