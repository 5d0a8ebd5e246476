"""What the period's appeals are about, for the weekly report (pure: no ORM).

- `top_themes`: keywords of the appeals' texts (jieba's TF-IDF keyword extraction over the
  period), each with the number of appeals that mention it — "what enterprises asked about".
- `repeat_groups`: the same problem raised more than once — appeals already linked to one
  problem class, and, among the rest, groups of similar texts (character-bigram Jaccard, as the
  merge suggestion uses) that staff may want to turn into a problem class.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

_jieba_lock = threading.Lock()
# Words that are in almost every appeal and say nothing about its theme.
STOPWORDS = frozenset(
    {
        "企业",
        "公司",
        "我们",
        "希望",
        "需要",
        "问题",
        "情况",
        "相关",
        "部门",
        "政府",
        "帮助",
        "协调",
        "办理",
        "申请",
        "目前",
        "反映",
        "要求",
        "诉求",
        "解决",
        "能否",
        "是否",
        "有限公司",
        "没有",
        "迟迟",
        "一直",
        "已经",
        "如何",
        "怎么",
        "什么",
        "可以",
        "还是",
        "请帮忙",
    }
)
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")
REPEAT_SCAN_LIMIT = 500


def _extract(text: str, k: int) -> list[str]:
    import jieba
    import jieba.analyse

    with _jieba_lock:  # jieba's lazy dictionary load is not thread-safe
        jieba.setLogLevel(60)
        return list(jieba.analyse.extract_tags(text, topK=k))


def top_themes(texts: Sequence[str], *, k: int = 10) -> list[tuple[str, int]]:
    """The k most characteristic keywords of `texts`, with how many texts contain each,
    most frequent first."""
    texts = [t for t in texts if t and t.strip()]
    if not texts:
        return []
    candidates = [
        w for w in _extract("\n".join(texts), k * 3) if w not in STOPWORDS and _WORD.match(w)
    ]
    counted = [(word, sum(1 for t in texts if word in t)) for word in candidates]
    counted = [(w, n) for w, n in counted if n > 0]
    counted.sort(key=lambda wn: (-wn[1], candidates.index(wn[0])))
    return counted[:k]


@dataclass(frozen=True)
class RepeatItem:
    pk: int
    reference: str
    enterprise_id: int
    text: str
    problem_class: str | None = None


@dataclass
class RepeatGroup:
    label: str
    problem_class: str | None
    items: list[RepeatItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def enterprises(self) -> int:
        return len({i.enterprise_id for i in self.items})

    @property
    def references(self) -> list[str]:
        return [i.reference for i in self.items[:5]]


def repeat_groups(
    items: Sequence[RepeatItem],
    *,
    similarity: Callable[[str, str], float],
    threshold: float = 0.35,
    limit: int = 10,
) -> list[RepeatGroup]:
    """Groups of two or more appeals about the same problem, largest first."""
    groups: list[RepeatGroup] = []
    by_class: dict[str, RepeatGroup] = {}
    loose: list[RepeatItem] = []
    for item in items:
        if item.problem_class:
            group = by_class.setdefault(
                item.problem_class,
                RepeatGroup(label=item.problem_class, problem_class=item.problem_class),
            )
            group.items.append(item)
        else:
            loose.append(item)
    groups.extend(by_class.values())
    clusters: list[RepeatGroup] = []
    for item in loose[:REPEAT_SCAN_LIMIT]:
        for cluster in clusters:
            if similarity(cluster.items[0].text, item.text) >= threshold:
                cluster.items.append(item)
                break
        else:
            clusters.append(RepeatGroup(label=item.text[:40], problem_class=None, items=[item]))
    groups.extend(clusters)
    repeated = [g for g in groups if g.count >= 2]
    repeated.sort(key=lambda g: (-g.count, -g.enterprises, g.label))
    return repeated[:limit]
