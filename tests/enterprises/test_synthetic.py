"""Synthetic province data: the pure generator (no DB) and the gen_data bulk loader (DB)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zqt.core.identifiers import validate_id_number, validate_uscc
from zqt.enterprises import synthetic
from zqt.enterprises.enums import (
    CreditKind,
    EnterpriseStatus,
    EntityType,
    LicenceStatus,
    LifecycleStage,
    Scale,
)
from zqt.enterprises.licence_state import days_until_expiry
from zqt.enterprises.management.commands.gen_data import load_synthetic
from zqt.enterprises.models import CreditRecord, Enterprise, Licence, Penalty, Tag
from zqt.enterprises.reference import TAGS

TODAY = dt.date(2026, 5, 20)


def _csv(path):  # type: ignore[no-untyped-def]
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


COUNTIES = {r["code"] for r in _csv(synthetic.REGIONS_CSV) if r["level"] == "county"}
DIVISIONS = {r["code"] for r in _csv(synthetic.INDUSTRIES_CSV) if r["level"] == "division"}


def _run(count: int = 3000, seed: int = 7, batch_size: int = 1000, **kw):  # type: ignore[no-untyped-def]
    return list(
        synthetic.generate(count=count, seed=seed, batch_size=batch_size, today=TODAY, **kw)
    )


def _all(batches, attr):  # type: ignore[no-untyped-def]
    return [row for b in batches for row in getattr(b, attr)]


@pytest.fixture(scope="module")
def sample():  # type: ignore[no-untyped-def]
    return _run(count=20_000, seed=11, batch_size=5000)


# --- determinism and batches ---------------------------------------------------------------


def test_same_seed_gives_the_same_rows() -> None:
    assert _run(seed=5) == _run(seed=5)


def test_different_seed_gives_different_rows() -> None:
    a = _all(_run(seed=5), "enterprises")
    b = _all(_run(seed=6), "enterprises")
    assert [e.name for e in a] != [e.name for e in b]
    # Serials (and so USCC bodies) follow the index, the rest does not.
    assert sum(x.name == y.name for x, y in zip(a, b, strict=True)) < len(a) // 100


def test_batches_cover_the_run_exactly_once() -> None:
    batches = _run(count=2500, batch_size=1000, start_serial=40)
    assert [len(b.enterprises) for b in batches] == [1000, 1000, 500]
    assert [(b.index, b.start) for b in batches] == [(0, 0), (1, 1000), (2, 2000)]
    enterprises = _all(batches, "enterprises")
    assert [e.ordinal for e in enterprises] == list(range(2500))
    assert [e.serial for e in enterprises] == list(range(40, 2540))
    for b in batches:
        own = {e.ordinal for e in b.enterprises}
        for attr in ("licences", "credit_records", "penalties", "enterprise_tags"):
            assert {row.enterprise_index for row in getattr(b, attr)} <= own


def test_a_batch_can_be_generated_on_its_own() -> None:
    batches = _run(count=2500, batch_size=1000)
    alone = synthetic.generate_batch(
        seed=7, batch_index=2, batch_size=1000, count=2500, today=TODAY
    )
    assert alone == batches[2]


def test_start_serial_changes_only_the_codes() -> None:
    a = _all(_run(count=500), "enterprises")
    b = _all(_run(count=500, start_serial=10_000), "enterprises")
    assert [e.name for e in a] == [e.name for e in b]
    assert not {e.uscc for e in a} & {e.uscc for e in b}


def test_empty_run_and_bad_arguments() -> None:
    assert _run(count=0) == []
    with pytest.raises(ValueError, match="negative"):
        _run(count=-1)
    with pytest.raises(ValueError, match="outside"):
        synthetic.generate_batch(seed=1, batch_index=3, batch_size=10, count=30, today=TODAY)
    with pytest.raises(ValueError, match="positive"):
        synthetic.generate_batch(seed=1, batch_index=0, batch_size=0, count=30, today=TODAY)
    with pytest.raises(ValueError, match="unknown county"):
        _run(count=10, region_weights={"339999": 1.0})


# --- validity --------------------------------------------------------------------------------


def test_every_uscc_and_id_number_is_valid_and_uscc_unique(sample) -> None:  # type: ignore[no-untyped-def]
    enterprises = _all(sample, "enterprises")
    for e in enterprises:
        assert validate_uscc(e.uscc) == e.uscc
        assert validate_id_number(e.legal_rep_id_number, today=TODAY)
        assert e.uscc[2:8] == e.region_code
        born = dt.date(
            int(e.legal_rep_id_number[6:10]),
            int(e.legal_rep_id_number[10:12]),
            int(e.legal_rep_id_number[12:14]),
        )
        assert 21 <= (e.founded_on - born).days / 365.25 <= 61
    assert len({e.uscc for e in enterprises}) == len(enterprises)


def test_codes_and_choices_are_real(sample) -> None:  # type: ignore[no-untyped-def]
    enterprises = _all(sample, "enterprises")
    assert {e.region_code for e in enterprises} <= COUNTIES
    assert {e.industry_code for e in enterprises} <= DIVISIONS
    assert set(synthetic.DIVISION_WEIGHTS) <= DIVISIONS
    assert {e.entity_type for e in enterprises} == set(EntityType.values)
    assert {e.status for e in enterprises} == set(EnterpriseStatus.values)
    assert {e.scale for e in enterprises} == set(Scale.values)
    assert {e.lifecycle_stage for e in enterprises} == set(LifecycleStage.values)
    assert {lc.status for lc in _all(sample, "licences")} == set(LicenceStatus.values)
    assert {c.kind for c in _all(sample, "credit_records")} == set(CreditKind.values)
    tag_codes = {t.tag_code for t in _all(sample, "enterprise_tags")}
    assert tag_codes <= {c for c, _ in TAGS}
    assert {"high_tech", "tech_sme", "specialised", "above_scale", "foreign"} <= tag_codes
    assert set(synthetic.TAG_CODES) == {c for c, _ in TAGS}


def test_values_are_plausible(sample) -> None:  # type: ignore[no-untyped-def]
    for e in _all(sample, "enterprises"):
        assert synthetic.EARLIEST_FOUNDING <= e.founded_on <= TODAY
        assert e.registered_capital >= 0 and e.revenue >= 0 and e.rd_spend >= 0
        assert e.rd_spend <= e.revenue
        assert e.employees >= 1
        assert e.scale == synthetic.scale_for(
            industry_code=e.industry_code, employees=e.employees, revenue=float(e.revenue)
        )
        if e.entity_type == EntityType.BRANCH:
            assert e.registered_capital == 0
        assert len(e.name) <= 128 and len(e.address) <= 200 and len(e.phone) <= 20
        for text in (e.name, e.address, e.legal_rep_name, e.phone):
            assert not set(text) & {"\t", "\n", "\\", "\r"}
    for lc in _all(sample, "licences"):
        assert lc.issued_on <= TODAY
        assert lc.expires_on is None or lc.expires_on >= lc.issued_on
        if lc.status == LicenceStatus.PENDING:
            assert lc.expires_on is None
        assert len(lc.number) <= 64 and len(lc.issuer) <= 64
    for p in _all(sample, "penalties"):
        assert p.amount >= 0 and p.decided_on <= TODAY
        assert len(p.decision_number) <= 64 and len(p.department) <= 64
    licences = _all(sample, "licences")
    assert len({(lc.licence_type, lc.number) for lc in licences}) == len(licences)
    per_enterprise = Counter(lc.enterprise_index for lc in licences)
    assert max(per_enterprise.values()) <= 3


def test_shares_look_like_zhejiang(sample) -> None:  # type: ignore[no-untyped-def]
    enterprises = _all(sample, "enterprises")
    n = len(enterprises)
    types = Counter(e.entity_type for e in enterprises)
    assert 0.5 < types[EntityType.INDIVIDUAL_BUSINESS] / n < 0.7
    cities = Counter(e.region_code[:4] for e in enterprises)
    assert cities.most_common(1)[0][0] == "3301"  # Hangzhou
    assert cities["3301"] > cities["3302"] > cities["3309"]  # Hangzhou > Ningbo > Zhoushan
    sections = Counter(e.industry_code for e in enterprises)
    assert sections["52"] + sections["51"] > 0.3 * n
    statuses = Counter(e.status for e in enterprises)
    alive = statuses[EnterpriseStatus.EXISTING] + statuses[EnterpriseStatus.OPERATING]
    assert alive > 0.85 * n
    scales = Counter(e.scale for e in enterprises)
    assert scales[Scale.MICRO] > scales[Scale.SMALL] > scales[Scale.MEDIUM] > scales[Scale.LARGE]
    recent = sum(e.founded_on.year >= 2015 for e in enterprises)
    assert recent > 0.5 * n


def test_licence_expiry_states_all_occur(sample) -> None:  # type: ignore[no-untyped-def]
    active = [lc for lc in _all(sample, "licences") if lc.status == LicenceStatus.ACTIVE]
    days = [days_until_expiry(expires_on=lc.expires_on, today=TODAY) for lc in active]
    assert any(d is not None and 0 <= d <= 30 for d in days)
    assert any(d is not None and 30 < d <= 60 for d in days)
    assert any(d is not None and d < 0 for d in days)
    assert any(d is None for d in days)
    statuses = Counter(lc.status for lc in _all(sample, "licences"))
    assert statuses[LicenceStatus.PENDING] > 0 and statuses[LicenceStatus.REVOKED] > 0


def test_region_weights_restrict_the_counties() -> None:
    enterprises = _all(_run(count=300, region_weights={"330802": 3, "330803": 1}), "enterprises")
    counts = Counter(e.region_code for e in enterprises)
    assert set(counts) == {"330802", "330803"}
    assert counts["330802"] > counts["330803"]


def test_lifecycle_stage_rules() -> None:
    common = {"entity_type": "limited", "industry_code": "34", "status": "existing", "u": 0.9}
    assert synthetic.lifecycle_stage_for(age_days=100, scale="medium", **common) == "attraction"
    assert synthetic.lifecycle_stage_for(age_days=100, scale="micro", **common) == "startup"
    assert synthetic.lifecycle_stage_for(age_days=700, scale="micro", **common) == "startup"
    assert synthetic.lifecycle_stage_for(age_days=2000, scale="micro", **common) == "growth"
    assert synthetic.lifecycle_stage_for(age_days=3300, scale="small", **common) == "mature"
    textile = {**common, "industry_code": "17", "u": 0.1}
    assert synthetic.lifecycle_stage_for(age_days=5000, scale="small", **textile) == (
        "transformation"
    )
    suspended = {**common, "status": "suspended"}
    assert synthetic.lifecycle_stage_for(age_days=900, scale="micro", **suspended) == (
        "transformation"
    )


def test_scale_rule_needs_both_measures() -> None:
    assert synthetic.scale_for(industry_code="34", employees=1200, revenue=50000) == "large"
    assert synthetic.scale_for(industry_code="34", employees=1200, revenue=1000) == "small"
    assert synthetic.scale_for(industry_code="34", employees=19, revenue=50000) == "micro"
    assert synthetic.scale_for(industry_code="52", employees=60, revenue=600) == "medium"
    assert synthetic.scale_for(industry_code="80", employees=150, revenue=0) == "medium"


def test_copy_encoding_matches_row_encoding() -> None:
    batch = _run(count=400, batch_size=400)[0]
    tags = {code: i for i, code in enumerate(synthetic.TAG_CODES, start=1)}
    rows = synthetic.encode_rows(batch, id_base=100, tag_ids=tags, now="NOW")
    copy = synthetic.encode_copy(batch, id_base=100, tag_ids=tags, now="NOW")
    for key, table_rows in rows.items():
        assert all(len(r) == len(synthetic.COLUMNS[key]) for r in table_rows)
        text = "".join(
            "\t".join("\\N" if v is None else str(v) for v in r) + "\n" for r in table_rows
        )
        assert copy[key] == text.encode()
    assert rows["enterprise"][0][0] == 100 + batch.enterprises[0].ordinal


# --- the gen_data command ------------------------------------------------------------------


def _expected_counts(count: int, seed: int, batch_size: int, today: dt.date) -> dict[str, int]:
    batches = list(synthetic.generate(count=count, seed=seed, batch_size=batch_size, today=today))
    return {
        "enterprise": count,
        "licence": len(_all(batches, "licences")),
        "credit_record": len(_all(batches, "credit_records")),
        "penalty": len(_all(batches, "penalties")),
        "enterprise_tag": len(_all(batches, "enterprise_tags")),
    }


def _db_counts() -> dict[str, int]:
    return {
        "enterprise": Enterprise.objects.count(),
        "licence": Licence.objects.count(),
        "credit_record": CreditRecord.objects.count(),
        "penalty": Penalty.objects.count(),
        "enterprise_tag": Enterprise.tags.through.objects.count(),
    }


@pytest.mark.django_db
def test_gen_data_writes_the_generated_rows(reference_data) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    out = io.StringIO()
    call_command(
        "gen_data", enterprises=250, seed=3, batch_size=100, workers=0, no_progress=True,
        stdout=out,
    )  # fmt: skip
    assert "已生成 250 户市场主体" in out.getvalue()
    today = timezone.localdate()
    assert _db_counts() == _expected_counts(250, 3, 100, today)
    first = Enterprise.objects.order_by("id").first()
    assert first is not None
    batches = list(
        synthetic.generate(count=250, seed=3, batch_size=100, start_serial=first.pk, today=today)
    )
    generated = {e.uscc: e for e in _all(batches, "enterprises")}
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == set(generated)
    # The rows are valid model instances, decimals and dates round-trip.
    for enterprise in Enterprise.objects.order_by("id")[:40]:
        enterprise.full_clean()
        row = generated[enterprise.uscc]
        assert enterprise.name == row.name
        assert enterprise.registered_capital == row.registered_capital
        assert enterprise.revenue == row.revenue
        assert enterprise.founded_on == row.founded_on
        assert enterprise.created_at is not None
    for licence in Licence.objects.select_related("enterprise")[:40]:
        licence.full_clean()
    tagged = Enterprise.objects.filter(tags__isnull=False).distinct().count()
    assert tagged == len({t.enterprise_index for t in _all(batches, "enterprise_tags")})
    assert Tag.objects.filter(code="above_scale").exists()


@pytest.mark.django_db
def test_gen_data_twice_never_reuses_a_serial_then_truncates(reference_data) -> None:  # type: ignore[no-untyped-def]
    first = load_synthetic(count=120, seed=1, batch_size=50, workers=0)
    second = load_synthetic(count=120, seed=1, batch_size=50, workers=0)
    assert second.first_id == first.first_id + 120
    assert second.start_serial == second.first_id
    assert Enterprise.objects.count() == 240
    assert Enterprise.objects.values("uscc").distinct().count() == 240
    ids = sorted(Enterprise.objects.values_list("id", flat=True))
    assert ids == list(range(first.first_id, first.first_id + 240))
    # An enterprise created the ordinary way afterwards gets an id beyond the reserved blocks.
    from tests.enterprises.factories import EnterpriseFactory

    assert EnterpriseFactory().pk > ids[-1]
    third = load_synthetic(count=60, seed=2, batch_size=50, workers=0, truncate=True)
    assert _db_counts()["enterprise"] == 60
    assert third.first_id > ids[-1]
    assert Licence.objects.exclude(enterprise_id__gte=third.first_id).count() == 0


@pytest.mark.django_db
def test_gen_data_with_worker_processes(reference_data) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    result = load_synthetic(count=300, seed=9, batch_size=100, workers=1)
    assert result.enterprises == 300
    assert _db_counts() == _expected_counts(300, 9, 100, timezone.localdate())


@pytest.mark.django_db
def test_gen_data_loads_reference_data_when_missing() -> None:
    load_synthetic(count=20, seed=4, batch_size=20, workers=0)
    assert Enterprise.objects.count() == 20
    assert Tag.objects.count() == len(TAGS)


@pytest.mark.django_db
def test_gen_data_records_one_audit_event(reference_data) -> None:  # type: ignore[no-untyped-def]
    from zqt.audit.models import AuditEvent

    load_synthetic(count=30, seed=4, batch_size=20, workers=0)
    events = AuditEvent.objects.filter(action="enterprise.synthetic_generate")
    assert events.count() == 1
    assert events[0].changes["enterprise"] == 30


@pytest.mark.django_db
def test_gen_data_refuses_bad_arguments(reference_data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="不能为负数"):
        call_command("gen_data", enterprises=-1, no_progress=True)
    with pytest.raises(CommandError, match="必须为正数"):
        call_command("gen_data", enterprises=10, batch_size=0, no_progress=True)
    with pytest.raises(CommandError, match="不能为负数"):
        call_command("gen_data", enterprises=10, start_serial=-5, no_progress=True)
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_gen_data_zero_is_a_no_op(reference_data) -> None:  # type: ignore[no-untyped-def]
    result = load_synthetic(count=0, seed=1)
    assert result.enterprises == 0 and Enterprise.objects.count() == 0


def test_connection_vendor_is_supported() -> None:
    assert connection.vendor in ("sqlite", "postgresql")


def test_money_is_decimal() -> None:
    e = _run(count=1, batch_size=1)[0].enterprises[0]
    assert isinstance(e.registered_capital, Decimal) and isinstance(e.revenue, Decimal)


@pytest.mark.django_db(transaction=True)
def test_gen_data_with_parallel_writers(reference_data) -> None:  # type: ignore[no-untyped-def]
    """Outside a transaction PostgreSQL writes through two connections (SQLite: one)."""
    from django.utils import timezone

    result = load_synthetic(count=500, seed=12, batch_size=100, workers=1, writers=2)
    assert result.enterprises == 500
    assert _db_counts() == _expected_counts(500, 12, 100, timezone.localdate())
    ids = sorted(Enterprise.objects.values_list("id", flat=True))
    assert ids == list(range(result.first_id, result.first_id + 500))


@pytest.mark.django_db
def test_parallel_writers_are_refused_inside_a_transaction(reference_data) -> None:  # type: ignore[no-untyped-def]
    from zqt.enterprises.management.commands.gen_data import default_writers

    assert default_writers(1_000_000, 10_000) == 1  # the test runs inside a transaction
    with pytest.raises(CommandError, match="一个写入连接"):
        load_synthetic(count=300, seed=1, batch_size=100, workers=0, writers=2)
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_gen_data_refuses_a_start_serial_that_collides(reference_data) -> None:  # type: ignore[no-untyped-def]
    load_synthetic(count=50, seed=1, batch_size=50, workers=0, start_serial=5000)
    with pytest.raises(CommandError, match="冲突"):
        load_synthetic(count=50, seed=1, batch_size=50, workers=0, start_serial=5000)
    assert Enterprise.objects.count() == 50


def _indexes() -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'enterprises_%%' "
            "ORDER BY indexname"
        )
        return [row[0] for row in cur.fetchall()]


def _table_comment() -> str | None:
    with connection.cursor() as cur:
        cur.execute("SELECT obj_description('enterprises_enterprise'::regclass, 'pg_class')")
        return cur.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_gen_data_bulk_mode_rebuilds_every_index(reference_data) -> None:  # type: ignore[no-untyped-def]
    """Bulk mode (PostgreSQL) drops the non-unique indexes, copies, and creates them again."""
    from django.utils import timezone

    postgres = connection.vendor == "postgresql"
    before = _indexes() if postgres else []
    result = load_synthetic(count=300, seed=5, batch_size=100, workers=0, bulk=True)
    assert result.bulk == postgres
    assert _db_counts() == _expected_counts(300, 5, 100, timezone.localdate())
    if postgres:
        assert _indexes() == before
        assert any("zqt_bigrams" in ddl for ddl in before)
        assert _table_comment() is None


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_bulk_load_is_repaired_by_the_next_run(reference_data) -> None:  # type: ignore[no-untyped-def]
    from zqt.enterprises.management.commands import gen_data

    if connection.vendor != "postgresql":
        assert gen_data.repair_interrupted_bulk_load() == 0
        return
    before = _indexes()
    dropped = gen_data._secondary_indexes()
    gen_data._drop_indexes_for_bulk(dropped)  # as a run killed in the middle leaves it
    assert len(_indexes()) < len(before)
    assert (_table_comment() or "").startswith("zqt gen-data bulk load")
    load_synthetic(count=20, seed=1, batch_size=20, workers=0, bulk=False)
    assert _indexes() == before
    assert _table_comment() is None


@pytest.mark.django_db
def test_bulk_mode_is_refused_inside_a_transaction(reference_data) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        return
    with pytest.raises(CommandError, match="批量模式"):
        load_synthetic(count=20, seed=1, batch_size=20, workers=0, bulk=True)
