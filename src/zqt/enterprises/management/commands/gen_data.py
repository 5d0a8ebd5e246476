"""`zqt gen-data --enterprises N --seed S`: load synthetic province data (enterprises.synthetic).

Fast bulk load, bounded memory:

- enterprise primary keys are reserved up front as one contiguous block (PostgreSQL: the
  identity sequence is advanced under a short table lock; SQLite: sqlite_sequence), so every
  batch, and the licences, credit records, penalties and tags in it, can be written without
  reading anything back;
- USCC serials default to the first reserved id, so a second run never reuses a serial (ids are
  never reused: identity on PostgreSQL, AUTOINCREMENT on SQLite);
- batches are generated and encoded in worker processes (a small window ahead of the writer,
  so memory stays flat) and written with COPY FROM STDIN (psycopg 3) on PostgreSQL, executemany
  on SQLite, one transaction per batch (savepoints when called inside an outer transaction);
- a large load into PostgreSQL (bulk mode, see load_synthetic) drops the btree indexes first and
  rebuilds them at the end, two at a time.

Measured figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection, connections, models, transaction
from django.utils import timezone
from psycopg import errors as psycopg_errors

from zqt.accounts.models import OrgUnit
from zqt.audit.services import audit_record
from zqt.enterprises import synthetic
from zqt.enterprises.models import CreditRecord, Enterprise, Industry, Licence, Penalty, Tag


@dataclass
class LoadResult:
    enterprises: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    first_id: int = 0
    start_serial: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0  # generating and writing the rows
    index_seconds: float = 0.0  # rebuilding indexes (bulk mode)
    bulk: bool = False

    @property
    def rows_per_s(self) -> float:
        return self.enterprises / self.seconds if self.seconds else 0.0


def _tables() -> dict[str, type[models.Model]]:
    return {
        "enterprise": Enterprise,
        "licence": Licence,
        "credit_record": CreditRecord,
        "penalty": Penalty,
        "enterprise_tag": Enterprise.tags.through,
    }


def _check_columns() -> None:
    """The encoder's column lists must cover the tables: fail early if a model changed."""
    for key, model in _tables().items():
        columns = {f.column for f in model._meta.concrete_fields}
        encoded = set(synthetic.COLUMNS[key])
        missing_in_table = encoded - columns
        if missing_in_table:
            raise CommandError(
                f"{model._meta.db_table} 缺少生成器写入的列：{sorted(missing_in_table)}"
            )
        for f in model._meta.concrete_fields:
            if f.column in encoded or f.primary_key or f.null:
                continue
            if f.db_default is models.NOT_PROVIDED:
                raise CommandError(
                    f"{model._meta.db_table}.{f.column} 为必填列，合成数据生成器未写入；"
                    "请更新 zqt.enterprises.synthetic 的列定义。"
                )


def _ensure_reference_data() -> None:
    if OrgUnit.objects.exists() and Industry.objects.exists() and Tag.objects.exists():
        return
    from zqt.core.reference import reference_load_all

    reference_load_all()


def _dependants(
    model: type[models.Model], seen: set[type[models.Model]]
) -> Iterator[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every (model, foreign key) that points at `model`, transitively for CASCADE."""
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        child = rel.related_model
        fk = cast("models.ForeignKey[Any, Any]", rel.field)  # type: ignore[union-attr]
        if child in seen or not isinstance(child, type) or not issubclass(child, models.Model):
            continue
        seen.add(child)
        if fk.remote_field.on_delete is models.CASCADE:
            yield from _dependants(child, seen)
        yield child, fk


def truncate_enterprises() -> None:
    """Delete every enterprise and what hangs off it (CASCADE relations), SET_NULL the rest.

    Ids are not restarted, so USCC serials of later runs stay unique against any leftovers
    (audit trail entries name enterprises by id).
    """
    deps = list(_dependants(Enterprise, {Enterprise}))
    qn = connection.ops.quote_name
    # TRUNCATE is instant but refuses to run while an outer transaction has pending deferred
    # foreign-key checks on these tables; DELETE works everywhere.
    use_truncate = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cur:
        for child, fk in deps:
            on_delete = fk.remote_field.on_delete
            if on_delete is models.SET_NULL:
                cur.execute(
                    f"UPDATE {qn(child._meta.db_table)} SET {qn(fk.column)} = NULL "  # noqa: S608
                    f"WHERE {qn(fk.column)} IS NOT NULL"
                )
            elif on_delete in (models.PROTECT, models.RESTRICT):
                if child._default_manager.exists():
                    raise CommandError(
                        f"{child._meta.verbose_name}引用了市场主体且不允许级联删除，无法清空。"
                    )
        cascade = [child for child, fk in deps if fk.remote_field.on_delete is models.CASCADE]
        tables = [Enterprise._meta.db_table, *(m._meta.db_table for m in cascade)]
        if use_truncate:
            cur.execute(f"TRUNCATE {', '.join(qn(t) for t in tables)}")
        else:
            for table in reversed(tables):  # children first
                cur.execute(f"DELETE FROM {qn(table)}")  # noqa: S608


def _reserve_ids(count: int) -> int:
    """Reserve `count` consecutive enterprise ids; return the first."""
    table = Enterprise._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The table lock keeps concurrent INSERTs (which lock the table before drawing from
            # the sequence) out while the sequence jumps over the block.
            cur.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cur.fetchone()[0]
            cur.execute("SELECT nextval(%s)", [sequence])
            first = int(cur.fetchone()[0])
            if count > 1:
                cur.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        if connection.vendor == "sqlite":
            # Django creates AUTOINCREMENT tables: the next id is max(seq, max(id)) + 1.
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            cur.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608
            top = max(int(row[0]) if row else 0, int(cur.fetchone()[0] or 0))
            first = top + 1
            last = first + count - 1
            if row:
                cur.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, table])
            else:
                cur.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last]
                )
            return first
    raise CommandError(f"不支持的数据库：{connection.vendor}")


def _now_text(now: dt.datetime) -> str:
    if connection.vendor == "postgresql":
        return now.isoformat()
    # What Django's SQLite backend stores for an aware datetime with USE_TZ: naive UTC.
    return str(now.astimezone(dt.UTC).replace(tzinfo=None))


def _write(produced: synthetic.Produced) -> None:
    try:
        _write_batch(produced)
    except (IntegrityError, psycopg_errors.UniqueViolation, sqlite3.IntegrityError) as exc:
        raise CommandError(
            f"第 {produced.batch_index + 1} 批与已有数据冲突（统一社会信用代码或证照编号重复），"
            f"本批未写入；请换一个 --start-serial 或使用默认值。数据库信息：{exc}"
        ) from exc


def _write_batch(produced: synthetic.Produced) -> None:
    tables = _tables()
    with transaction.atomic():
        raw: Any = connection.connection
        if connection.vendor == "postgresql":
            with raw.cursor() as cur:
                for key in synthetic.TABLE_KEYS:
                    data = produced.payload[key]
                    if not data:
                        continue
                    cols = ", ".join(synthetic.COLUMNS[key])
                    table = tables[key]._meta.db_table
                    with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                        copy.write(data)
        else:
            for key in synthetic.TABLE_KEYS:
                rows = produced.payload[key]
                if not rows:
                    continue
                names = synthetic.COLUMNS[key]
                table = tables[key]._meta.db_table
                marks = ", ".join("?" * len(names))
                raw.executemany(
                    f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({marks})',  # noqa: S608
                    rows,
                )


def default_workers(count: int, batch_size: int) -> int:
    """Worker processes for generation: none for a single batch, else all cores but one
    (the writer and the database server need the rest), at least one."""
    if count <= batch_size:
        return 0
    return max(1, (os.cpu_count() or 2) - 1)


def _produced_batches(
    specs: list[synthetic.BatchSpec], workers: int
) -> Iterator[synthetic.Produced]:
    if workers <= 0:
        for spec in specs:
            yield synthetic.produce(spec)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    window = workers + 1  # batches in flight: bounded memory, workers never idle
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[synthetic.Produced]] = deque()
        todo = iter(specs)
        for spec in todo:
            pending.append(pool.submit(synthetic.produce, spec))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.submit(synthetic.produce, nxt))
            yield result


def _session_start() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Synthetic rows: losing the last commits on a crash is fine, waiting for each
            # WAL flush is not.
            cur.execute("SET synchronous_commit TO off")
        else:
            # 128 MB page cache instead of 2 MB: the indexes of a million rows stay in memory.
            cur.execute("PRAGMA cache_size = -131072")


def _session_end() -> None:
    if connection.connection is None:
        return
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("RESET synchronous_commit")
        else:
            cur.execute("PRAGMA cache_size = -2000")


def default_writers(count: int, batch_size: int) -> int:
    """Database connections writing in parallel: two on PostgreSQL outside a transaction (the
    server works on two batches at once), else one (SQLite has a single writer, and inside a
    transaction every row must go through its connection)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return 2 if count > 2 * batch_size else 1


def _write_all(
    batches: Iterator[synthetic.Produced],
    writers: int,
    written: Callable[[synthetic.Produced], None],
) -> None:
    """Write batches through `writers` connections (threads, each with its own connection;
    psycopg releases the GIL while the server works). The queue bounds what is in memory."""
    if writers <= 1 or connection.vendor == "sqlite":  # SQLite has one writer at a time
        _session_start()
        try:
            for produced in batches:
                _write(produced)
                written(produced)
        finally:
            _session_end()
        return
    if connection.in_atomic_block:
        raise CommandError("在事务中只能使用一个写入连接（--writers 1）。")
    work: queue.Queue[synthetic.Produced | None] = queue.Queue(maxsize=writers)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            _session_start()
            while (item := work.get()) is not None:
                if errors:
                    continue  # keep draining so the producer never blocks
                try:
                    _write(item)
                except BaseException as exc:
                    errors.append(exc)
                    continue
                with lock:
                    written(item)
        except BaseException as exc:  # connection failure in _session_start
            errors.append(exc)
            while work.get() is not None:
                pass
        finally:
            connections.close_all()  # this thread's connection only

    threads = [threading.Thread(target=run, name=f"gen-data-writer-{i}") for i in range(writers)]
    for thread in threads:
        thread.start()
    try:
        for produced in batches:
            if errors:
                break
            work.put(produced)
    finally:
        for _ in threads:
            work.put(None)
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]


def _secondary_indexes() -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-unique btree indexes of the tables gen-data writes.

    Unique and primary-key indexes stay (they back constraints and catch collisions). GIN
    indexes stay too: PostgreSQL builds a GIN index on one core only, so rebuilding the name
    search index (ent_name_bigrams) would be a long one-core tail after the load, while
    maintaining it row by row spreads the same work over the load, when every core is busy
    anyway (measured at 1M rows: 22k/s keeping it, 19k/s rebuilding it).
    """
    tables = [m._meta.db_table for m in _tables().values()]
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid), am.amname
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_am am ON am.oid = i.relam
            WHERE t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(current_schema())
              AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """,
            [tables],
        )
        rows = cur.fetchall()
    return [(name, ddl) for name, ddl, am in rows if am == "btree"]


def default_bulk(count: int) -> bool:
    """Rebuild indexes after the load (instead of maintaining them row by row) when the run
    is large and at least doubles the table: PostgreSQL only, outside a transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or count < 200_000:
        return False
    return Enterprise.objects.count() < count


# While a bulk load runs, the enterprise table's comment records the indexes it dropped, so
# that a run killed before rebuilding them is repaired by the next gen-data run.
_MARKER = "zqt gen-data bulk load in progress; indexes to rebuild: "


def _table_comment() -> str | None:
    with connection.cursor() as cur:
        cur.execute("SELECT obj_description(%s::regclass, 'pg_class')", [Enterprise._meta.db_table])
        return cast("str | None", cur.fetchone()[0])


def _set_table_comment(text: str | None) -> None:
    with connection.cursor() as cur:
        cur.execute(
            f"COMMENT ON TABLE {connection.ops.quote_name(Enterprise._meta.db_table)} IS %s",
            [text],
        )


def _drop_indexes_for_bulk(indexes: list[tuple[str, str]]) -> None:
    with transaction.atomic():
        original = _table_comment()
        _set_table_comment(
            _MARKER + json.dumps({"indexes": indexes, "comment": original}, ensure_ascii=False)
        )
        with connection.cursor() as cur:
            for name, _ddl in indexes:
                cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


def _index_exists(name: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [connection.ops.quote_name(name)])
        return bool(cur.fetchone()[0])


def _create_indexes(indexes: list[tuple[str, str]], *, parallel: int) -> None:
    """Create the missing ones of `indexes`, `parallel` at a time (own connections, autocommit).

    The slowest (GIN, then the rest in order) start first.
    """
    todo = sorted(
        ((name, ddl) for name, ddl in indexes if not _index_exists(name)),
        key=lambda item: " USING gin " not in item[1],
    )
    work: queue.Queue[str] = queue.Queue()
    for _name, ddl in todo:
        work.put(ddl)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SET maintenance_work_mem = '128MB'")
                while True:
                    try:
                        ddl = work.get_nowait()
                    except queue.Empty:
                        return
                    cur.execute(ddl)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connection only

    threads = [threading.Thread(target=run) for _ in range(max(1, min(parallel, len(todo))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _finish_bulk(indexes: list[tuple[str, str]]) -> None:
    _create_indexes(indexes, parallel=2)
    comment = _table_comment() or ""
    if comment.startswith(_MARKER):
        _set_table_comment(json.loads(comment[len(_MARKER) :]).get("comment"))


def repair_interrupted_bulk_load() -> int:
    """Rebuild the indexes an interrupted bulk load dropped; return how many it names."""
    if connection.vendor != "postgresql":
        return 0
    comment = _table_comment() or ""
    if not comment.startswith(_MARKER):
        return 0
    indexes = [(name, ddl) for name, ddl in json.loads(comment[len(_MARKER) :])["indexes"]]
    _finish_bulk(indexes)
    return len(indexes)


def load_synthetic(
    *,
    count: int,
    seed: int,
    batch_size: int = 10_000,
    start_serial: int | None = None,
    workers: int | None = None,
    writers: int | None = None,
    bulk: bool | None = None,
    truncate: bool = False,
    today: dt.date | None = None,
    region_weights: Mapping[str, float] | None = None,
    on_batch: Callable[[synthetic.Produced], None] | None = None,
) -> LoadResult:
    """Generate `count` enterprises and write them with their licences, credit records,
    penalties and tags. Loads reference data first if the region table is empty.

    `workers` generator processes (default: cores - 1) feed `writers` database connections
    (default: see default_writers).

    `bulk` (PostgreSQL, default: see default_bulk) drops the non-unique btree indexes of the
    tables it writes, copies the rows (committing each batch), and creates the indexes again,
    two at a time: building an index once is much cheaper than maintaining it row by row. The
    indexes are rebuilt after a failure too, and the table comment records them while they are
    missing, so a run that was killed is repaired by the next one. Queries on the table are slow
    while its indexes are missing: use it on a database that is being set up.
    """
    if count < 0:
        raise CommandError("--enterprises 不能为负数。")
    if batch_size <= 0:
        raise CommandError("--batch-size 必须为正数。")
    if start_serial is not None and start_serial < 0:
        raise CommandError("--start-serial 不能为负数。")
    if connection.vendor not in ("postgresql", "sqlite"):
        raise CommandError(f"不支持的数据库：{connection.vendor}")
    if writers is not None and writers > 1 and connection.in_atomic_block:
        raise CommandError("在事务中只能使用一个写入连接（--writers 1）。")
    started = time.perf_counter()
    _check_columns()
    _ensure_reference_data()
    tag_ids = dict(Tag.objects.values_list("code", "id"))
    missing = sorted(set(synthetic.TAG_CODES) - set(tag_ids))
    if missing:
        raise CommandError(f"缺少标签参考数据：{missing}（请先运行 zqt load_reference）")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        repair_interrupted_bulk_load()
    if truncate:
        truncate_enterprises()
    result = LoadResult()
    if count == 0:
        return result
    if bulk and connection.vendor == "postgresql" and connection.in_atomic_block:
        raise CommandError("批量模式（--bulk）需要提交每一批，不能在事务中运行。")
    if bulk is None:
        bulk = default_bulk(count)
    bulk = bulk and connection.vendor == "postgresql"
    if workers is None:
        # In bulk mode the server has little to do while rows stream in: generate on every core.
        workers = default_workers(count, batch_size) + (1 if bulk else 0)
    if writers is None or bulk:
        writers = 1 if bulk else default_writers(count, batch_size)
    counts = dict.fromkeys(synthetic.TABLE_KEYS, 0)

    def written(produced: synthetic.Produced) -> None:
        for key, n in produced.counts.items():
            counts[key] += n
        if on_batch is not None:
            on_batch(produced)

    first_id = _reserve_ids(count)
    serial0 = first_id if start_serial is None else start_serial
    today = today or timezone.localdate()
    now = _now_text(timezone.now())
    encoding = "copy" if connection.vendor == "postgresql" else "rows"
    weights = tuple(sorted(region_weights.items())) if region_weights else None
    specs = [
        synthetic.BatchSpec(
            seed=seed,
            batch_index=i,
            batch_size=batch_size,
            count=count,
            start_serial=serial0,
            today=today,
            id_base=first_id,
            tag_ids=tuple(sorted(tag_ids.items())),
            now=now,
            encoding=encoding,
            region_weights=weights,
        )
        for i in range(-(-count // batch_size))
    ]
    dropped: list[tuple[str, str]] = []
    if bulk:
        dropped = _secondary_indexes()
        _drop_indexes_for_bulk(dropped)
    phase = time.perf_counter()
    try:
        _write_all(_produced_batches(specs, workers), writers, written)
    finally:
        # Also after a failure: the rows written so far are committed and need their indexes.
        result.write_seconds = time.perf_counter() - phase
        if bulk:
            phase = time.perf_counter()
            _finish_bulk(dropped)
            result.index_seconds = time.perf_counter() - phase
    audit_record(
        actor=None,
        action="enterprise.synthetic_generate",
        object_type="enterprise",
        object_id=f"{first_id}-{first_id + count - 1}",
        purpose="合成数据",
        changes={"seed": seed, "start_serial": serial0, "bulk": bulk, **counts},
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in _tables().values():
                cur.execute(f'ANALYZE "{model._meta.db_table}"')
    result.enterprises = counts["enterprise"]
    result.counts = counts
    result.first_id = first_id
    result.start_serial = serial0
    result.bulk = bulk
    result.seconds = time.perf_counter() - started
    return result


class Command(BaseCommand):
    help = "生成浙江省合成市场主体数据（确定性，分批流式写入）：zqt gen-data --enterprises N"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, required=True, help="生成的市场主体数量")
        parser.add_argument(
            "--seed", type=int, default=2026, help="随机种子（相同种子生成相同数据）"
        )
        parser.add_argument("--batch-size", type=int, default=10_000, help="每批数量")
        parser.add_argument(
            "--start-serial", type=int, default=None,
            help="统一社会信用代码序号起点（默认：本次预留的第一个主键，多次运行不会重复）",
        )  # fmt: skip
        parser.add_argument(
            "--workers", type=int, default=None,
            help="生成数据的工作进程数（默认：CPU 核数减一；0 = 在本进程内生成）",
        )  # fmt: skip
        parser.add_argument(
            "--writers", type=int, default=None,
            help="并行写入的数据库连接数（默认：PostgreSQL 为 2，SQLite 为 1）",
        )  # fmt: skip
        parser.add_argument(
            "--bulk", action=argparse.BooleanOptionalAction, default=None,
            help="PostgreSQL：先删除非唯一的 btree 索引、写入后并行重建"
            "（默认：数量不少于20万且多于现有数据时启用；期间查询会变慢）",
        )  # fmt: skip
        parser.add_argument(
            "--truncate", action="store_true", help="先清空所有市场主体及其证照、信用、处罚等数据"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        from tqdm import tqdm

        count = options["enterprises"]
        bar = tqdm(
            total=count, unit="enterprises", unit_scale=True, desc="gen-data",
            disable=options["no_progress"] or count == 0, mininterval=1.0,
        )  # fmt: skip
        try:
            result = load_synthetic(
                count=count,
                seed=options["seed"],
                batch_size=options["batch_size"],
                start_serial=options["start_serial"],
                workers=options["workers"],
                writers=options["writers"],
                bulk=options["bulk"],
                truncate=options["truncate"],
                on_batch=lambda produced: bar.update(produced.enterprises),
            )
        finally:
            bar.close()
        counts = result.counts
        self.stdout.write(
            f"已生成 {result.enterprises} 户市场主体（主键 {result.first_id} 起，"
            f"信用代码序号 {result.start_serial} 起）：证照 {counts.get('licence', 0)}，"
            f"信用记录 {counts.get('credit_record', 0)}，行政处罚 {counts.get('penalty', 0)}，"
            f"标签 {counts.get('enterprise_tag', 0)}；用时 {result.seconds:.1f} 秒，"
            f"{result.rows_per_s:,.0f} 户/秒"
            + (
                f"（批量模式：写入 {result.write_seconds:.1f} 秒，重建索引 "
                f"{result.index_seconds:.1f} 秒）"
                if result.bulk
                else ""
            )
        )
