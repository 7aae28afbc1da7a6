"""Reading the calendar file an admin uploads (SPEC §4: a small JSON or CSV file).

JSON is shaped like data/official_holidays.json (`{"years": {"2027": {"holidays": [...],
"workdays": [...]}}}`, the same the CLI imports). CSV has one row per special day,
`date,kind` with kind `holiday` or `workday`; every year named is imported whole.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date

from workorders.errors import Invalid

MAX_BYTES = 256 * 1024


def years_map(filename: str, raw: bytes) -> dict:
    if len(raw) > MAX_BYTES:
        raise Invalid("the calendar file is too large (at most %(kb)s KB)", kb=MAX_BYTES // 1024)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the calendar file is not UTF-8 text") from None
    if filename.lower().endswith(".csv"):
        return _from_csv(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid("the calendar file is not JSON: %(reason)s", reason=str(exc)) from None
    return data.get("years", data) if isinstance(data, dict) else data


def _from_csv(text: str) -> dict:
    years: dict[str, dict[str, list[str]]] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().lower() == "date":
            continue
        if len(row) != 2:
            raise Invalid("line %(line)s: expected 'date,kind'", line=number)
        day, kind = row[0].strip(), row[1].strip().lower()
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            raise Invalid("line %(line)s: '%(text)s' is not a date (YYYY-MM-DD)", line=number, text=day) from None
        if kind not in ("holiday", "workday"):
            raise Invalid("line %(line)s: kind must be 'holiday' or 'workday'", line=number)
        entry = years.setdefault(str(parsed.year), {"holidays": [], "workdays": []})
        entry["holidays" if kind == "holiday" else "workdays"].append(day)
    if not years:
        raise Invalid("the calendar file lists no days")
    return years
