"""Demo data of the enterprise code: the demo enterprise's code issued, a consent for the 柯城区
service desks, a few scans, and the published lists. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zqt.accounts.models import OrgUnit, User
from zqt.ecode import services
from zqt.ecode.enums import Audience, Channel, ScanResult
from zqt.ecode.models import PrefillConsent, ScanRecord
from zqt.enterprises.models import Enterprise

DEMO_CONSENT_PURPOSE = "演示：食品经营许可延续等事项办理"


def demo_load(*, enterprise: Enterprise) -> None:
    services.ecode_ensure(enterprise=enterprise)
    owner = User.objects.filter(username="demo_enterprise").first()
    grantee = OrgUnit.objects.filter(code=enterprise.region_code).first()
    with transaction.atomic():
        if (
            grantee is not None
            and not PrefillConsent.objects.filter(
                enterprise=enterprise, purpose=DEMO_CONSENT_PURPOSE
            ).exists()
        ):
            PrefillConsent.objects.create(
                enterprise=enterprise,
                grantee=grantee,
                purpose=DEMO_CONSENT_PURPOSE,
                fields=["name", "uscc", "entity_type", "address", "legal_rep_name", "licences"],
                expires_at=timezone.now() + dt.timedelta(days=180),
                granted_by=owner,
            )
        if not ScanRecord.objects.filter(enterprise=enterprise).exists():
            inspector = User.objects.filter(username="demo_inspector").first()
            ScanRecord.objects.bulk_create(
                [
                    ScanRecord(
                        enterprise=enterprise,
                        audience=Audience.PUBLIC,
                        channel=Channel.WEB,
                        code_kind="static",
                        result=ScanResult.OK,
                    ),
                    ScanRecord(
                        enterprise=enterprise,
                        audience=Audience.INSPECTOR,
                        channel=Channel.WEB,
                        code_kind="dynamic",
                        result=ScanResult.OK,
                        scanner=inspector,
                        scanner_org_code=enterprise.region_code,
                    ),
                ]
            )
    services.lists_current()
