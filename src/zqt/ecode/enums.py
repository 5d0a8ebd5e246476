from django.db import models
from django.utils.translation import gettext_noop


class Audience(models.TextChoices):
    """Who scanned: the "一码四端" ends, plus login by code."""

    PUBLIC = "public", gettext_noop("大众端")
    INSPECTOR = "inspector", gettext_noop("执法端")
    DESK = "desk", gettext_noop("政务端")
    ENTERPRISE = "enterprise", gettext_noop("企业端")
    LOGIN = "login", gettext_noop("扫码登录")


class Channel(models.TextChoices):
    WEB = "web", gettext_noop("网页")
    API = "api", gettext_noop("接口")


class ScanResult(models.TextChoices):
    OK = "ok", gettext_noop("通过")
    FAILED = "failed", gettext_noop("未通过")


class NoncePurpose(models.TextChoices):
    INSPECTION = "inspection", gettext_noop("现场检查")
    PREFILL = "prefill", gettext_noop("办事预填")


class ListKind(models.TextChoices):
    TRUST = "trust", gettext_noop("信任清单")
    STATUS = "status", gettext_noop("状态清单")


# Registry fields an enterprise may let a service desk read (一码通办), in display order.
PREFILL_FIELDS: dict[str, str] = {
    "name": gettext_noop("企业名称"),
    "uscc": gettext_noop("统一社会信用代码"),
    "entity_type": gettext_noop("主体类型"),
    "address": gettext_noop("住所"),
    "legal_rep_name": gettext_noop("法定代表人"),
    "legal_rep_id_number": gettext_noop("法定代表人身份证号"),
    "registered_capital": gettext_noop("注册资本（万元）"),
    "founded_on": gettext_noop("成立日期"),
    "phone": gettext_noop("联系电话"),
    "licences": gettext_noop("证照信息"),
}
