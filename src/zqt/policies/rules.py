"""Eligibility rules as data: a restricted, typed JSON condition tree. Pure (no ORM).

A rule document::

    {"params": {"min_rd_ratio": [{"from": "2024-01-01", "value": "3"},
                                 {"from": "2026-01-01", "value": "3.5"}]},
     "condition": {"op": "all", "items": [
        {"op": "cmp", "field": "rd_ratio", "cmp": ">=", "value": {"param": "min_rd_ratio"},
         "ref": "第三条第（一）项"},
        {"op": "has", "field": "tags", "value": "high_tech", "ref": "第三条第（二）项"},
        {"op": "unless", "rule": {...}, "except": {...}}]}}

Operators (closed set; anything else is refused):
- boolean: all / any (non-empty "items"), not ("item"), unless ("rule" holds unless "except"
  holds: rule AND NOT except);
- atoms, each with a legal reference "ref" (the article of the policy document) and an optional
  Chinese sentence template "text" ({label} {actual} {op} {required}):
  cmp (numbers, money, dates, ratios: < <= > >= == !=), in (code field in "values"),
  prefix (region/industry code starts with one of "prefixes"; a GB/T 4754 section letter covers
  its divisions), has (set field contains "value": tag, licence type), founded_within ("years":
  founded less than N years before the evaluation date), penalties_within (number of penalties
  decided in the last "years" years compared with "value"), grade_at_least (credit grade ≥
  "grade", A best).

Values of cmp may be dated parameters ({"param": name}): the value in force on the evaluation
date is the one with the latest "from" on or before it.

Three-valued: a missing value, a stale one (older than the field's max_age_days) or a ratio with
a zero denominator makes an atom UNKNOWN (None); all/any/not/unless follow Kleene's logic, so an
UNKNOWN never turns into "eligible". Exact: money and decimals are Decimal (thresholds may not
have more decimal places than the field), ratios are compared as num × 10000 ⋛ bp × den.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from zqt.policies import catalog as cat
from zqt.policies.catalog import FIELDS, FieldSpec

Tri = bool | None  # True / False / None (UNKNOWN)

BOOL_OPS: Final = frozenset({"all", "any", "not", "unless"})
ATOM_OPS: Final = frozenset(
    {"cmp", "in", "prefix", "has", "founded_within", "penalties_within", "grade_at_least"}
)
CMP_OPS: Final = ("<", "<=", ">", ">=", "==", "!=")
CMP_ZH: Final = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}
MAX_DEPTH: Final = 12
MAX_NODES: Final = 200
_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ATOM_KEYS: Final = {
    "cmp": {"field", "cmp", "value"},
    "in": {"field", "values"},
    "prefix": {"field", "prefixes"},
    "has": {"field", "value"},
    "founded_within": {"years"},
    "penalties_within": {"years", "cmp", "value"},
    "grade_at_least": {"grade"},
}
_COMMON_KEYS: Final = {"op", "ref", "text"}


class RuleError(ValueError):
    """A rule document that cannot be accepted; `errors` lists every problem with its path."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__(errors[0]["message"] if errors else "规则无效")


# --- parsed form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    """One atomic condition. `value` is a literal already typed (Decimal, int, date, str, ...)
    or a parameter name (param=True)."""

    op: str
    path: str
    ref: str
    field: str = ""
    cmp: str = ""
    value: Any = None
    param: str = ""
    values: tuple[str, ...] = ()
    years: int = 0
    text: str = ""

    def reads(self) -> tuple[str, ...]:
        if self.op == "founded_within":
            return ("founded_on",)
        if self.op == "penalties_within":
            return ("penalties",)
        if self.op == "grade_at_least":
            return ("credit_grade",)
        return cat.base_fields(self.field)


@dataclass(frozen=True)
class Node:
    op: str  # all | any | not | unless | atom
    children: tuple[Node, ...] = ()
    atom: Atom | None = None


@dataclass(frozen=True)
class Rule:
    condition: Node
    params: dict[str, tuple[tuple[dt.date, Any], ...]]
    document: dict[str, Any]

    def atoms(self) -> Iterator[Atom]:
        stack = [self.condition]
        while stack:
            node = stack.pop()
            if node.atom is not None:
                yield node.atom
            stack.extend(reversed(node.children))

    def fields_read(self) -> frozenset[str]:
        """The stored fields the rule reads (derived automatically)."""
        return frozenset(f for a in self.atoms() for f in a.reads())

    def param_value(self, name: str, on: dt.date) -> Any:
        found: Any = None
        for start, value in self.params.get(name, ()):
            if start <= on:
                found = value
        return found


@dataclass(frozen=True)
class ResolvedAtom:
    """An atom with its parameter resolved for one evaluation date; `key` identifies it across
    policies so that each distinct condition is evaluated once per sweep."""

    atom: Atom
    value: Any

    @property
    def key(self) -> str:
        a = self.atom
        payload = [a.op, a.field, a.cmp, _jsonable(self.value), list(a.values), a.years]
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date):
        return str(value)
    return value


# --- parsing and validation ----------------------------------------------------------------


class _Parser:
    def __init__(self, params: Mapping[str, Any]) -> None:
        self.errors: list[dict[str, str]] = []
        self.nodes = 0
        self.raw_params = params
        self.param_kinds: dict[str, FieldSpec] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "message": message})

    def node(self, raw: Any, path: str, depth: int) -> Node | None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self.error(path, f"条件过多（最多 {MAX_NODES} 个）")
            return None
        if depth > MAX_DEPTH:
            self.error(path, f"条件嵌套过深（最多 {MAX_DEPTH} 层）")
            return None
        if not isinstance(raw, dict):
            self.error(path, "条件必须是对象（{...}）")
            return None
        op = raw.get("op")
        if op in ("all", "any"):
            self._keys(raw, path, {"op", "items"})
            items = raw.get("items")
            if not isinstance(items, list) or not items:
                self.error(f"{path}.items", f"“{op}”需要至少一个子条件（items）")
                return None
            children = [self.node(x, f"{path}.items[{i}]", depth + 1) for i, x in enumerate(items)]
            if any(c is None for c in children):
                return None
            return Node(op=op, children=tuple(c for c in children if c is not None))
        if op == "not":
            self._keys(raw, path, {"op", "item"})
            child = self.node(raw.get("item"), f"{path}.item", depth + 1)
            return Node(op="not", children=(child,)) if child else None
        if op == "unless":
            self._keys(raw, path, {"op", "rule", "except"})
            rule = self.node(raw.get("rule"), f"{path}.rule", depth + 1)
            exc = self.node(raw.get("except"), f"{path}.except", depth + 1)
            return Node(op="unless", children=(rule, exc)) if rule and exc else None
        if op in ATOM_OPS:
            atom = self.atom(raw, path, str(op))
            return Node(op="atom", atom=atom) if atom else None
        allowed = "、".join(sorted(BOOL_OPS | ATOM_OPS))
        self.error(f"{path}.op", f"未知的运算“{op}”，可用：{allowed}")
        return None

    def _keys(self, raw: Mapping[str, Any], path: str, allowed: set[str]) -> bool:
        extra = sorted(set(raw) - allowed)
        if extra:
            self.error(path, f"不支持的键：{'、'.join(extra)}")
            return False
        return True

    def _field(self, raw: Mapping[str, Any], path: str, kinds: set[str]) -> FieldSpec | None:
        name = raw.get("field")
        spec = FIELDS.get(name) if isinstance(name, str) else None
        if spec is None:
            self.error(f"{path}.field", f"未知字段“{name}”，请使用字段目录中的字段")
            return None
        if spec.kind not in kinds:
            self.error(f"{path}.field", f"字段“{spec.label}”（{spec.name}）不能用于此运算")
            return None
        return spec

    def _years(self, raw: Mapping[str, Any], path: str) -> int | None:
        years = raw.get("years")
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 100:
            self.error(f"{path}.years", "年数必须是 1 到 100 之间的整数")
            return None
        return years

    def atom(self, raw: Mapping[str, Any], path: str, op: str) -> Atom | None:
        before = len(self.errors)
        self._keys(raw, path, _ATOM_KEYS[op] | _COMMON_KEYS)
        ref = raw.get("ref")
        if not isinstance(ref, str) or not ref.strip():
            self.error(f"{path}.ref", "每个条件都要写明政策依据（ref，如“第三条第（一）项”）")
        text = raw.get("text", "")
        if not isinstance(text, str) or len(text) > 200:
            self.error(f"{path}.text", "说明模板必须是不超过 200 字的文字")
            text = ""
        elif text:
            try:
                text.format(label="", actual="", op="", required="")
            except (KeyError, IndexError, ValueError):
                self.error(f"{path}.text", "说明模板只能使用 {label} {actual} {op} {required}")
        ref_s = ref.strip() if isinstance(ref, str) else ""
        common: dict[str, Any] = {"op": op, "path": path, "ref": ref_s, "text": text}
        result: Atom | None = None
        if op == "cmp":
            kinds = {cat.MONEY, cat.DECIMAL, cat.INT, cat.DATE, cat.RATIO}
            spec = self._field(raw, path, kinds)
            cmp = raw.get("cmp")
            if cmp not in CMP_OPS:
                self.error(f"{path}.cmp", f"比较符必须是 {' '.join(CMP_OPS)} 之一")
            if spec is not None and cmp in CMP_OPS:
                value = raw.get("value")
                if isinstance(value, dict):
                    if set(value) != {"param"} or not isinstance(value.get("param"), str):
                        self.error(f"{path}.value", '参数引用必须写成 {"param": "名称"}')
                    else:
                        name = value["param"]
                        if name not in self.raw_params:
                            self.error(f"{path}.value", f"未定义的参数“{name}”")
                        elif name in self.param_kinds and self.param_kinds[name].kind != spec.kind:
                            self.error(f"{path}.value", f"参数“{name}”被用于不同类型的字段")
                        else:
                            self.param_kinds[name] = spec
                            result = Atom(field=spec.name, cmp=str(cmp), param=name, **common)
                else:
                    typed = self.literal(spec, value, f"{path}.value")
                    if typed is not None:
                        result = Atom(field=spec.name, cmp=str(cmp), value=typed, **common)
        elif op == "in":
            spec = self._field(raw, path, {cat.CODE})
            values = raw.get("values")
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(v, str) and v for v in values)
            ):
                self.error(f"{path}.values", "取值集合（values）必须是非空的文字列表")
            elif spec is not None:
                bad = [v for v in values if spec.choices and v not in spec.choices]
                if bad:
                    self.error(
                        f"{path}.values",
                        f"字段“{spec.label}”没有取值：{'、'.join(bad)}（可用：{'、'.join(spec.choices)}）",
                    )
                else:
                    result = Atom(field=spec.name, values=tuple(sorted(set(values))), **common)
        elif op == "prefix":
            spec = self._field(raw, path, {cat.CODE})
            prefixes = raw.get("prefixes")
            if spec is not None and spec.name not in ("industry_code", "region_code"):
                self.error(f"{path}.field", "前缀匹配只用于行业代码或区划代码")
            elif (
                not isinstance(prefixes, list)
                or not prefixes
                or not all(
                    isinstance(p, str) and re.fullmatch(r"[A-T]|[0-9]{1,12}|[A-T][0-9]{2}", p)
                    for p in prefixes
                )
            ):
                self.error(f"{path}.prefixes", "前缀（prefixes）必须是非空列表，元素为代码前缀")
            elif spec is not None:
                cleaned = tuple(sorted({p[1:] if len(p) == 3 else p for p in prefixes}))
                result = Atom(field=spec.name, values=cleaned, **common)
        elif op == "has":
            spec = self._field(raw, path, {cat.SET})
            value = raw.get("value")
            if not isinstance(value, str) or not value:
                self.error(f"{path}.value", "须给出标签或证照类型（value）")
            elif spec is not None and spec.choices and value not in spec.choices:
                self.error(
                    f"{path}.value",
                    f"“{spec.label}”没有取值“{value}”（可用：{'、'.join(spec.choices)}）",
                )
            elif spec is not None:
                result = Atom(field=spec.name, value=value, **common)
        elif op == "founded_within":
            years = self._years(raw, path)
            if years is not None:
                result = Atom(years=years, field="founded_on", **common)
        elif op == "penalties_within":
            years = self._years(raw, path)
            cmp = raw.get("cmp")
            value = raw.get("value")
            if cmp not in CMP_OPS:
                self.error(f"{path}.cmp", f"比较符必须是 {' '.join(CMP_OPS)} 之一")
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.error(f"{path}.value", "处罚次数必须是非负整数")
            elif years is not None:
                result = Atom(years=years, cmp=str(cmp), value=value, field="penalties", **common)
        elif op == "grade_at_least":
            grade = raw.get("grade")
            if grade not in cat.GRADES:
                self.error(f"{path}.grade", "信用等级必须是 A、B、C、D、E 之一")
            else:
                result = Atom(value=grade, field="credit_grade", **common)
        return result if len(self.errors) == before else None

    def literal(self, spec: FieldSpec, value: Any, path: str) -> Any:
        """A JSON value typed for `spec` (None after recording an error)."""
        kind = spec.kind
        if kind in (cat.MONEY, cat.DECIMAL, cat.RATIO):
            scale = 2 if kind == cat.RATIO else spec.scale
            if isinstance(value, bool) or not isinstance(value, str | int):
                self.error(path, f'“{spec.label}”的取值须为数字文本，如 "3.5"（不用小数浮点）')
                return None
            try:
                number = Decimal(str(value).strip().rstrip("%"))
            except InvalidOperation:
                self.error(path, f"“{value}”不是有效的数字")
                return None
            if not number.is_finite():
                self.error(path, f"“{value}”不是有效的数字")
                return None
            exponent = number.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > scale:
                unit = "%" if kind == cat.RATIO else spec.unit
                self.error(path, f"“{spec.label}”最多 {scale} 位小数（单位：{unit}）")
                return None
            if number < 0:
                self.error(path, f"“{spec.label}”的取值不能为负数")
                return None
            return number
        if kind == cat.INT:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.error(path, f"“{spec.label}”的取值须为非负整数")
                return None
            return value
        if kind == cat.DATE:
            if not isinstance(value, str) or not _DATE_RE.match(value):
                self.error(path, f"“{spec.label}”的取值须为日期，格式 YYYY-MM-DD")
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                self.error(path, f"“{value}”不是有效的日期")
                return None
        self.error(path, f"字段“{spec.label}”不能比较大小")
        return None


def parse_rule(document: Any) -> Rule:
    """Validate and parse a rule document (dict or JSON text). Raises RuleError listing every
    problem (Chinese messages with the JSON path)."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise RuleError([{"path": "$", "message": f"规则不是有效的 JSON：{exc}"}]) from None
    if not isinstance(document, dict):
        raise RuleError([{"path": "$", "message": "规则必须是 JSON 对象"}])
    extra = sorted(set(document) - {"condition", "params"})
    raw_params = document.get("params", {}) or {}
    parser = _Parser(raw_params if isinstance(raw_params, dict) else {})
    if extra:
        parser.error("$", f"不支持的键：{'、'.join(extra)}")
    if not isinstance(raw_params, dict):
        parser.error("$.params", "参数（params）必须是对象")
    if "condition" not in document:
        parser.error("$.condition", "缺少条件（condition）")
        raise RuleError(parser.errors)
    root = parser.node(document["condition"], "$.condition", 1)
    params: dict[str, tuple[tuple[dt.date, Any], ...]] = {}
    if isinstance(raw_params, dict):
        for name, entries in raw_params.items():
            ppath = f"$.params.{name}"
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", str(name)):
                parser.error(ppath, "参数名只能用小写字母、数字和下划线")
                continue
            if name not in parser.param_kinds:
                if not parser.errors:
                    parser.error(ppath, f"参数“{name}”没有被任何条件使用")
                continue
            spec = parser.param_kinds[name]
            if not isinstance(entries, list) or not entries:
                parser.error(ppath, '参数须为非空列表：[{"from": 日期, "value": 取值}]')
                continue
            typed: list[tuple[dt.date, Any]] = []
            for i, entry in enumerate(entries):
                epath = f"{ppath}[{i}]"
                if not isinstance(entry, dict) or set(entry) != {"from", "value"}:
                    parser.error(epath, '每一项须为 {"from": 日期, "value": 取值}')
                    continue
                start = entry["from"]
                try:
                    day = dt.date.fromisoformat(start) if isinstance(start, str) else None
                except ValueError:
                    day = None
                if day is None:
                    parser.error(f"{epath}.from", "起始日期格式须为 YYYY-MM-DD")
                    continue
                value = parser.literal(spec, entry["value"], f"{epath}.value")
                if value is not None:
                    typed.append((day, value))
            days = [d for d, _ in typed]
            if len(set(days)) != len(days):
                parser.error(ppath, "同一参数的起始日期不能重复")
            params[name] = tuple(sorted(typed, key=lambda t: t[0]))
    if parser.errors or root is None:
        raise RuleError(parser.errors or [{"path": "$", "message": "规则无效"}])
    return Rule(condition=root, params=params, document=document)


# --- enterprise facts -----------------------------------------------------------------------


@dataclass
class Facts:
    """What is known about one enterprise: typed values by field name (None = missing) and the
    as-of date of each value that can go stale."""

    values: dict[str, Any] = field(default_factory=dict)
    as_of: dict[str, dt.date] = field(default_factory=dict)

    def get(self, name: str, today: dt.date) -> tuple[Any, str]:
        """(value, "") or (None, reason) where reason is "missing" or "stale"."""
        value = self.values.get(name)
        if value is None:
            return None, "missing"
        max_age = FIELDS[name].max_age_days
        if max_age is not None:
            seen = self.as_of.get(name)
            if seen is None or (today - seen).days > max_age:
                return None, "stale"
        return value, ""


def facts_from_json(data: Mapping[str, Any], *, today: dt.date | None = None) -> Facts:
    """Facts from JSON (example cases, the rule editor's test box): numbers as text, dates as
    ISO text, sets as lists, {"value": ..., "as_of": "YYYY-MM-DD"} for a dated value (a plain
    value is taken as of `today`). Raises RuleError for unknown fields or wrong types."""
    errors: list[dict[str, str]] = []
    facts = Facts()
    for name, raw in data.items():
        spec = FIELDS.get(name)
        if spec is None or spec.kind == cat.RATIO:
            errors.append({"path": name, "message": f"未知字段“{name}”"})
            continue
        as_of = today
        if isinstance(raw, dict):
            try:
                as_of = dt.date.fromisoformat(str(raw.get("as_of")))
            except ValueError:
                errors.append({"path": name, "message": "as_of 须为日期 YYYY-MM-DD"})
                continue
            raw = raw.get("value")
        if raw is None:
            continue
        try:
            value = typed_fact(spec, raw)
        except (ValueError, TypeError, InvalidOperation):
            errors.append({"path": name, "message": f"“{spec.label}”的取值类型不对：{raw!r}"})
            continue
        facts.values[name] = value
        if as_of is not None:
            facts.as_of[name] = as_of
    if errors:
        raise RuleError(errors)
    return facts


def typed_fact(spec: FieldSpec, raw: Any) -> Any:
    if spec.kind in (cat.MONEY, cat.DECIMAL):
        if isinstance(raw, float | bool):
            raise TypeError
        value = Decimal(str(raw))
        exponent = value.as_tuple().exponent
        if not value.is_finite() or (isinstance(exponent, int) and -exponent > spec.scale):
            raise ValueError
        return value
    if spec.kind == cat.INT:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError
        return raw
    if spec.kind == cat.DATE:
        return dt.date.fromisoformat(raw)
    if spec.kind in (cat.CODE, cat.GRADE):
        if not isinstance(raw, str) or (spec.choices and raw not in spec.choices):
            raise ValueError
        return raw
    if spec.kind == cat.SET:
        if not isinstance(raw, list):
            raise TypeError
        return frozenset(str(x) for x in raw)
    if spec.kind == cat.EVENTS:
        if not isinstance(raw, list):
            raise TypeError
        return tuple(sorted(dt.date.fromisoformat(x) for x in raw))
    raise TypeError


# --- reference evaluator ----------------------------------------------------------------------


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day: dt.date, years: int) -> dt.date:
    return years_before(day, -years)


def _compare(left: Any, cmp: str, right: Any) -> bool:
    if cmp == "<":
        return bool(left < right)
    if cmp == "<=":
        return bool(left <= right)
    if cmp == ">":
        return bool(left > right)
    if cmp == ">=":
        return bool(left >= right)
    if cmp == "==":
        return bool(left == right)
    return bool(left != right)


def bp(percent: Decimal) -> int:
    """A percentage with at most two decimals as integer basis points (3.5 → 350)."""
    return int(percent * 100)


@dataclass(frozen=True)
class AtomResult:
    atom: Atom
    verdict: Tri
    actual: str  # plain Chinese display of the actual value ("2.1%", "数据缺失")
    required: str  # display of the requirement ("≥ 3%")
    sentence: str  # "研发投入占比 2.1%，要求 ≥ 3%"
    reason: str = ""  # "", "missing" or "stale"
    flips_on: dt.date | None = None  # when time alone changes the verdict


def atom_verdict(ra: ResolvedAtom, facts: Facts, today: dt.date) -> Tri:
    """The reference verdict of one resolved atom for one enterprise (no explanation)."""
    a, target = ra.atom, ra.value
    if a.op == "cmp":
        if target is None:
            return None
        spec = FIELDS[a.field]
        if spec.kind == cat.RATIO:
            num, r1 = facts.get(spec.numerator, today)
            den, r2 = facts.get(spec.denominator, today)
            if r1 or r2 or den == 0:
                return None
            return _compare(num * 10000, a.cmp, bp(target) * den)
        value, reason = facts.get(a.field, today)
        return None if reason else _compare(value, a.cmp, target)
    # The parser sets `field` to the field every atom reads (founded_on, penalties, ...).
    value, reason = facts.get(a.field, today)
    if reason:
        return None
    if a.op == "in":
        return value in a.values
    if a.op == "prefix":
        return prefix_match(a.field, value, a.values)
    if a.op == "has":
        return a.value in value
    if a.op == "founded_within":
        return bool(value > years_before(today, a.years))
    if a.op == "penalties_within":
        cutoff = years_before(today, a.years)
        return _compare(sum(1 for d in value if cutoff < d <= today), a.cmp, target)
    if a.op == "grade_at_least":
        return cat.grade_rank(value) >= cat.grade_rank(target)
    raise AssertionError(a.op)  # pragma: no cover - the parser admits no other op


def evaluate_atom(ra: ResolvedAtom, facts: Facts, today: dt.date) -> AtomResult:
    """The reference evaluation of one resolved atom, with its explanation in plain Chinese."""
    a, target = ra.atom, ra.value
    verdict = atom_verdict(ra, facts, today)
    actual = ""
    reason = ""
    flips: dt.date | None = None
    if a.op == "cmp":
        if target is None:
            return _result(a, None, "—", "参数在该日期无取值", "param")
        spec = FIELDS[a.field]
        if spec.kind == cat.RATIO:
            num, r1 = facts.get(spec.numerator, today)
            den, r2 = facts.get(spec.denominator, today)
            reason = r1 or r2 or ("missing" if den == 0 else "")
            if not reason:
                actual = f"{_pct(num / den * 100)}%"
            required = f"{CMP_ZH[a.cmp]} {_pct(target)}%"
        else:
            value, reason = facts.get(a.field, today)
            if not reason:
                actual = _show(spec, value)
            required = f"{CMP_ZH[a.cmp]} {_show(spec, target)}"
    elif a.op == "in":
        value, reason = facts.get(a.field, today)
        actual = "" if reason else _label(value)
        required = f"属于 {'、'.join(_label(v) for v in a.values)}"
    elif a.op == "prefix":
        value, reason = facts.get(a.field, today)
        actual = "" if reason else str(value)
        required = f"以 {'、'.join(a.values)} 开头"
    elif a.op == "has":
        value, reason = facts.get(a.field, today)
        actual = "" if reason else ("有" if verdict else "无")
        required = f"具有“{_label(a.value)}”"
    elif a.op == "founded_within":
        value, reason = facts.get("founded_on", today)
        if not reason:
            actual = f"成立于 {value.isoformat()}"
            flips = years_after(value, a.years) if verdict else None
        required = f"成立不满 {a.years} 年"
    elif a.op == "penalties_within":
        value, reason = facts.get("penalties", today)
        if not reason:
            cutoff = years_before(today, a.years)
            recent = [d for d in value if cutoff < d <= today]
            actual = f"{len(recent)} 次"
            if recent:
                flips = years_after(min(recent), a.years)
        required = f"近 {a.years} 年处罚次数 {CMP_ZH[a.cmp]} {target}"
    else:  # grade_at_least
        value, reason = facts.get("credit_grade", today)
        actual = "" if reason else f"{value} 级"
        required = f"≥ {target} 级"
    if reason == "missing":
        actual = "数据缺失"
    elif reason == "stale":
        actual = "数据已过期"
    return replace(_result(a, verdict, actual, required, reason), flips_on=flips)


def _result(a: Atom, verdict: Tri, actual: str, required: str, reason: str) -> AtomResult:
    label = atom_label(a)
    if a.text:
        sentence = a.text.format(label=label, actual=actual, op="", required=required)
    else:
        sentence = f"{label} {actual}，要求 {required}"
    return AtomResult(a, verdict, actual, required, sentence, reason)


def atom_label(a: Atom) -> str:
    if a.op == "founded_within":
        return "成立时间"
    if a.op == "penalties_within":
        return "行政处罚"
    return FIELDS[a.field].label if a.field in FIELDS else a.field


_CODE_LABELS: Final = {
    "high_tech": "高新技术企业", "specialised": "专精特新", "little_giant": "专精特新“小巨人”",
    "tech_sme": "科技型中小企业", "above_scale": "规上企业", "foreign": "外资企业",
    "listed": "上市企业", "export": "外贸出口企业", "key_project": "重点项目企业",
    "chain_leader": "产业链链主企业", "large": "大型", "medium": "中型", "small": "小型",
    "micro": "微型", "attraction": "招引", "startup": "初创", "growth": "发展", "mature": "成熟",
    "transformation": "转型", "limited": "有限责任公司", "joint_stock": "股份有限公司",
    "sole": "个人独资企业", "partnership": "合伙企业", "branch": "分公司",
    "individual": "个体工商户", "cooperative": "农民专业合作社", "existing": "存续",
    "operating": "在业", "suspended": "歇业", "revoked": "吊销", "deregistered": "注销",
}  # fmt: skip


def _label(code: str) -> str:
    return _CODE_LABELS.get(code, code)


def _pct(value: Decimal) -> str:
    shown = value.quantize(Decimal("0.01"))
    text = format(shown, "f").rstrip("0").rstrip(".")
    return text or "0"


def _show(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value, ",f")
        return f"{text} {spec.unit}".strip()
    return f"{value} {spec.unit}".strip()


def prefix_match(field_name: str, value: str, prefixes: tuple[str, ...]) -> bool:
    for p in prefixes:
        if field_name == "industry_code":
            exact, starts = cat.industry_prefix_codes(p)
            if value in exact or any(value.startswith(s) for s in starts):
                return True
        elif value.startswith(p):
            return True
    return False


def resolve(rule: Rule, on: dt.date) -> dict[Atom, ResolvedAtom]:
    return {
        a: ResolvedAtom(a, rule.param_value(a.param, on) if a.param else a.value)
        for a in rule.atoms()
    }


def combine(op: str, values: list[Tri]) -> Tri:
    """Kleene's three-valued logic."""
    if op == "all":
        if any(v is False for v in values):
            return False
        return None if any(v is None for v in values) else True
    if op == "any":
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False
    if op == "not":
        return None if values[0] is None else not values[0]
    if op == "unless":
        rule, exc = values
        return combine("all", [rule, combine("not", [exc])])
    raise AssertionError(op)


@dataclass(frozen=True)
class Evaluation:
    verdict: Tri
    atoms: list[AtomResult]
    on: dt.date

    @property
    def failing(self) -> list[AtomResult]:
        return [r for r in self.atoms if r.verdict is False]

    @property
    def unknown(self) -> list[AtomResult]:
        return [r for r in self.atoms if r.verdict is None]

    @property
    def flips_on(self) -> dt.date | None:
        days = [r.flips_on for r in self.atoms if r.flips_on is not None]
        return min(days) if days else None

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict": verdict_name(self.verdict),
            "on": self.on.isoformat(),
            "conditions": [
                {
                    "path": r.atom.path,
                    "ref": r.atom.ref,
                    "verdict": verdict_name(r.verdict),
                    "actual": r.actual,
                    "required": r.required,
                    "sentence": r.sentence,
                    "reason": r.reason,
                }
                for r in self.atoms
            ],
        }


def verdict_name(v: Tri) -> str:
    return "eligible" if v is True else "ineligible" if v is False else "unknown"


def evaluate(
    rule: Rule,
    facts: Facts,
    today: dt.date,
    *,
    cache: dict[str, AtomResult] | None = None,
) -> Evaluation:
    """The reference evaluator: one enterprise, one rule, with per-condition explanations.
    `cache` (atom key → result) shares atoms between the rules of one enterprise."""
    resolved = resolve(rule, today)
    results: list[AtomResult] = []

    def walk(node: Node) -> Tri:
        if node.atom is not None:
            ra = resolved[node.atom]
            hit = cache.get(ra.key) if cache is not None else None
            if hit is None:
                hit = evaluate_atom(ra, facts, today)
                if cache is not None:
                    cache[ra.key] = hit
            elif hit.atom is not node.atom:  # same condition in another place: own wording
                own = _result(node.atom, hit.verdict, hit.actual, hit.required, hit.reason)
                hit = replace(own, flips_on=hit.flips_on)
            results.append(hit)
            return hit.verdict
        return combine(node.op, [walk(c) for c in node.children])

    verdict = walk(rule.condition)
    return Evaluation(verdict=verdict, atoms=results, on=today)


def verdict_only(rule: Rule, facts: Facts, today: dt.date, cache: dict[str, Tri]) -> Tri:
    """Verdict without explanations (the fast path of incremental matching)."""
    resolved = resolve(rule, today)

    def walk(node: Node) -> Tri:
        if node.atom is not None:
            ra = resolved[node.atom]
            key = ra.key
            if key not in cache:
                cache[key] = atom_verdict(ra, facts, today)
            return cache[key]
        return combine(node.op, [walk(c) for c in node.children])

    return walk(rule.condition)


# --- compiled reference evaluation (incremental matching) -----------------------------------


Verdicts = list[Tri]


def _compile_node(node: Node, index: Mapping[Atom, int]) -> Any:
    """A closure computing the node's verdict from the list of atom verdicts."""
    if node.atom is not None:
        i = index[node.atom]
        return lambda v: v[i]
    kids = [_compile_node(c, index) for c in node.children]
    if node.op == "all":

        def all_(v: Verdicts) -> Tri:
            out: Tri = True
            for k in kids:
                x = k(v)
                if x is False:
                    return False
                if x is None:
                    out = None
            return out

        return all_
    if node.op == "any":

        def any_(v: Verdicts) -> Tri:
            out: Tri = False
            for k in kids:
                x = k(v)
                if x is True:
                    return True
                if x is None:
                    out = None
            return out

        return any_
    if node.op == "not":
        kid = kids[0]
        return lambda v: None if (x := kid(v)) is None else not x
    rule_k, exc_k = kids
    return lambda v: combine("unless", [rule_k(v), exc_k(v)])


@dataclass
class CompiledRules:
    """Rules resolved for one date with their distinct atoms numbered once, so that evaluating
    one enterprise against many policies computes each distinct condition once and walks
    precompiled trees (the incremental re-match path; same semantics as `evaluate`)."""

    on: dt.date
    atoms: list[ResolvedAtom]
    trees: dict[str, Any]

    def verdicts(self, facts: Facts, keys: Iterable[str] | None = None) -> dict[str, Tri]:
        values = [atom_verdict(ra, facts, self.on) for ra in self.atoms]
        wanted = self.trees if keys is None else {k: self.trees[k] for k in keys}
        return {k: tree(values) for k, tree in wanted.items()}


def compile_rules(rules: Mapping[str, Rule], on: dt.date) -> CompiledRules:
    by_key: dict[str, int] = {}
    atoms: list[ResolvedAtom] = []
    trees: dict[str, Any] = {}
    for name, rule in rules.items():
        index: dict[Atom, int] = {}
        for atom, ra in resolve(rule, on).items():
            key = ra.key
            if key not in by_key:
                by_key[key] = len(atoms)
                atoms.append(ra)
            index[atom] = by_key[key]
        trees[name] = _compile_node(rule.condition, index)
    return CompiledRules(on=on, atoms=atoms, trees=trees)
