from django.db import models


class Audience(models.TextChoices):
    """Who scanned: the "一码四端" ends, plus login by code."""

    PUBLIC = "public", "大众端"
    INSPECTOR = "inspector", "执法端"
    DESK = "desk", "政务端"
    ENTERPRISE = "enterprise", "企业端"
    LOGIN = "login", "扫码登录"


class Channel(models.TextChoices):
    WEB = "web", "网页"
    API = "api", "接口"


class ScanResult(models.TextChoices):
    OK = "ok", "通过"
    FAILED = "failed", "未通过"


class NoncePurpose(models.TextChoices):
    INSPECTION = "inspection", "现场检查"
    PREFILL = "prefill", "办事预填"


class ListKind(models.TextChoices):
    TRUST = "trust", "信任清单"
    STATUS = "status", "状态清单"


# Registry fields an enterprise may let a service desk read (一码通办), in display order.
PREFILL_FIELDS: dict[str, str] = {
    "name": "企业名称",
    "uscc": "统一社会信用代码",
    "entity_type": "主体类型",
    "address": "住所",
    "legal_rep_name": "法定代表人",
    "legal_rep_id_number": "法定代表人身份证号",
    "registered_capital": "注册资本（万元）",
    "founded_on": "成立日期",
    "phone": "联系电话",
    "licences": "证照信息",
}
