from django.db import models
from django.utils.translation import gettext_noop


class Channel(models.TextChoices):
    """办理方式 (the "统一办理方式" of 四统一)."""

    ONLINE = "online", gettext_noop("网上办（浙里办/企业综合服务平台）")
    WINDOW = "window", gettext_noop("窗口办（企业综合服务中心）")
    TERMINAL = "terminal", gettext_noop("自助终端办")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("草稿")
    PUBLISHED = "published", gettext_noop("已发布")
    WITHDRAWN = "withdrawn", gettext_noop("已停用")


class ChangeAction(models.TextChoices):
    CREATE = "create", gettext_noop("新增")
    UPDATE = "update", gettext_noop("修改")
    WITHDRAW = "withdraw", gettext_noop("停用")
    PUBLISH = "publish", gettext_noop("发布")
    IMPORT = "import", gettext_noop("导入")
