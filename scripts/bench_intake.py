"""intake: orders created per second through the JSON API, on the configured database.

Uses HOTLINE_DATABASE_URL when set (its schema is migrated first; the orders stay there), else a
fresh temporary SQLite file. Requests go through the whole Flask app (routing, token check,
validation, numbering, event, commit) via its WSGI test client, one after another.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--orders", type=int, default=2000, help="orders to create")


def main(args) -> dict:
    from hotline import create_app
    from hotline.auth import hash_password, issue_token
    from hotline.db import database
    from hotline.migrate import upgrade
    from workorders.calendar_store import seed_from_chinesecalendar
    from workorders.people import create_user
    from workorders.policy_store import install_presets

    tmp = tempfile.mkdtemp(prefix="hotline-bench-")
    url = os.environ.get("HOTLINE_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SCHEDULER": "off", "SECRET_KEY": "bench"})
    with app.app_context(), database(app).transaction() as session:
        from hotline.runtime import clock

        now = clock().now()
        seed_from_chinesecalendar(session, now)
        install_presets(session)
        user = create_user(session, username=f"bench{int(time.time() * 1000) % 10**9}",
                           password_hash=hash_password("benchmark"), role="agent", now=now)
        token = issue_token(session, user, now)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"type": "complaint", "channel": "phone", "content": "小区门口道路破损，雨天积水严重，请尽快修复。",
            "caller_name": "王先生", "caller_phone": "13812345678", "district": "东城区"}
    started = time.perf_counter()
    for _ in range(args.orders):
        response = client.post("/api/v1/orders", json=body, headers=headers)
        if response.status_code != 201:
            raise SystemExit(f"intake failed: {response.status_code} {response.get_data(as_text=True)}")
    seconds = time.perf_counter() - started
    database(app).dispose()
    return {
        "benchmark": "intake",
        "database": url.split(":", 1)[0],
        "orders": args.orders,
        "seconds": round(seconds, 3),
        "orders_per_second": round(args.orders / seconds, 1),
        "ms_per_order": round(1000 * seconds / args.orders, 3),
    }
