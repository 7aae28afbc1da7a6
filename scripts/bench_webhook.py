"""webhook: signed /ivr/voice requests per second, the product against a bare Flask app, in one run.

Both are served by gunicorn with the same settings on 127.0.0.1 (the product on a fresh migrated
database: a temporary SQLite file, or with --database-url postgresql://… a scratch database made
beside it and dropped afterwards). Every request is what Twilio sends for a new call — its own
CallSid, every parameter, a valid X-Twilio-Signature — so the product checks the signature, logs
the call and answers with the menu; the bare app (scripts/bench_webhook_bare.py) answers the very
TwiML the product answered, and nothing else. Rounds alternate between the two so that other load
on the machine hits both alike. Figures: requests per second, p50/p95 latency, and the ratio
product ÷ bare of requests per second; the product's call records are counted afterwards (one per
request, or the run fails).
Run: scripts/bench webhook [--requests 3000] [--workers 2] [--concurrency 4] [--database-url URL]
"""
from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
AUTH_TOKEN = "bench-twilio-auth-token"
ACCOUNT_SID = "AC" + "0" * 32
NUMBER = "+8675512345"
CALLER = "+8613912345678"
ROUNDS = 3


def add_arguments(parser) -> None:
    parser.add_argument("--requests", type=int, default=3000, help="timed requests to each app (at most 100000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each app")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight at once")
    parser.add_argument("--database-url", default=None,
                        help="postgresql://… (a scratch database is made beside it); default SQLite")


def main(args) -> dict:
    if not 1 <= args.requests <= 100_000:
        raise SystemExit("--requests must be between 1 and 100000")
    if not 1 <= args.concurrency <= 64 or not 1 <= args.workers <= 16:
        raise SystemExit("--concurrency must be 1..64 and --workers 1..16")
    from scripts.bench_sweep import _scratch_database

    gunicorn = ["--workers", str(args.workers), "--threads", str(args.threads)]
    with _scratch_database(args.database_url) as url, tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
        _seed(url)
        product_env = {
            "HOTLINE_DATABASE_URL": url, "HOTLINE_INSTANCE": tmp, "HOTLINE_SECRET_KEY": "bench",
            "HOTLINE_SCHEDULER": "off", "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_NUMBER": NUMBER, "HOTLINE_TELEPHONY": "console", "HOTLINE_PUBLIC_URL": "",
        }
        with _gunicorn("hotline:create_app()", gunicorn, product_env) as product:
            warm = _signed_requests(product, 20)
            first = _send(product, *warm[0])
            if first[0] != 200 or b"<Response>" not in first[1]:
                raise SystemExit(f"the product did not answer /ivr/voice: {first[0]} {first[1][:200]!r}")
            twiml = first[1].decode()
            with _gunicorn("scripts.bench_webhook_bare:app", gunicorn, {"BENCH_WEBHOOK_TWIML": twiml}) as bare:
                _fire(product, warm[1:], args.concurrency)
                _fire(bare, _signed_requests(bare, 20), args.concurrency)
                timed = {"product": [], "bare": []}
                per_round = -(-args.requests // ROUNDS)
                left = args.requests
                for _ in range(ROUNDS):
                    n = min(per_round, left)
                    left -= n
                    for name, port in (("product", product), ("bare", bare)):
                        timed[name].append(_fire(port, _signed_requests(port, n), args.concurrency))
        calls = _count_calls(url)
    expected = args.requests + len(warm)
    if calls != expected:
        raise SystemExit(f"the product logged {calls} calls for {expected} requests")
    figures = {name: _summary(rounds) for name, rounds in timed.items()}
    return {
        "benchmark": "webhook",
        "database": url.split(":", 1)[0],
        "requests": args.requests,
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "concurrency": args.concurrency,
        "product": figures["product"],
        "bare": figures["bare"],
        "ratio": round(figures["product"]["requests_per_second"] / figures["bare"]["requests_per_second"], 3),
        "calls_logged": calls,
    }


def _seed(url: str) -> None:
    """The reference data a running hotline has: the calendar and the policies."""
    from hotline import create_app
    from hotline.db import database
    from workorders.calendar_store import seed_from_chinesecalendar
    from workorders.policy_store import install_presets

    app = create_app({"DATABASE_URL": url, "SCHEDULER": "off", "SECRET_KEY": "bench"})
    with app.app_context(), database(app).transaction() as session:
        from hotline.runtime import clock

        seed_from_chinesecalendar(session, clock().now())
        install_presets(session)
    database(app).dispose()


def _count_calls(url: str) -> int:
    from sqlalchemy import func, select

    from hotline.db import make_engine
    from ivr.models import Call

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Call))
    finally:
        engine.dispose()


class _gunicorn:
    """A gunicorn serving `app` on a free loopback port, stopped (SIGTERM) on exit."""

    def __init__(self, app: str, options: list[str], env: dict[str, str]):
        self.app, self.options, self.env = app, options, env

    def __enter__(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *self.options, "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", self.app],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _, _ = _send(self.port, "/ivr/voice", b"", {})
                if status == 400 or status == 403:  # up and refusing an empty, unsigned post
                    return self.port
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        self.log.seek(0)
        raise SystemExit(f"gunicorn {self.app} did not start:\n{self.log.read().decode(errors='replace')}")

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _signed_requests(port: int, n: int) -> list[tuple[str, bytes, dict]]:
    """n new calls as Twilio posts them, signed over the URL the server sees."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(AUTH_TOKEN)
    url = f"http://127.0.0.1:{port}/ivr/voice"
    built = []
    for _ in range(n):
        params = {
            "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": "CA" + uuid.uuid4().hex,
            "CallStatus": "ringing", "Direction": "inbound", "From": CALLER, "Caller": CALLER,
            "To": NUMBER, "Called": NUMBER, "CallerCountry": "CN", "CalledCountry": "CN",
            "FromCity": "SHENZHEN", "FromState": "Guangdong", "StirVerstat": "TN-Validation-Passed-A",
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, params)}
        built.append(("/ivr/voice", urlencode(params).encode(), headers))
    return built


def _send(port: int, path: str, body: bytes, headers: dict) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - started
    finally:
        conn.close()


def _fire(port: int, requests: list, concurrency: int) -> dict:
    """Send `requests` with `concurrency` in flight; every answer must be a 200."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = iter(requests)

    def worker():
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            status, data, seconds = _send(port, *item)
            with lock:
                latencies.append(seconds)
                if status != 200:
                    failures.append(f"{status} {data[:200]!r}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} of {len(requests)} requests failed, e.g. {failures[0]}")
    return {"seconds": elapsed, "latencies": latencies}


def _summary(rounds: list[dict]) -> dict:
    latencies = sorted(x for r in rounds for x in r["latencies"])
    seconds = sum(r["seconds"] for r in rounds)
    return {
        "requests_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p95_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2),
    }
