"""Choice labels stay plain Chinese (gettext_noop); pages translate them at render time."""

from django.db import models
from django.utils.translation import gettext_noop


class EventFactor(models.TextChoices):
    """Credit facts other modules report (inspection findings, upheld complaints, ...)."""

    FINDING_RED = "finding_red", gettext_noop("检查发现问题（红码事项）")
    FINDING_YELLOW = "finding_yellow", gettext_noop("检查发现问题（黄码事项）")
    FINDING_GREEN = "finding_green", gettext_noop("检查发现问题（绿码事项）")
    INSPECTION_CLEAN = "inspection_clean", gettext_noop("检查未发现问题")
    COMPLAINT_UPHELD = "complaint_upheld", gettext_noop("投诉举报查实")
    OVERDUE_OBLIGATION = "overdue_obligation", gettext_noop("逾期未履行义务")
    COMMENDATION = "commendation", gettext_noop("表彰奖励")


class RepairStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待审核")
    APPROVED = "approved", gettext_noop("已修复")
    REJECTED = "rejected", gettext_noop("未通过")


class RecordKind(models.TextChoices):
    PENALTY = "penalty", gettext_noop("行政处罚")
    CREDIT_RECORD = "credit_record", gettext_noop("信用记录")
    CREDIT_EVENT = "credit_event", gettext_noop("监管记录")


class FilingOutcome(models.TextChoices):
    CLEAN = "clean", gettext_noop("一次通过")
    RETURNED = "returned", gettext_noop("退回补正")
    REJECTED = "rejected", gettext_noop("驳回")
    FALSE_MATERIAL = "false_material", gettext_noop("提交虚假材料")


class WarningStatus(models.TextChoices):
    OPEN = "open", gettext_noop("待处置")
    HANDLING = "handling", gettext_noop("处置中")
    CLOSED = "closed", gettext_noop("已办结")
