"""Set-based credit recompute: ONE INSERT … SELECT … ON CONFLICT statement evaluates the scoring
model (scoring.py) for every enterprise (or one), in the database, on PostgreSQL and SQLite.

Per enterprise it sums deduction and award points over the facts still counting — penalties
within the window, credit records within their publicity period, honours within the window,
credit events within the window — leaving out records whose repair was approved; then
score = clamp(base + min(cap, awards) − deductions), grade and colour by the thresholds. Only
rows whose score or model version changed are written (previous grade kept for grade-drop
warnings). Tests check the SQL against the pure model.

Sparse by design: a score row exists for every enterprise that has (or once had) a counting
fact; an enterprise without one scores exactly the model's base, which selectors derive
(`selectors.unscored`) instead of storing ~85% identical rows. Enterprises whose facts have
all run out keep their row and are rescored to the base (so a later grade change is seen).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from zqt.credit import inputs
from zqt.credit.models import CreditEvent, CreditRepair, CreditScore
from zqt.credit.scoring import GRADE_COLOUR, GRADES, ScoringModel, grade_for


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _date(value: dt.date) -> Any:
    return value if connection.vendor == "postgresql" else value.isoformat()


def recompute_sql(*, model: ScoringModel, one: bool) -> str:
    score_t = _q(CreditScore._meta.db_table)
    event_t = _q(CreditEvent._meta.db_table)
    repair_t = _q(CreditRepair._meta.db_table)
    only = " AND x.enterprise_id = %(eid)s" if one else ""

    def not_repaired(kind: str) -> str:
        return (
            f"NOT EXISTS (SELECT 1 FROM {repair_t} r "  # noqa: S608
            f"WHERE r.record_kind = '{kind}' "
            "AND r.record_id = x.id AND r.status = 'approved')"
        )

    event_ded = " ".join(
        f"WHEN '{f}' THEN %(d_{f})s"
        for f in (
            "finding_red",
            "finding_yellow",
            "finding_green",
            "complaint_upheld",
            "overdue_obligation",
        )
    )
    event_award = " ".join(
        f"WHEN '{f}' THEN %(a_{f})s" for f in ("commendation", "inspection_clean")
    )
    # Identifiers and literals come from model metadata and the scoring factor names, never
    # from input; every number is a parameter.
    facts = f"""
        SELECT x.enterprise_id AS eid,
               %(d_penalty)s + CASE WHEN x.amount >= %(large)s THEN %(d_penalty_large)s ELSE 0 END
                 AS ded, 0 AS award
          FROM {inputs.table("penalty")} x
         WHERE x.decided_on >= %(penalty_from)s AND {not_repaired("penalty")}{only}
        UNION ALL
        SELECT x.enterprise_id,
               CASE x.kind WHEN '{inputs.BAD}' THEN %(d_bad_record)s
                           WHEN '{inputs.WARNING}' THEN %(d_warning_record)s ELSE 0 END,
               CASE x.kind WHEN '{inputs.GOOD}' THEN %(a_good_record)s ELSE 0 END
          FROM {inputs.table("credit_record")} x
         WHERE (x.expires_on IS NULL OR x.expires_on >= %(today)s)
           AND {not_repaired("credit_record")}{only}
        UNION ALL
        SELECT x.enterprise_id, 0, %(a_honour)s
          FROM {inputs.table("honour")} x
         WHERE x.granted_on >= %(honour_from)s{only}
        UNION ALL
        SELECT x.enterprise_id,
               CASE x.factor {event_ded} ELSE 0 END,
               CASE x.factor {event_award} ELSE 0 END
          FROM {event_t} x
         WHERE x.occurred_on >= %(event_from)s AND {not_repaired("credit_event")}{only}
    """  # noqa: S608
    grade_case = " ".join(f"WHEN s.score >= %(t_{g})s THEN '{g}'" for g in GRADES[:4])
    colour_case = " ".join(f"WHEN '{g}' THEN '{c}'" for g, c in GRADE_COLOUR.items())
    return f"""
        INSERT INTO {score_t} (enterprise_id, score, grade, colour, previous_grade,
                               model_version, changed_at, grade_changed_at)
        SELECT g.eid, g.score, g.grade, CASE g.grade {colour_case} END,
               -- A first row changes the grade from the base grade the enterprise had.
               CASE WHEN g.grade <> %(base_grade)s THEN %(base_grade)s ELSE '' END,
               %(version)s, %(now)s,
               CASE WHEN g.grade <> %(base_grade)s THEN %(now)s END
          FROM (
            SELECT s.eid, s.score, CASE {grade_case} ELSE 'E' END AS grade
              FROM (
                SELECT r.eid,
                       CASE WHEN r.raw < %(floor)s THEN %(floor)s
                            WHEN r.raw > %(ceiling)s THEN %(ceiling)s ELSE r.raw END AS score
                  FROM (
                    SELECT a.eid,
                           %(base)s
                           + CASE WHEN a.award > %(cap)s THEN %(cap)s ELSE a.award END
                           - a.ded AS raw
                      FROM (
                        SELECT u.eid, SUM(u.ded) AS ded, SUM(u.award) AS award
                          FROM ({facts}
                                UNION ALL
                                SELECT x.enterprise_id, 0, 0 FROM {score_t} x
                                 WHERE 1 = 1{only}) u
                         GROUP BY u.eid
                      ) a
                  ) r
              ) s
          ) g
         WHERE 1 = 1
        ON CONFLICT (enterprise_id) DO UPDATE SET
            score = excluded.score,
            grade = excluded.grade,
            colour = excluded.colour,
            previous_grade = CASE WHEN {score_t}.grade <> excluded.grade
                                  THEN {score_t}.grade ELSE {score_t}.previous_grade END,
            grade_changed_at = CASE WHEN {score_t}.grade <> excluded.grade
                                    THEN excluded.changed_at ELSE {score_t}.grade_changed_at END,
            model_version = excluded.model_version,
            changed_at = excluded.changed_at
         WHERE {score_t}.score <> excluded.score
            OR {score_t}.model_version <> excluded.model_version
    """  # noqa: S608


def recompute_params(
    *,
    model: ScoringModel,
    version: int,
    today: dt.date,
    now: dt.datetime,
    enterprise_id: int | None = None,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "version": version,
        "now": (
            now
            if connection.vendor == "postgresql"
            else now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        ),
        "today": _date(today),
        "penalty_from": _date(today - dt.timedelta(days=model.windows["penalty"])),
        "honour_from": _date(today - dt.timedelta(days=model.windows["honour"])),
        "event_from": _date(today - dt.timedelta(days=model.windows["event"])),
        "large": model.large_penalty_yuan,
        "base": model.base,
        "base_grade": grade_for(model.base, model),
        "cap": model.award_cap,
        "floor": model.floor,
        "ceiling": model.ceiling,
    }
    params.update({f"d_{k}": v for k, v in model.deductions.items()})
    params.update({f"a_{k}": v for k, v in model.awards.items()})
    params.update({f"t_{g}": model.thresholds[g] for g in GRADES[:4]})
    if enterprise_id is not None:
        params["eid"] = enterprise_id
    return params


def run(
    *,
    model: ScoringModel,
    version: int,
    today: dt.date,
    now: dt.datetime,
    enterprise_id: int | None = None,
) -> int:
    """Execute the recompute; the number of score rows inserted or changed."""
    sql = recompute_sql(model=model, one=enterprise_id is not None)
    params = recompute_params(
        model=model, version=version, today=today, now=now, enterprise_id=enterprise_id
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return max(cur.rowcount, 0)
