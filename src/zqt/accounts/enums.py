from django.db import models


class Role(models.TextChoices):
    """DESIGN §1. One primary role per account; boards/departments are memberships."""

    ENTERPRISE = "enterprise", "企业用户"
    AGENT = "agent", "经办人/中介"
    FRONT_DESK = "front_desk", "综合受理"
    BOARD_STAFF = "board_staff", "板块服务专员"
    CHIEF_COMMISSIONER = "chief_commissioner", "首席服务专员"
    DEPARTMENT_REVIEWER = "department_reviewer", "部门审核"
    INSPECTOR = "inspector", "执法人员"
    OPERATIONS = "operations", "营商办"
    API_CLIENT = "api_client", "接口系统"


class OrgLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（市、区）"
    TOWNSHIP = "township", "乡镇（街道）/园区/企业社区"


class OrgKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", "行政区划"
    PARK = "park", "园区"
    COMMUNITY = "community", "企业社区"


class BoardPosition(models.TextChoices):
    LEADER_IN_CHARGE = "leader", "分管领导"
    CHIEF_COMMISSIONER = "chief", "首席服务专员"
    COMMISSIONER = "commissioner", "服务专员"
