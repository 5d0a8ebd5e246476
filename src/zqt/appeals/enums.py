from django.db import models


class Channel(models.TextChoices):
    ONLINE = "online", "网上提交"
    WINDOW = "window", "窗口受理"
    HOTLINE = "hotline", "热线电话"
    API_12345 = "api_12345", "12345热线系统"
    COMMUNITY = "community", "企业社区"
    OPEN311 = "open311", "Open311 导入"


class AppealType(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    SUGGESTION = "suggestion", "建议"


class Scope(models.TextChoices):
    POINT = "point", "点上（企业个性问题）"
    CHAIN = "chain", "链上（产业链共性问题）"
    AREA = "area", "块上（区块企业问题）"


class Difficulty(models.TextChoices):
    SIMPLE = "simple", "简单"
    COMPLEX = "complex", "较复杂/跨部门"
    DIFFICULT = "difficult", "疑难"


class ResolutionType(models.TextChoices):
    SOLVED = "solved", "已解决"
    EXPLAINED = "explained", "已解释说明"
    REFERRED = "referred", "已转其他渠道"
    NOT_SOLVABLE = "not_solvable", "暂无法解决"


class Score(models.TextChoices):
    GOOD = "good", "好评"
    NEUTRAL = "neutral", "中评"
    BAD = "bad", "差评"


class Stage(models.TextChoices):
    ACCEPT = "accept", "受理"
    HANDLE = "handle", "办理"
    TASK = "task", "部门任务"


class TaskRole(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"
    SUMMONED = "summoned", "吹哨报到"


class TaskStatus(models.TextChoices):
    OPEN = "open", "办理中"
    DONE = "done", "已完成"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    GRANTED = "granted", "已同意"
    REFUSED = "refused", "不同意"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "待核实"
    CONTESTED = "contested", "经办人申辩"
    INVALID = "invalid", "差评不成立"
    RECTIFYING = "rectifying", "整改中"
    RECTIFIED = "rectified", "已整改待回访"
    DONE = "done", "已回访办结"


class CallbackReason(models.TextChoices):
    SAMPLE = "sample", "一般件抽样回访（20%）"
    DIFFICULT = "difficult", "疑难件回访"
    COMPLAINT = "complaint", "投诉件回访"
    REVIEW = "review", "差评整改回访"


class CallbackResult(models.TextChoices):
    SOLVED = "solved", "问题已解决"
    NOT_SOLVED = "not_solved", "问题未解决"
    UNREACHABLE = "unreachable", "联系不上"


class SupervisionLevel(models.IntegerChoices):
    NONE = 0, "无"
    BOARD_LEAD = 1, "板块分管领导督办"
    CHIEF = 2, "首席服务专员督办"
    FALLBACK = 3, "诉求服务板块兜底"
    OFFICE = 4, "营商办督办"


class EventKind(models.TextChoices):
    STATUS = "status", "状态变更"
    NOTE = "note", "备注"
    CLOCK = "clock", "时限"
    SUPERVISION = "supervision", "督办"
    RATING = "rating", "评价"
    CALLBACK = "callback", "回访"
    TASK = "task", "部门任务"


class ProblemClassStatus(models.TextChoices):
    OPEN = "open", "未解决"
    RESOLVED = "resolved", "已解决"
