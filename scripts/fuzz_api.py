"""Fuzz the JSON API and the Open311 routes with schemathesis, as CI does (issue 12).

    .venv/bin/python -m scripts.fuzz_api [--max-examples N] [--max-time SECONDS]

A fresh database — a temporary SQLite file, or a new database beside HOTLINE_TEST_DATABASE_URL
(dropped afterwards) — gets the migrations and the demo city; the app is served on 127.0.0.1,
and schemathesis runs against `/api/v1/openapi.json` with an agent's, a department clerk's and
a supervisor's token, then against the Open311 document below, anonymously. Path parameters
are drawn, most of the time, from what the demo city holds (orders in every state, articles,
synonym groups, callers' numbers), so the generated bodies reach the actions' own checks rather
than stopping at "no such order". Any 5xx, any status
the document does not list, or any body that breaks the document's schema fails the run (exit 1).
The number of test cases is printed at the end.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
TZ = ZoneInfo("Asia/Shanghai")
ERRORS_XML_OR_JSON = {"application/json": {"schema": {"type": "array", "items": {
    "type": "object", "required": ["code", "description"],
    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}}}}
OPEN311_ERRORS = {str(code): {"description": text, "content": ERRORS_XML_OR_JSON}
                  for code, text in ((400, "bad input"), (403, "api_key missing or invalid"), (404, "not found"))}
REQUEST = {"type": "object", "required": ["service_request_id", "status", "service_code", "requested_datetime"],
           "properties": {"service_request_id": {"type": "string"}, "status": {"enum": ["open", "closed"]},
                          "service_code": {"type": "string"}, "description": {"type": ["string", "null"]},
                          "requested_datetime": {"type": "string"}, "address": {"type": ["string", "null"]}}}
JSON_LIST = {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}


def open311_document(api_key: str) -> dict:
    """The GeoReport v2 routes (JSON format) as an OpenAPI document, for the fuzzer only."""
    def get(summary, params=(), item=None):
        schema = {"type": "array", "items": item or {"type": "object"}}
        return {"get": {"summary": summary, "parameters": [
            {"name": n, "in": "query", "schema": {"type": "string"}} for n in params],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}},
                          **OPEN311_ERRORS}}}

    requests_ = get("requests", ("service_request_id", "service_code", "status", "start_date", "end_date",
                                 "jurisdiction_id"), REQUEST)
    requests_["post"] = {
        "summary": "file a request",
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["api_key"], "properties": {"api_key": {"enum": [api_key]}, **{
                n: {"type": "string"} for n in ("service_code", "description", "lat", "long", "address_string", "first_name",
                "last_name", "phone", "email", "attribute[public_consent]", "attribute[district]")}}}}}},
        "responses": {"201": {"description": "filed", "content": JSON_LIST}, **OPEN311_ERRORS},
    }
    one = get("one request", (), REQUEST)
    one["get"]["parameters"].append({"name": "number", "in": "path", "required": True, "schema": {"type": "string"}})
    token = get("token")
    token["get"]["parameters"].append({"name": "token", "in": "path", "required": True, "schema": {"type": "string"}})
    service = {"get": {"summary": "service definition", "parameters": [
        {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
                      **OPEN311_ERRORS}}}
    discovery = {"get": {"summary": "discovery", "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
        **OPEN311_ERRORS}}}
    return {"openapi": "3.0.3", "info": {"title": "Open311 GeoReport v2 (JSON)", "version": "2"},
            "paths": {"/discovery.json": discovery, "/services.json": get("services"),
                      "/services/{code}.json": service, "/requests.json": requests_,
                      "/requests/{number}.json": one, "/tokens/{token}.json": token}}


def _prepare(url: str, data_dir: str | None) -> tuple[Flask, dict[str, str], str, dict[str, list]]:
    """Migrations, the demo city, one token per role and an Open311 key; returns the app, the
    tokens, the key and the identifiers of what the city holds."""
    from hotline import create_app
    from hotline.auth import issue_token
    from hotline.db import database
    from hotline.demo import seed
    from workorders.calendar_store import seed_from_chinesecalendar
    from workorders.citizen.open311 import issue_key
    from workorders.clock import Clock
    from workorders.people import find_user

    now = datetime(2026, 3, 2, 10, tzinfo=TZ)
    # Answering in the browser configured, so /voice/token issues a real token instead of its
    # documented 503 (any 5xx fails the run).
    twilio = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "fuzz", "TWILIO_API_KEY": "SK" + "0" * 32,
              "TWILIO_API_SECRET": "fuzz-secret", "TWILIO_TWIML_APP_SID": "AP" + "0" * 32}
    config = {"DATABASE_URL": url, "SECRET_KEY": "fuzz", "SCHEDULER": "off", "CLOCK": Clock.frozen(now, TZ), **twilio}
    if data_dir:
        config["DEMO_DATA_DIR"] = data_dir
    app = create_app(config)
    with app.app_context(), database(app).transaction() as session:
        seed_from_chinesecalendar(session, now)
        seed(session, app)
        tokens = {name: issue_token(session, find_user(session, name), now, "fuzz")
                  for name in ("agent", "housing", "supervisor")}
        api_key = issue_key(session, "fuzz", now)
        identifiers = _identifiers(session, find_user(session, "housing").department_id)
    return app, tokens, api_key, identifiers


# How often a path parameter is one the database holds; the rest are generated (unknown ones).
REAL_IDENTIFIERS = 0.7


def _identifiers(session, clerks_department: int) -> dict[str, list]:
    """Path parameters that exist: a few orders of every state, ten of the clerk's department,
    articles, synonym groups and callers' numbers."""
    from sqlalchemy import select

    from knowledge_base.models import Article, SynonymGroup
    from workorders.models import WorkOrder

    numbers = []
    for state in session.scalars(select(WorkOrder.state).distinct()):
        numbers += session.scalars(select(WorkOrder.number).where(WorkOrder.state == state)
                                   .order_by(WorkOrder.id.desc()).limit(5))
    numbers += session.scalars(select(WorkOrder.number).where(WorkOrder.department_id == clerks_department)
                               .order_by(WorkOrder.id.desc()).limit(10))
    phones = session.scalars(select(WorkOrder.caller_phone).where(WorkOrder.caller_phone.is_not(None))
                             .distinct().limit(10))
    found = {"number": sorted(set(numbers)), "phone": sorted(phones),
             "article_id": list(session.scalars(select(Article.id).order_by(Article.id).limit(20))),
             "group_id": list(session.scalars(select(SynonymGroup.id).order_by(SynonymGroup.id).limit(10)))}
    return {name: values for name, values in found.items() if values}


def _config(identifiers: dict[str, list]) -> str:
    """schemathesis.toml binding each path parameter to a dictionary of the values that exist."""
    lines = []
    for name, values in identifiers.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {json.dumps(values, ensure_ascii=False)}\n")
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = {REAL_IDENTIFIERS} }}' for name in identifiers]
    return "\n".join(lines) + "\n"


def _run(schema: str, base: str, headers: list[str], args, label: str, config: Path) -> tuple[int, int]:
    """One schemathesis run; returns (exit status, test cases)."""
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", schema, "--url", base, "--checks", CHECKS,
               "--max-examples", str(args.max_examples), "--seed", str(args.seed), "--workers", "1",
               "--phases", "examples,coverage,fuzzing", "--suppress-health-check", "all",
               "--no-shrink"]
    if args.max_time:
        command += ["--max-time", str(args.max_time)]
    for header in headers:
        command += ["-H", header]
    print(f"--- schemathesis: {label}", flush=True)
    run = subprocess.run(command, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(run.stdout, flush=True)
    found = re.findall(r"^\s*(\d+) generated", run.stdout, flags=re.MULTILINE)
    return run.returncode, int(found[-1]) if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/fuzz_api", description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=15, help="test cases per operation and phase")
    parser.add_argument("--max-time", type=int, default=0, help="time budget of each run in seconds (0: none)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--data", default=None, help="the shared data folder (default: the app's)")
    args = parser.parse_args(argv)

    import os

    from werkzeug.serving import make_server

    from tests.committed import committed_database

    with tempfile.TemporaryDirectory() as tmp, committed_database(Path(tmp)) as url:
        app, tokens, api_key, identifiers = _prepare(url, args.data)
        config = Path(tmp) / "schemathesis.toml"
        config.write_text(_config(identifiers), encoding="utf-8")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        import threading

        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        os.environ.setdefault("SCHEMATHESIS_HOOKS", "")
        results = []
        try:
            for who, token in tokens.items():
                results.append(_run(f"{base}/api/v1/openapi.json", f"{base}/api/v1", [f"Authorization: Bearer {token}"],
                                    args, f"/api/v1 as {who}", config))
            spec = Path(tmp) / "open311.json"
            spec.write_text(json.dumps(open311_document(api_key)))
            results.append(_run(str(spec), f"{base}/open311/v2", [], args, "/open311/v2 anonymously", config))
        finally:
            server.shutdown()
            server.server_close()
            from hotline.db import database

            database(app).dispose()
    cases = sum(c for _, c in results)
    failed = [s for s, _ in results if s != 0]
    print(f"schemathesis: {cases} test cases in {len(results)} runs; "
          f"{'FAILED' if failed else 'no server error, every response as documented'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
