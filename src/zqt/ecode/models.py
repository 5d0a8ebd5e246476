"""Enterprise codes, one-time nonces, scans, pre-fill consents, login challenges, published lists.

Private keys are never stored here (see keyring.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zqt.accounts.models import OrgUnit
from zqt.core.models import TimeStampedModel
from zqt.ecode.enums import Audience, Channel, ListKind, NoncePurpose, ScanResult
from zqt.enterprises.models import Enterprise


class EnterpriseCode(TimeStampedModel):
    """The enterprise's static code and its slot in the status list. Rendered images are cached
    here at issue time so no request renders a QR code."""

    enterprise = models.OneToOneField(
        Enterprise, verbose_name="市场主体", on_delete=models.CASCADE, related_name="ecode"
    )
    status_index = models.PositiveIntegerField("状态清单序号", unique=True)
    token = models.CharField("静态码内容", max_length=256)
    kid = models.CharField("签名密钥", max_length=8)
    issued_at = models.DateTimeField("签发时间")
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)
    revoked_reason = models.CharField("作废原因", max_length=100, blank=True)
    qr_version = models.PositiveSmallIntegerField("二维码版本", default=0)
    svg = models.TextField("二维码 SVG", blank=True)
    png = models.BinaryField("二维码 PNG", blank=True)

    class Meta:
        verbose_name = "企业码"
        verbose_name_plural = "企业码"

    def __str__(self) -> str:
        return f"企业码 #{self.status_index}"


class NonceRedemption(models.Model):
    """A dynamic code's nonce, used once. The UNIQUE constraint on `nonce` is the guarantee:
    a second transaction redeeming it fails with an IntegrityError, whatever the timing."""

    nonce = models.CharField("一次性随机数", max_length=16, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="市场主体", on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField("用途", max_length=16, choices=NoncePurpose.choices)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="使用人", null=True, on_delete=models.SET_NULL
    )
    redeemed_at = models.DateTimeField("使用时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "动态码使用记录"
        verbose_name_plural = "动态码使用记录"

    def __str__(self) -> str:
        return self.nonce


class ScanRecord(models.Model):
    """Every scan, good or bad: who (audience, account), how (channel), what came of it."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="市场主体",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    audience = models.CharField("扫码端", max_length=16, choices=Audience.choices)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    code_kind = models.CharField("码类型", max_length=8, blank=True)
    result = models.CharField("结果", max_length=8, choices=ScanResult.choices)
    failure_reason = models.CharField("失败原因", max_length=32, blank=True)
    scanner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="扫码人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scanner_org_code = models.CharField("扫码单位", max_length=12, blank=True)
    created_at = models.DateTimeField("扫码时间", auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = "扫码记录"
        verbose_name_plural = "扫码记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "-created_at"], name="ecode_scan_ent_time")]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} {self.result}"


class PrefillConsent(TimeStampedModel):
    """The enterprise lets service desks of `grantee` (and the units below it) read `fields`
    for `purpose` until `expires_at`; revocable at any time."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="市场主体", on_delete=models.CASCADE, related_name="+"
    )
    grantee = models.ForeignKey(
        OrgUnit, verbose_name="授权对象", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("用途", max_length=100)
    fields = models.JSONField("授权字段", default=list)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="授权人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "办事预填授权"
        verbose_name_plural = "办事预填授权"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.purpose


class LoginChallenge(models.Model):
    """一码通行: a login code shown on a desktop browser, approved by the enterprise's signed-in
    phone. `browser_secret_hash` binds it to the browser that asked for it."""

    key = models.CharField("登录码", max_length=32, unique=True)
    browser_secret_hash = models.CharField("浏览器凭据摘要", max_length=64)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    requester_ip = models.GenericIPAddressField("请求 IP", null=True, blank=True)
    requester_agent = models.CharField("请求浏览器", max_length=200, blank=True)
    # SHA-256 of a random id kept in the requesting browser's session (rate limit per session).
    requester_client = models.CharField("请求会话摘要", max_length=64, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    approved_at = models.DateTimeField("确认时间", null=True, blank=True)
    consumed_at = models.DateTimeField("登录时间", null=True, blank=True)

    class Meta:
        verbose_name = "扫码登录"
        verbose_name_plural = "扫码登录"
        # Rate limits count recent challenges per IP and per browser session.
        indexes = [
            models.Index(fields=["requester_ip", "created_at"], name="ecode_login_ip_time"),
            models.Index(fields=["requester_client", "created_at"], name="ecode_login_client_time"),
        ]

    def __str__(self) -> str:
        return self.key


class PublishedList(models.Model):
    """A signed trust list or status list as published to offline verifiers."""

    kind = models.CharField("类型", max_length=8, choices=ListKind.choices)
    issued_at = models.DateTimeField("签发时间", db_index=True)
    expires_at = models.DateTimeField("到期时间")
    document = models.JSONField("文档")

    class Meta:
        verbose_name = "发布清单"
        verbose_name_plural = "发布清单"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["kind", "-issued_at"], name="ecode_list_kind_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.issued_at:%Y-%m-%d %H:%M}"
