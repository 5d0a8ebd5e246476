"""The weekly trend report (诉求舆情监测报告): a read over one period, as data for the page and
the Excel export. Percentiles are in working days (deadlines.elapsed_working_days)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from zqt.appeals import deadlines, themes
from zqt.appeals.models import Appeal, Callback, Extension, Rating
from zqt.appeals.selectors import text_similarity, working_calendar


def percentile(values: list[int], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-p * len(ordered) // 100)))
    return float(ordered[min(rank, len(ordered)) - 1])


@dataclass
class BoardRow:
    board: str
    received: int = 0
    answered: int = 0
    on_time: int = 0
    durations: list[int] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.answered if self.answered else None

    @property
    def p50(self) -> float | None:
        return percentile(self.durations, 50)

    @property
    def p90(self) -> float | None:
        return percentile(self.durations, 90)


def trend_report(*, appeals: QuerySet[Appeal], start: dt.date, end: dt.date) -> dict[str, Any]:
    """Appeals received in [start, end] (local dates) among `appeals` (already scoped)."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=deadlines.SHANGHAI)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=deadlines.SHANGHAI)
    rows = list(
        appeals.filter(received_at__gte=lo, received_at__lt=hi)
        .select_related("board")
        .values(
            "pk",
            "board__name",
            "region_code",
            "industry_code",
            "received_at",
            "answered_at",
            "answered_late",
            "reopen_count",
            "appeal_type",
            "status",
            "reference",
            "enterprise_id",
            "title",
            "content",
            "problem_class__title",
        )
        .order_by("-received_at")
    )
    ids = [r["pk"] for r in rows]
    cal = working_calendar()
    boards: dict[str, BoardRow] = {}
    by_region: Counter[str] = Counter()
    by_industry: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    for r in rows:
        name = r["board__name"] or "未分派"
        row = boards.setdefault(name, BoardRow(board=name))
        row.received += 1
        by_region[r["region_code"][:6]] += 1
        by_industry[r["industry_code"] or "-"] += 1
        by_type[r["appeal_type"]] += 1
        if r["answered_at"]:
            row.answered += 1
            row.on_time += 0 if r["answered_late"] else 1
            row.durations.append(
                deadlines.elapsed_working_days(
                    start=r["received_at"], end=r["answered_at"], cal=cal
                )
            )
    ratings = Counter(Rating.objects.filter(appeal_id__in=ids).values_list("score", flat=True))
    rated = sum(ratings.values())
    callbacks_due = Callback.objects.filter(appeal_id__in=ids).count()
    callbacks_done = Callback.objects.filter(appeal_id__in=ids, made_at__isnull=False).count()
    extensions = Counter(
        Extension.objects.filter(appeal_id__in=ids).values_list("status", flat=True)
    )
    texts = [f"{r['title']}。{r['content']}" for r in rows]
    repeats = themes.repeat_groups(
        [
            themes.RepeatItem(
                pk=r["pk"],
                reference=r["reference"],
                enterprise_id=r["enterprise_id"],
                text=text,
                problem_class=r["problem_class__title"],
            )
            for r, text in zip(rows, texts, strict=True)
        ],
        similarity=text_similarity,
    )
    answered = sum(b.answered for b in boards.values())
    on_time = sum(b.on_time for b in boards.values())
    all_durations = [d for b in boards.values() for d in b.durations]
    return {
        "start": start,
        "end": end,
        "total": len(rows),
        "answered": answered,
        "on_time_rate": on_time / answered if answered else None,
        "p50": percentile(all_durations, 50),
        "p90": percentile(all_durations, 90),
        "reopen_rate": (sum(1 for r in rows if r["reopen_count"]) / len(rows)) if rows else None,
        "bad_rate": ratings.get("bad", 0) / rated if rated else None,
        "ratings": dict(ratings),
        "callback_coverage": callbacks_done / callbacks_due if callbacks_due else None,
        "callbacks_due": callbacks_due,
        "callbacks_done": callbacks_done,
        "extensions": dict(extensions),
        "boards": sorted(boards.values(), key=lambda b: -b.received),
        "by_region": by_region.most_common(),
        "by_industry": by_industry.most_common(10),
        "by_type": by_type.most_common(),
        "themes": themes.top_themes(texts),
        "repeats": repeats,
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def report_xlsx(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "总体"
    ws.append(["诉求周报", f"{report['start']} 至 {report['end']}"])
    for label, value in [
        ("受理总量", report["total"]),
        ("已答复", report["answered"]),
        ("按时答复率", _pct(report["on_time_rate"])),
        ("办理工作日 P50", report["p50"]),
        ("办理工作日 P90", report["p90"]),
        ("重办率", _pct(report["reopen_rate"])),
        ("差评率", _pct(report["bad_rate"])),
        ("回访覆盖率", _pct(report["callback_coverage"])),
        (
            "延期申请（同意/不同意/待批）",
            f"{report['extensions'].get('granted', 0)}/{report['extensions'].get('refused', 0)}/"
            f"{report['extensions'].get('pending', 0)}",
        ),
    ]:
        ws.append([label, value])
    boards = wb.create_sheet("分板块")
    boards.append(["板块", "受理", "答复", "按时率", "P50工作日", "P90工作日"])
    for b in report["boards"]:
        boards.append([b.board, b.received, b.answered, _pct(b.on_time_rate), b.p50, b.p90])
    regions = wb.create_sheet("分区域")
    regions.append(["区划", "数量"])
    for code, n in report["by_region"]:
        regions.append([code, n])
    industries = wb.create_sheet("分行业")
    industries.append(["行业", "数量"])
    for code, n in report["by_industry"]:
        industries.append([code, n])
    topics = wb.create_sheet("热点主题")
    topics.append(["关键词", "涉及诉求数"])
    for word, n in report["themes"]:
        topics.append([word, n])
    repeats = wb.create_sheet("重复问题")
    repeats.append(["问题", "问题类", "诉求数", "企业数", "诉求编号（前5）"])
    for g in report["repeats"]:
        repeats.append(
            [g.label, g.problem_class or "-", g.count, g.enterprises, "、".join(g.references)]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
