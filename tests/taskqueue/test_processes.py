"""Real processes on a SQLite file: a worker killed mid-task (its task is re-run by another
worker), and `zqt serve` starting and stopping its three processes."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, "-m", "zqt.manage"]

pytestmark = pytest.mark.slow


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("taskqueue-template")
    database = folder / "template.sqlite3"
    env = process_env(folder, database)
    subprocess.run([*MANAGE, "migrate", "-v", "0"], env=env, check=True, timeout=60)
    return database


def process_env(var_dir: Path, database: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.taskqueue.subprocess_settings",
        DATABASE_URL=f"sqlite:///{database}",
        ZQT_VAR_DIR=str(var_dir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def database(tmp_path: Path, migrated_template: Path) -> Path:
    """A fresh copy of the migrated database for one test."""
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(migrated_template) as source, sqlite3.connect(path) as target:
        source.backup(target)
    return path


def query(database: Path, sql: str, *params: object) -> list[tuple]:
    connection = sqlite3.connect(database, timeout=20)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def test_a_task_of_a_killed_worker_is_rerun_by_another_worker(
    tmp_path: Path, database: Path
) -> None:
    env = process_env(tmp_path, database)
    work = tmp_path / "work"
    work.mkdir()
    enqueue = (
        "from tests.taskqueue.tasks_for_tests import write_file_when_released as t; "
        f"print(t.enqueue({str(work)!r}).id)"
    )
    enqueued = subprocess.run(
        [*MANAGE, "shell", "-c", enqueue], env=env, check=True, capture_output=True, text=True
    )
    task_id = enqueued.stdout.strip().splitlines()[-1].replace("-", "")
    worker_args = ["worker", "--no-startup-delay", "--interval", "0.1"]

    first = subprocess.Popen(
        [*MANAGE, *worker_args, "--worker-id", "first"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for((work / "started").exists, 20, "the first worker to start the task")
        lease_sql = (
            "SELECT worker_id, claimed_at, heartbeat_at FROM taskqueue_tasklease "
            "WHERE task_result_id = ?"
        )
        wait_for(
            lambda: (
                query(database, lease_sql, task_id)[0][2]
                > query(database, lease_sql, task_id)[0][1]
            ),
            10,
            "a heartbeat",
        )
    finally:
        first.kill()  # SIGKILL: no chance to clean up, as in an OOM kill
        first.wait()
    status_sql = "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = ?"
    assert query(database, status_sql, task_id)[0][0] == "RUNNING"

    (work / "release").touch()
    second = subprocess.run(
        [*MANAGE, *worker_args, "--max-tasks", "1", "--worker-id", "second"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert second.returncode == 0, second.stderr
    status, worker_ids = query(database, status_sql, task_id)[0]
    assert status == "SUCCESSFUL"
    assert json.loads(worker_ids) == ["first", "second"]
    reclaims = query(
        database, "SELECT reclaim_count FROM taskqueue_tasklease WHERE task_result_id = ?", task_id
    )
    assert reclaims == [(1,)]
    assert (work / "done").read_text() == "ok"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Output:
    """Collects a process's output lines from a thread, so the test can wait for one."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stdout is not None
        stream = process.stdout
        self._thread = threading.Thread(target=lambda: self.lines.extend(stream), daemon=True)
        self._thread.start()

    def find(self, pattern: str) -> re.Match[str] | None:
        for line in list(self.lines):
            match = re.search(pattern, line)
            if match:
                return match
        return None

    def text(self) -> str:
        return "".join(self.lines)


def start_serve(
    tmp_path: Path, database: Path
) -> tuple[subprocess.Popen[str], Output, dict[str, int]]:
    process = subprocess.Popen(
        [*MANAGE, "serve", f"127.0.0.1:{free_port()}", "--stop-timeout", "5"],
        env=process_env(tmp_path, database),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(process)
    pattern = r"web pid (\d+), worker pid (\d+), scheduler pid (\d+)"
    try:
        wait_for(
            lambda: output.find(pattern) is not None or process.poll() is not None, 30, "serve"
        )
    except AssertionError:
        process.kill()
        raise
    match = output.find(pattern)
    assert match is not None, output.text()
    pids = dict(zip(("web", "worker", "scheduler"), map(int, match.groups()), strict=True))
    return process, output, pids


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_starts_web_worker_and_scheduler_and_ctrl_c_stops_all(
    tmp_path: Path, database: Path
) -> None:
    process, output, pids = start_serve(tmp_path, database)
    assert all(is_running(pid) for pid in pids.values())

    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=30)

    assert code == 0, output.text()
    assert not any(is_running(pid) for pid in pids.values())
    assert "stopped" in output.text()
    assert "did not stop" not in output.text()  # each child stopped on SIGTERM, none was killed


def test_serve_stops_everything_and_fails_when_a_child_dies(tmp_path: Path, database: Path) -> None:
    process, output, pids = start_serve(tmp_path, database)

    os.kill(pids["worker"], signal.SIGKILL)
    code = process.wait(timeout=30)

    assert code == 1, output.text()
    assert "worker exited unexpectedly" in output.text()
    assert not any(is_running(pid) for pid in pids.values())
