from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today() -> dt.date:
    """Today's date in Asia/Shanghai (licence expiry and deadlines are local dates)."""
    return timezone.now().astimezone(SHANGHAI).date()
