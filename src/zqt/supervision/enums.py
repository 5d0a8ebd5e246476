"""Choice labels stay plain Chinese (gettext_noop); pages translate them at render time."""

from django.db import models
from django.utils.translation import gettext_noop


class ItemColour(models.TextChoices):
    RED = "red", gettext_noop("红码·重点监管")
    YELLOW = "yellow", gettext_noop("黄码·双随机抽查")
    GREEN = "green", gettext_noop("绿码·事件触发")


class DrawPurpose(models.TextChoices):
    INSPECTION = "inspection", gettext_noop("双随机抽查")
    EXPERT = "expert", gettext_noop("评标专家抽取")


class DrawStatus(models.TextChoices):
    COMMITTED = "committed", gettext_noop("已公示承诺")
    DRAWN = "drawn", gettext_noop("已抽取")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", gettext_noop("待检查")
    RECORDED = "recorded", gettext_noop("已检查")


class FindingOutcome(models.TextChoices):
    PASS = "pass", gettext_noop("符合")
    FAIL = "fail", gettext_noop("不符合")
    NA = "na", gettext_noop("不涉及")
