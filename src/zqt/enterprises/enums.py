"""Choice labels stay plain Chinese strings: the API and the Excel import/export use them as
they are. gettext_noop only marks them for the message catalog; pages translate them at
render time with {% translate obj.x_label %} (or gettext_lazy around the choices in forms)."""

from django.db import models
from django.utils.translation import gettext_noop


class EntityType(models.TextChoices):
    LIMITED_COMPANY = "limited", gettext_noop("有限责任公司")
    JOINT_STOCK = "joint_stock", gettext_noop("股份有限公司")
    SOLE_PROPRIETORSHIP = "sole", gettext_noop("个人独资企业")
    PARTNERSHIP = "partnership", gettext_noop("合伙企业")
    FOREIGN_INVESTED = "foreign", gettext_noop("外商投资企业")
    BRANCH = "branch", gettext_noop("分公司")
    INDIVIDUAL_BUSINESS = "individual", gettext_noop("个体工商户")
    COOPERATIVE = "cooperative", gettext_noop("农民专业合作社")


class EnterpriseStatus(models.TextChoices):
    EXISTING = "existing", gettext_noop("存续")
    OPERATING = "operating", gettext_noop("在业")
    SUSPENDED = "suspended", gettext_noop("歇业")
    REVOKED = "revoked", gettext_noop("吊销")
    DEREGISTERED = "deregistered", gettext_noop("注销")


class Scale(models.TextChoices):
    LARGE = "large", gettext_noop("大型")
    MEDIUM = "medium", gettext_noop("中型")
    SMALL = "small", gettext_noop("小型")
    MICRO = "micro", gettext_noop("微型")


class LifecycleStage(models.TextChoices):
    ATTRACTION = "attraction", gettext_noop("招引")
    STARTUP = "startup", gettext_noop("初创")
    GROWTH = "growth", gettext_noop("发展")
    MATURE = "mature", gettext_noop("成熟")
    TRANSFORMATION = "transformation", gettext_noop("转型")


class LicenceStatus(models.TextChoices):
    """Recorded status; the colour state shown to people is derived (see licence_state.py)."""

    PENDING = "pending", gettext_noop("审批中")
    ACTIVE = "active", gettext_noop("有效")
    REVOKED = "revoked", gettext_noop("已吊销/注销")


class CreditKind(models.TextChoices):
    GOOD = "good", gettext_noop("守信")
    BAD = "bad", gettext_noop("失信")
    WARNING = "warning", gettext_noop("警示")


class TodoStatus(models.TextChoices):
    OPEN = "open", gettext_noop("待办")
    DONE = "done", gettext_noop("已办")  # to-do done; the permit sense has context "permit"
