from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zqt.accounts.enums import OrgLevel
from zqt.accounts.models import OrgUnit
from zqt.enterprises import excel
from zqt.enterprises.enums import EnterpriseStatus
from zqt.enterprises.models import Industry, Tag

# Purposes a staff member may declare when opening an enterprise's detail (recorded in audit).
ACCESS_PURPOSES: list[tuple[str, Any]] = [
    ("窗口查询", _("窗口查询")),
    ("服务走访", _("服务走访")),
    ("诉求办理", _("诉求办理")),
    ("审批审核", _("审批审核")),
    ("执法检查", _("执法检查")),
    ("统计分析", _("统计分析")),
]
DEFAULT_PURPOSE = "窗口查询"

_LEVEL_INDENT: dict[str, str] = {
    OrgLevel.PROVINCE: "",
    OrgLevel.CITY: "\u3000",
    OrgLevel.COUNTY: "\u3000\u3000",
    OrgLevel.TOWNSHIP: "\u3000\u3000\u3000",
}


def region_choices(units: list[OrgUnit]) -> list[tuple[str, str]]:
    return [("", str(_("全部区划")))] + [
        (unit.code, f"{_LEVEL_INDENT.get(unit.level, '')}{unit.name}") for unit in units
    ]


def industry_choices(industries: list[Industry]) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", str(_("全部行业")))]
    for industry in industries:
        indent = "" if industry.level == "section" else "\u3000"
        choices.append((industry.code, f"{indent}{industry.code} {industry.name}"))
    return choices


class EnterpriseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("统一社会信用代码或企业名称"),
        max_length=128,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("输入代码或名称的一部分"), "autofocus": True}
        ),
    )
    region = forms.ChoiceField(label=_("所属区划"), required=False)
    industry = forms.ChoiceField(label=_("行业"), required=False)
    status = forms.ChoiceField(
        label=_("登记状态"),
        required=False,
        choices=[("", _("全部状态")), *((v, _(label)) for v, label in EnterpriseStatus.choices)],
    )
    tag = forms.ChoiceField(label=_("标签"), required=False)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        regions: list[OrgUnit],
        industries: list[Industry],
        tags: list[Tag],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions)  # type: ignore[attr-defined]
        self.fields["industry"].choices = industry_choices(industries)  # type: ignore[attr-defined]
        self.fields["tag"].choices = [("", _("全部标签"))] + [  # type: ignore[attr-defined]
            (tag.code, tag.name) for tag in tags
        ]

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").strip()


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(label=_("查询目的"), choices=ACCESS_PURPOSES, required=False)


IMPORT_KINDS: list[tuple[str, Any]] = [
    ("enterprise", _("市场主体")),
    ("licence", _("证照（须为已登记的市场主体）")),
]
IMPORT_MODE_LABELS: list[tuple[str, Any]] = [
    (excel.ALL_OR_NOTHING, _("全部成功才导入（任一行有错误则不导入任何数据）")),
    (excel.GOOD_ROWS, _("导入正确的行（有错误的行不导入，并列出错误）")),
]


class EnterpriseImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入内容"), widget=forms.RadioSelect, choices=IMPORT_KINDS, initial="enterprise"
    )
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("请使用导入模板填写，文件不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + excel.XLSX_CONTENT_TYPE}),
    )
    mode = forms.ChoiceField(
        label=_("导入方式"),
        widget=forms.RadioSelect,
        choices=IMPORT_MODE_LABELS,
        initial=excel.ALL_OR_NOTHING,
    )
