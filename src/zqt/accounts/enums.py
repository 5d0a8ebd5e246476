"""Choice labels stay plain Chinese strings: the API and the Excel import/export use them as
they are. gettext_noop only marks them for the message catalog; pages translate them at
render time with {% translate obj.x_label %} (or gettext_lazy around the choices in forms)."""

from django.db import models
from django.utils.translation import gettext_noop


class Role(models.TextChoices):
    """DESIGN §1. One primary role per account; boards/departments are memberships."""

    ENTERPRISE = "enterprise", gettext_noop("企业用户")
    AGENT = "agent", gettext_noop("经办人/中介")
    FRONT_DESK = "front_desk", gettext_noop("综合受理")
    BOARD_STAFF = "board_staff", gettext_noop("板块服务专员")
    CHIEF_COMMISSIONER = "chief_commissioner", gettext_noop("首席服务专员")
    DEPARTMENT_REVIEWER = "department_reviewer", gettext_noop("部门审核")
    INSPECTOR = "inspector", gettext_noop("执法人员")
    OPERATIONS = "operations", gettext_noop("营商办")
    API_CLIENT = "api_client", gettext_noop("接口系统")


class OrgLevel(models.TextChoices):
    PROVINCE = "province", gettext_noop("省")
    CITY = "city", gettext_noop("市")
    COUNTY = "county", gettext_noop("县（市、区）")
    TOWNSHIP = "township", gettext_noop("乡镇（街道）/园区/企业社区")


class OrgKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", gettext_noop("行政区划")
    PARK = "park", gettext_noop("园区")
    COMMUNITY = "community", gettext_noop("企业社区")


class BoardPosition(models.TextChoices):
    LEADER_IN_CHARGE = "leader", gettext_noop("分管领导")
    CHIEF_COMMISSIONER = "chief", gettext_noop("首席服务专员")
    COMMISSIONER = "commissioner", gettext_noop("服务专员")
