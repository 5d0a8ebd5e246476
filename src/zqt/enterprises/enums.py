from django.db import models


class EntityType(models.TextChoices):
    LIMITED_COMPANY = "limited", "有限责任公司"
    JOINT_STOCK = "joint_stock", "股份有限公司"
    SOLE_PROPRIETORSHIP = "sole", "个人独资企业"
    PARTNERSHIP = "partnership", "合伙企业"
    FOREIGN_INVESTED = "foreign", "外商投资企业"
    BRANCH = "branch", "分公司"
    INDIVIDUAL_BUSINESS = "individual", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"


class EnterpriseStatus(models.TextChoices):
    EXISTING = "existing", "存续"
    OPERATING = "operating", "在业"
    SUSPENDED = "suspended", "歇业"
    REVOKED = "revoked", "吊销"
    DEREGISTERED = "deregistered", "注销"


class Scale(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class LifecycleStage(models.TextChoices):
    ATTRACTION = "attraction", "招引"
    STARTUP = "startup", "初创"
    GROWTH = "growth", "发展"
    MATURE = "mature", "成熟"
    TRANSFORMATION = "transformation", "转型"


class LicenceStatus(models.TextChoices):
    """Recorded status; the colour state shown to people is derived (see licence_state.py)."""

    PENDING = "pending", "审批中"
    ACTIVE = "active", "有效"
    REVOKED = "revoked", "已吊销/注销"


class CreditKind(models.TextChoices):
    GOOD = "good", "守信"
    BAD = "bad", "失信"
    WARNING = "warning", "警示"


class TodoStatus(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已办"
