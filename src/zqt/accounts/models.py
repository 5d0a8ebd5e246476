from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from zqt.accounts.enums import BoardPosition, OrgKind, OrgLevel, Role
from zqt.accounts.scope import scope_prefix_for_code
from zqt.core.models import TimeStampedModel


class OrgUnit(TimeStampedModel):
    """A government level: province → city → county/district → township/park/community.

    Keyed by the GB/T 2260 code (6 digits) or the 9-digit statistical code below county level.
    `scope_prefix` is the code without its trailing all-zero levels, so "this unit and below"
    is `region_code LIKE scope_prefix || '%'` on any table that stores a region code.
    """

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=OrgLevel.choices)
    kind = models.CharField(
        "类型", max_length=16, choices=OrgKind.choices, default=OrgKind.ADMINISTRATIVE
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    scope_prefix = models.CharField("管辖前缀", max_length=12, db_index=True, editable=False)

    class Meta:
        verbose_name = "组织单元"
        verbose_name_plural = "组织单元"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args: object, **kwargs: object) -> None:
        self.scope_prefix = scope_prefix_for_code(self.code)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ServiceBoard(models.Model):
    """The 11 service boards of seed 004 (综合受理, 项目, 政策, ...). Reference data."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    description = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "服务板块"
        verbose_name_plural = "服务板块"
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class Department(TimeStampedModel):
    """A government department at one org level (e.g. 衢州市市场监督管理局)."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    short_name = models.CharField("简称", max_length=32, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name="所属层级", on_delete=models.PROTECT, related_name="departments"
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["org_unit__code", "code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    full_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="所属组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    departments = models.ManyToManyField(Department, verbose_name="所属部门", blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_government_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


STAFF_ROLES = frozenset(
    {
        Role.FRONT_DESK,
        Role.BOARD_STAFF,
        Role.CHIEF_COMMISSIONER,
        Role.DEPARTMENT_REVIEWER,
        Role.INSPECTOR,
        Role.OPERATIONS,
    }
)


class BoardStaffing(TimeStampedModel):
    """ "1+1+1+X" for one board at one org unit: lead department, leader in charge,
    chief service commissioner, and X commissioners (BoardMembership rows)."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name="组织", on_delete=models.PROTECT)
    board = models.ForeignKey(ServiceBoard, verbose_name="板块", on_delete=models.PROTECT)
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头部门", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = "板块配置"
        verbose_name_plural = "板块配置"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "board"], name="uniq_board_staffing")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.name}·{self.board.name}"


class BoardMembership(TimeStampedModel):
    staffing = models.ForeignKey(
        BoardStaffing, verbose_name="板块配置", on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        User, verbose_name="人员", on_delete=models.CASCADE, related_name="board_memberships"
    )
    position = models.CharField("职责", max_length=16, choices=BoardPosition.choices)

    class Meta:
        verbose_name = "板块人员"
        verbose_name_plural = "板块人员"
        constraints = [
            models.UniqueConstraint(fields=["staffing", "user"], name="uniq_board_member"),
            # One leader in charge and one chief commissioner per board and unit.
            models.UniqueConstraint(
                fields=["staffing", "position"],
                condition=~models.Q(position="commissioner"),
                name="uniq_board_single_positions",
            ),
        ]


class ApiToken(TimeStampedModel):
    """A bearer token for another government system. Only the SHA-256 of the token is stored.

    The token acts as its service user (role api_client, an org unit), so every permission rule
    applies to it as to a person.
    """

    name = models.CharField("名称", max_length=64)
    user = models.ForeignKey(
        User, verbose_name="接口账号", on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
