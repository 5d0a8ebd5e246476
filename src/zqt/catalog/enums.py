from django.db import models


class Channel(models.TextChoices):
    """办理方式 (the "统一办理方式" of 四统一)."""

    ONLINE = "online", "网上办（浙里办/企业综合服务平台）"
    WINDOW = "window", "窗口办（企业综合服务中心）"
    TERMINAL = "terminal", "自助终端办"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已停用"


class ChangeAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    WITHDRAW = "withdraw", "停用"
    PUBLISH = "publish", "发布"
    IMPORT = "import", "导入"
