"""Choice labels stay plain Chinese (API, Excel); pages translate them at render time."""

from django.db import models
from django.utils.translation import gettext_noop


class Mode(models.TextChoices):
    APPLY = "apply", gettext_noop("申报审核")
    INSTANT = "instant", gettext_noop("即申即享")
    AUTOMATIC = "automatic", gettext_noop("免申即享")


class BenefitKind(models.TextChoices):
    FIXED = "fixed", gettext_noop("定额")
    PERCENTAGE = "percentage", gettext_noop("按比例")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("草稿")
    ACTIVE = "active", gettext_noop("执行中")
    CLOSED = "closed", gettext_noop("已结束")


class RuleStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待审核")
    PUBLISHED = "published", gettext_noop("已发布")
    SUPERSEDED = "superseded", gettext_noop("已替代")
    REJECTED = "rejected", gettext_noop("已退回")


class Verdict(models.TextChoices):
    ELIGIBLE = "eligible", gettext_noop("符合")
    UNKNOWN = "unknown", gettext_noop("待补充数据")
    INELIGIBLE = "ineligible", gettext_noop("不符合")


class MatchStatus(models.TextChoices):
    NEW = "new", gettext_noop("新匹配")
    NOTIFIED = "notified", gettext_noop("已推送")
    CONFIRMED = "confirmed", gettext_noop("已确认")
    APPLIED = "applied", gettext_noop("已申报")
    APPROVED = "approved", gettext_noop("已批准")
    PAID = "paid", gettext_noop("已兑现")
    REJECTED = "rejected", gettext_noop("未通过")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", gettext_noop("待审核")
    MORE_INFO = "more_info", gettext_noop("需补充材料")
    APPROVED = "approved", gettext_noop("已批准")
    REJECTED = "rejected", gettext_noop("未通过")


class PayoutStatus(models.TextChoices):
    ANNOUNCED = "announced", gettext_noop("公示中")
    BATCHED = "batched", gettext_noop("待支付")
    PAID = "paid", gettext_noop("已支付")
    CANCELLED = "cancelled", gettext_noop("已撤销")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("待审批")
    APPROVED = "approved", gettext_noop("已审批")
    EXPORTED = "exported", gettext_noop("已导出支付")


class LedgerKind(models.TextChoices):
    BUDGET = "budget", gettext_noop("预算下达")
    COMMIT = "commit", gettext_noop("兑现承诺")
    PAYMENT = "payment", gettext_noop("支付")
    RELEASE = "release", gettext_noop("撤销释放")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", gettext_noop("办理中")
    UPHELD = "upheld", gettext_noop("异议成立")
    DISMISSED = "dismissed", gettext_noop("异议不成立")
