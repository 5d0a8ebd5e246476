from __future__ import annotations

from typing import Any

from tests.enterprises.factories import EnterpriseFactory, LicenceFactory
from zqt.ecode import services
from zqt.ecode.models import EnterpriseCode


def enterprise_with_code(**kw: Any) -> tuple[Any, EnterpriseCode]:
    enterprise = EnterpriseFactory(**kw)
    LicenceFactory(enterprise=enterprise)
    return enterprise, services.ecode_ensure(enterprise=enterprise)
