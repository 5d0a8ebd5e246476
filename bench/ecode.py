#!/usr/bin/env python3
"""Enterprise code benchmark (issue 3). Runs with no arguments; PostgreSQL from DATABASE_URL.

1. Offline verification on one core: the full path from the scanned URL text to the verdict
   (base32 decode, CBOR parse, key lookup, Ed25519 verify, time checks, status-list lookup)
   with `zqt.ecode.offline.OfflineVerifier`, over 2,000 distinct codes, for ~5 s.
2. HTTP verify endpoint (POST /api/v1/ecode/verify, public facts + a scan record written per
   request) served by gunicorn (gthread workers, production settings) on a fresh PostgreSQL
   database with 2,000 enterprises that hold codes; a load generator in a SECOND process sends
   an open-loop 200 requests/s for 60 s over keep-alive connections on loopback. Latency is
   measured from each request's SCHEDULED send time (no coordinated omission).
3. QR version and payload bytes of the static and the dynamic code.

Knobs (environment): ZQT_BENCH_RATE (200), ZQT_BENCH_SECONDS (60), ZQT_BENCH_WORKERS
(2 × cores + 1), ZQT_BENCH_THREADS (2), ZQT_BENCH_BASELINE_SECONDS (15).
Last line of output: one JSON object.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
try:
    import django  # noqa: F401
except ImportError:  # started with the system python: re-run inside the project's venv
    if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise

sys.path.insert(0, str(ROOT / "src"))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zqt_bench")
RATE = int(os.environ.get("ZQT_BENCH_RATE", "200"))
SECONDS = int(os.environ.get("ZQT_BENCH_SECONDS", "60"))
# gunicorn: 2 × cores + 1 workers, gthread (keep-alive works; a sync worker closes every
# connection, so the load generator paid a TCP handshake per request), 2 threads each so a
# worker waiting on PostgreSQL can serve another request.
WORKERS = int(os.environ.get("ZQT_BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
THREADS = int(os.environ.get("ZQT_BENCH_THREADS", "2"))
BASELINE_SECONDS = int(os.environ.get("ZQT_BENCH_BASELINE_SECONDS", "15"))
ENTERPRISES = int(os.environ.get("ZQT_BENCH_ENTERPRISES", "2000"))
PORT = 8765 + os.getpid() % 1000
ZQT = ROOT / ".venv" / "bin" / "zqt"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- 1. offline ----------------------------------------------------------------------------


def offline_bench() -> dict[str, float]:
    from zqt.core.identifiers import make_uscc
    from zqt.ecode import codec, documents
    from zqt.ecode.offline import OfflineVerifier
    from zqt.ecode.signing import (
        Ed25519Signer,
        Ed25519Verifier,
        OpenSSLEd25519Verifier,
        key_id_for,
    )

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    signer, anchor = Ed25519Signer.generate(), Ed25519Signer.generate()
    kid, akid = key_id_for(signer.public_key), key_id_for(anchor.public_key).hex()
    now = int(time.time())
    trust = documents.sign_document(
        documents.trust_list_payload(
            keys=[(kid.hex(), "Ed25519", signer.public_key, "active")], issued_at=now, ttl=3600
        ),
        signer=anchor,
        kid=akid,
    )
    status = documents.sign_document(
        documents.status_list_payload(
            entries=[(i, 2 if i % 50 == 0 else 0) for i in range(200_000)], issued_at=now, ttl=3600
        ),
        signer=anchor,
        kid=akid,
    )
    verifier = OfflineVerifier(
        trust_list=trust,
        status_list=status,
        anchors={akid: ("Ed25519", anchor.public_key)},
        now=now,
    )
    urls = [
        codec.to_url(
            codec.sign(
                codec.Claims(
                    codec.CodeKind.STATIC,
                    kid,
                    make_uscc(region_code="330802", serial=i),
                    i * 50 + 1,
                    now,
                ),
                signer,
            ),
            base_url="HTTPS://QZ.ZQT.GOV.CN",
        )
        for i in range(2_000)
    ]
    for url in urls[:200]:
        verifier.verify(url, now=now)
    # Baselines over the same codes in the same run (the machine is shared: compare ratios):
    # the bare signature check with libsodium (what the verifier uses) and with OpenSSL.
    raws = [codec._b32decode(codec.extract_token(u)) for u in urls]
    pairs = [
        (r[-codec.SIGNATURE_BYTES :], codec.DOMAIN + r[: -codec.SIGNATURE_BYTES]) for r in raws
    ]
    sodium, openssl = Ed25519Verifier(signer.public_key), OpenSSLEd25519Verifier(signer.public_key)

    def rate(fn: Callable[[Any], object], items: list[Any], seconds: float) -> float:
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for item in items:
                fn(item)
            done += len(items)
        return (time.perf_counter() - start) / done * 1e6  # µs each

    full: list[float] = []
    bare: list[float] = []
    bare_openssl: list[float] = []
    for _round in range(5):  # interleaved, so a burst of load elsewhere hits all three
        full.append(rate(lambda u: verifier.verify(u, now=now), urls, 1.0))
        bare.append(rate(lambda p: sodium.verify(*p), pairs, 0.5))
        bare_openssl.append(rate(lambda p: openssl.verify(*p), pairs, 0.5))
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    full_us, bare_us = statistics.median(full), statistics.median(bare)
    return {
        "offline_verify_per_s": round(1e6 / full_us),
        "offline_verify_us": round(full_us, 1),
        "offline_bare_ed25519_us": round(bare_us, 1),
        "offline_bare_ed25519_openssl_us": round(statistics.median(bare_openssl), 1),
        "offline_non_crypto_us": round(full_us - bare_us, 1),
        "load_average_offline": round(os.getloadavg()[0], 2),
    }


# --- 3. sizes ------------------------------------------------------------------------------


def sizes() -> dict[str, int]:
    from zqt.core.identifiers import make_uscc
    from zqt.ecode import codec, rendering
    from zqt.ecode.signing import Ed25519Signer, key_id_for

    signer = Ed25519Signer.generate()
    kid = key_id_for(signer.public_key)
    uscc = make_uscc(region_code="330802", serial=123_456)
    now = int(time.time())
    static = codec.sign(codec.Claims(codec.CodeKind.STATIC, kid, uscc, 9_999_999, now), signer)
    dynamic = codec.sign(
        codec.Claims(codec.CodeKind.DYNAMIC, kid, uscc, 9_999_999, now, 60, secrets.token_bytes(8)),
        signer,
    )
    base = "HTTPS://QZ.ZQT.GOV.CN"
    s_url, d_url = codec.to_url(static, base_url=base), codec.to_url(dynamic, base_url=base)
    return {
        "payload_bytes": len(base64.b32decode(static + "=" * (-len(static) % 8))),
        "payload_bytes_dynamic": len(base64.b32decode(dynamic + "=" * (-len(dynamic) % 8))),
        "url_chars": len(s_url),
        "url_chars_dynamic": len(d_url),
        "qr_version": int(rendering.qr(s_url, error="M").version),
        "qr_version_print_q": int(rendering.qr(s_url, error="Q").version),
        "qr_version_dynamic": int(rendering.qr(d_url, error="M").version),
    }


# --- 2. HTTP -------------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(BASE_URL)
    with psycopg.connect(
        urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True
    ) as c:
        c.execute(sql)


SETUP = """
import json
from zqt.enterprises.models import Enterprise
from zqt.ecode import services, selectors
tokens = []
# Codes of enterprises that trade: a revoked one is a correct 400, not a server error.
for e in Enterprise.objects.exclude(status__in=["revoked", "deregistered"]).order_by("pk")[:%d]:
    tokens.append(selectors.code_url(services.ecode_ensure(enterprise=e)))
json.dump(tokens, open(%r, "w"))
"""


def _request(path: str, body: bytes | None) -> bytes:
    if body is None:
        return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nConnection: keep-alive\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _load(
    host: str, port: int, requests: list[bytes], rate: int, seconds: int
) -> dict[str, float]:
    """Open-loop: request i is due at start + i/rate; a free keep-alive connection sends it
    (a new one is opened when none is free). Latency counts from the due time."""
    pool: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    errors = 0

    connections = 0

    async def one(request: bytes, due: float) -> None:
        nonlocal errors, connections
        writer = None
        try:
            if pool:
                reader, writer = pool.pop()
            else:
                # Counted as an error when the server cannot even accept the connection.
                reader, writer = await asyncio.open_connection(host, port)
                connections += 1
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - due)
            if status != 200:
                errors += 1
            if b"connection: close" in head.lower():
                writer.close()
            else:
                pool.append((reader, writer))
        except Exception:
            errors += 1
            if writer is not None:
                writer.close()

    loop_start = time.perf_counter() + 0.5
    tasks = []
    total = rate * seconds
    for i in range(total):
        due = loop_start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(requests[i % len(requests)], due)))
    await asyncio.gather(*tasks)
    latencies.sort()
    return {
        "http_requests": total,
        "http_errors": errors
        + (total - len(latencies) - errors if len(latencies) + errors < total else 0),
        "http_verify_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "http_verify_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "http_verify_max_ms": round(latencies[-1] * 1000, 2),
        "http_connections": connections,
    }


def load_main(tokens_file: str, port: int) -> None:
    """The load generator (its own process). With tokens_file "-" it GETs /healthz instead:
    the baseline of a trivial Django view (one SELECT 1) under the same server and load."""
    import resource

    if tokens_file == "-":
        requests = [_request("/healthz", None)]
    else:
        tokens = json.loads(Path(tokens_file).read_text())
        requests = [
            _request("/api/v1/ecode/verify", json.dumps({"token": t}).encode()) for t in tokens
        ]
    seconds = int(os.environ.get("ZQT_BENCH_LOAD_SECONDS", SECONDS))
    wall = time.perf_counter()
    result = asyncio.run(_load("127.0.0.1", port, requests, RATE, seconds))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    # The generator shares the 2 cores with the server: report what it took.
    result["loadgen_cpu_s"] = round(cpu, 2)
    result["loadgen_cpu_share"] = round(cpu / (time.perf_counter() - wall), 3)
    print(json.dumps(result))


def http_bench(tmp: Path) -> dict[str, float]:
    name = f"zqt_bench_ecode_{os.getpid()}"
    parts = urllib.parse.urlsplit(BASE_URL)
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="zqt.config.settings.production",
        SECRET_KEY="bench-" + secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        ZQT_SSL_REDIRECT="0",
        ZQT_ECODE_KEY_DIR=str(tmp / "keys"),
        ZQT_VAR_DIR=str(tmp / "var"),
        ZQT_LOG_LEVEL="ERROR",
    )
    pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
    pg_admin(f'CREATE DATABASE "{name}"')
    server = None
    try:
        say("http: migrate, generate enterprises, issue codes")
        subprocess.run([str(ZQT), "migrate", "-v", "0"], env=env, check=True)
        subprocess.run([str(ZQT), "load_reference"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            [str(ZQT), "gen-data", "--enterprises", str(ENTERPRISES), "--seed", "2026"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        tokens_file = tmp / "tokens.json"
        subprocess.run(
            [str(ZQT), "shell", "-c", SETUP % (ENTERPRISES, str(tokens_file))], env=env, check=True
        )
        say(
            f"http: gunicorn {WORKERS} gthread workers × {THREADS} threads on :{PORT}; "
            f"{RATE} req/s for {SECONDS} s"
        )
        server = subprocess.Popen(
            [
                str(GUNICORN),
                "zqt.config.wsgi",
                "-w",
                str(WORKERS),
                "--worker-class",
                "gthread",
                "--threads",
                str(THREADS),
                "-b",
                f"127.0.0.1:{PORT}",
                "--keep-alive",
                "75",
                "--log-level",
                "warning",
            ],
            env=env,
            start_new_session=True,
        )
        _wait_port(PORT)
        # Warm up each worker (imports, DB connections) before measuring.
        warm = dict(os.environ, ZQT_BENCH_RATE="50", ZQT_BENCH_SECONDS="4")
        subprocess.run(
            [sys.executable, __file__, "--load", str(tokens_file), str(PORT)],
            env=warm,
            check=True,
            stdout=subprocess.DEVNULL,
        )

        def load(target: str, seconds: int) -> dict[str, Any]:
            out = subprocess.run(
                [sys.executable, __file__, "--load", target, str(PORT)],
                env=dict(os.environ, ZQT_BENCH_LOAD_SECONDS=str(seconds)),
                check=False,
                capture_output=True,
                text=True,
            )
            if out.returncode:
                say(out.stderr)
                raise SystemExit("the load generator failed")
            return dict(json.loads(out.stdout.strip().splitlines()[-1]))

        cpu_before = _tree_cpu(server.pid)
        started = time.perf_counter()
        result = load(str(tokens_file), SECONDS)
        server_cpu = _tree_cpu(server.pid) - cpu_before
        result["server_cpu_ms_per_request"] = round(server_cpu / result["http_requests"] * 1e3, 2)
        result["server_cpu_share"] = round(server_cpu / (time.perf_counter() - started), 3)
        result["load_average_http"] = round(os.getloadavg()[0], 2)
        say(f"http: baseline GET /healthz, same server and rate, {BASELINE_SECONDS} s")
        baseline = load("-", BASELINE_SECONDS)
        result["baseline_healthz_p50_ms"] = baseline["http_verify_p50_ms"]
        result["baseline_healthz_p99_ms"] = baseline["http_verify_p99_ms"]
        result["baseline_healthz_errors"] = baseline["http_errors"]
        return result
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children (gunicorn master + workers),
    from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _wait_port(port: int) -> None:
    import socket

    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zqt.config.settings.test")
    import django

    django.setup()
    result: dict[str, object] = {}
    say("offline verify, one core, 5 s")
    result.update(offline_bench())
    result.update(sizes())
    with tempfile.TemporaryDirectory() as tmp:
        result.update(http_bench(Path(tmp)))
    result["rate_per_s"] = RATE
    result["seconds"] = SECONDS
    result["gunicorn_workers"] = WORKERS
    result["gunicorn_threads"] = THREADS
    # Seed 000 §一: a checkpoint check took 15 s with the pass code (2 minutes before).
    result["seed_checkpoint_s"] = 15
    result["speedup_vs_seed_checkpoint"] = round(15 / (result["http_verify_p99_ms"] / 1000))  # type: ignore[operator]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--load":
        load_main(sys.argv[2], int(sys.argv[3]))
    else:
        main()
