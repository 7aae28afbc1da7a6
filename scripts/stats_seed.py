"""A year of a large city's hotline, written straight into the tables for `scripts/bench stats`.

Orders and their events are generated as the operations would write them — the same actions,
states, deadlines (counted on the real working-day calendar with the Karamay preset) and the
same `changes` keys the statistics read — but loaded in bulk: PostgreSQL through COPY
(psycopg's `cursor.copy`), SQLite through executemany in one transaction. Going through
`actions.perform` would take days at ten million orders.

Distributions (per order): type consultation 35%, complaint 30%, help 18%, suggestion 7%,
report 5%, other 3%, praise 2%; channel phone 70%, web 12%, SMS 6%, mailbox 5%, voicemail 3%,
API 2%, Open311 2%; weekday volume twice the weekend's, office hours busiest; 3% invalid, 2%
duplicates, direct answers for two thirds of consultations; of the dispatches 4% returned and
re-dispatched, 2% extended, ~91% replied on time, ~7% late, ~1.5% after the severe threshold,
0.2% never replied; callbacks 76% satisfied, 12% basically, 5% dissatisfied (half of those
reopened and re-dispatched), 7% unreachable.
"""
from __future__ import annotations

import bisect
import itertools
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from workorders import deadlines
from workorders.calendar_store import load_calendar
from workorders.models import Category, Department, OrderEvent, WorkOrder
from workorders.policies import PRESETS

TZ = ZoneInfo("Asia/Shanghai")
DAY = 86400

TYPES = [("consultation", 35), ("complaint", 30), ("help", 18), ("suggestion", 7), ("report", 5),
         ("other", 3), ("praise", 2)]
CHANNELS = [("phone", 70), ("web", 12), ("sms", 6), ("mailbox", 5), ("voicemail", 3), ("api", 2), ("open311", 2)]
DISTRICTS = [("东城区", 18), ("西城区", 16), ("高新区", 14), ("南山区", 11), ("北湖区", 10), ("江北区", 9),
             ("临江区", 8), ("青山区", 6), ("新城区", 5), ("开发区", 3)]
CATEGORY_WEIGHTS = {"city_management": 12, "digital_city": 6, "property": 14, "municipal": 10, "environment": 9,
                    "public_service": 8, "labour": 8, "traffic": 8, "housing": 6, "public_security": 4,
                    "business": 4, "education": 4, "health": 3, "commerce": 2, "illegal_construction": 3, "other": 2}
SATISFACTION = [("satisfied", 76), ("basically_satisfied", 12), ("dissatisfied", 5), ("unreachable", 7)]
CONTENTS = ["小区垃圾清运不及时，气味很大，请尽快处理。", "路灯不亮，晚上出行很不安全。", "夜间施工噪音扰民，无法休息。",
            "咨询社保卡补办需要哪些材料。", "小区电梯长期故障，物业不修。", "公交站台破损，下雨无处避雨。",
            "商家占道经营，影响通行。", "拖欠工资两个月，请帮忙协调。", "学校周边交通拥堵，希望增派交警。"]
# Hours of the day (local) weighted as a call centre's day: busiest mornings and afternoons.
HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 8, 11, 14, 14, 12, 9, 6, 5, 4, 3, 2, 1]


def cumulative(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(itertools.accumulate(weights))


def pick(rng: random.Random, table) -> object:
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]


# Formatting tens of millions of instants: the date part once per day, the time from a table.
_CLOCK = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
_DATES: dict[int, str] = {}


def _utc_date(day_number: int) -> str:
    found = _DATES.get(day_number)
    if found is None:
        t = time.gmtime(day_number * DAY)
        found = _DATES[day_number] = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
    return found


def iso(ts: int) -> str:
    """The ISO form `events.snapshot` writes for a UTC instant."""
    day, second = divmod(ts, DAY)
    return f"{_utc_date(day)}T{_CLOCK[second]}+00:00"


@dataclass
class Reference:
    """What the generator draws from: departments, categories, deadlines per dispatch day."""

    departments: list[tuple[int, str]]  # id, code
    department_table: tuple
    category_ids: dict[str, int]
    category_table: tuple
    default_department: dict[int, tuple[int, str]]
    limits: dict[str, int]
    callback_types: frozenset[str]
    # (local dispatch date, limit) -> (due, yellow, severe, return window end), epoch seconds
    thresholds: dict = field(default_factory=dict)
    extended: dict = field(default_factory=dict)


def reference(session, first: date, last: date) -> Reference:
    rules = PRESETS["karamay"][1]
    departments = [(d.id, d.code) for d in session.scalars(select(Department).where(Department.kind != "hotline"))]
    weights = [(d, 50 if "." not in d[1] and not d[1].startswith("district") else 30) for d in departments]
    categories = {c.code: c for c in session.scalars(select(Category))}
    by_id = dict(departments)
    defaults = {c.id: (c.default_department_id, by_id[c.default_department_id])
                for c in categories.values() if c.default_department_id in by_id}
    ref = Reference(
        departments, cumulative(weights), {code: c.id for code, c in categories.items()},
        cumulative([(categories[code].id, w) for code, w in CATEGORY_WEIGHTS.items() if code in categories]),
        defaults, {t: lim.days for t, lim in rules.limits.items()}, frozenset(rules.callback_types),
    )
    cal = load_calendar(session)
    day = first
    while day <= last + timedelta(days=60):
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=TZ)
        window = deadlines.return_window_end(noon, rules.return_window_days, cal, TZ).at
        for limit in set(ref.limits.values()):
            t = deadlines.thresholds(noon, limit, "working", rules.yellow_days, rules.severe_days, cal, TZ)
            ref.thresholds[day, limit] = tuple(int(x.timestamp()) for x in (t.due_at, t.yellow_at, t.severe_at, window))
            moved = deadlines.extend(t.due_day, 5, cal, TZ)
            e = deadlines.thresholds_for_day(moved.day, rules.yellow_days, "working", rules.severe_days, cal, TZ)
            ref.extended[day, limit] = tuple(int(x.timestamp()) for x in (e.due_at, e.yellow_at, e.severe_at))
        day += timedelta(days=1)
    return ref


class Life:
    """One order's events and final row, built as the operations would leave them."""

    def __init__(self, order_id: int, created: int, attrs: dict):
        self.id, self.created, self.attrs = order_id, created, attrs
        self.events: list[tuple] = []
        self.row: dict = {}
        self.state = "new"

    def event(self, action, at, actor, role, dept, to_state, inputs: str, changes: str) -> None:
        self.events.append((action, actor, role, dept, self.state, to_state, inputs, changes, at))
        self.state = to_state


def simulate(life: Life, rng: random.Random, ref: Reference, now: int, previous_id: int | None) -> None:
    a, row = life.attrs, life.row
    t = life.created
    created = (f'{{"type":"{a["type"]}","channel":"{a["channel"]}","content":{a["content_json"]}}}',
               f'{{"number":"{a["number"]}","type":"{a["type"]}","channel":"{a["channel"]}","state":"new",'
               f'"category_id":{a["category_id"]},"district":"{a["district"]}","created_at":"{iso(t)}"}}')
    life.events.append(("create", "话务员", "agent", None, None, "new", created[0], created[1], t))
    roll = rng.random()
    if roll < 0.03:
        t += rng.randint(60, 900)
        life.event("mark_invalid", t, "话务员", "agent", None, "invalid", '{"reason_code":"empty","note":"无实质内容"}',
                   f'{{"state":"invalid","invalid_reason":"empty","closed_at":"{iso(t)}"}}')
        row.update(invalid_reason="empty", closed_at=t)
        return
    if roll < 0.05 and previous_id is not None:
        t += rng.randint(60, 900)
        life.event("merge", t, "话务员", "agent", None, "merged", '{"into":"earlier"}',
                   f'{{"state":"merged","merged_into_id":{previous_id},"closed_at":"{iso(t)}"}}')
        row.update(merged_into_id=previous_id, closed_at=t)
        return
    if t > now - 2 * DAY and rng.random() < 0.3:
        return  # still in the intake queue
    direct = 0.65 if a["type"] == "consultation" else 0.04
    if rng.random() < direct:
        t += rng.randint(60, 600)
        needs_callback = a["type"] in ref.callback_types
        callback_due = t + 2 * DAY
        life.event("answer", t, "话务员", "agent", None, "answered", '{"text":"按标准答案答复"}',
                   '{"state":"answered","answer_text":"按标准答案答复"'
                   + (f',"callback_due_at":"{iso(callback_due)}"}}' if needs_callback else "}"))
        row.update(answer_text="按标准答案答复")
        _close(life, rng, ref, t, now, None, needs_callback)
        return
    _dispatch_round(life, rng, ref, t, now, redispatch=False)


def _dispatch_round(life: Life, rng: random.Random, ref: Reference, t: int, now: int, redispatch: bool) -> None:
    a = life.attrs
    t += rng.randint(300, 7200) if not redispatch else rng.randint(3600, DAY)
    if t > now:
        return
    dept_id, code = (ref.default_department[a["category_id"]]
                     if a["category_id"] in ref.default_department and rng.random() < 0.55
                     else pick(rng, ref.department_table))
    returned = not redispatch and rng.random() < 0.04
    action, role, inputs = (("review", "supervisor", f'{{"decision":"redispatch","reason":"未解决","department":"{code}"}}')
                            if redispatch else ("dispatch", "agent", f'{{"department":"{code}"}}'))
    _dispatch_event(life, ref, t, action, role, inputs, dept_id)
    if returned:
        t += rng.randint(600, 7200)
        life.event("return", t, "承办人", "department", dept_id, "returned", '{"reason":"非本单位职责"}',
                   '{"state":"returned","due_at":null,"yellow_at":null,"severe_at":null,"return_deadline_at":null}')
        t += rng.randint(600, 7200)
        dept_id, code = pick(rng, ref.department_table)
        _dispatch_event(life, ref, t, "dispatch", "supervisor", f'{{"department":"{code}"}}', dept_id)
    dispatched = t
    due, yellow, severe, _ = ref.thresholds[_local_day(dispatched), ref.limits[a["type"]]]
    t += rng.randint(600, 6 * 3600)
    if t > now:
        return
    life.event("sign", t, "承办人", "department", dept_id, "in_progress", "{}", '{"state":"in_progress"}')
    if rng.random() < 0.02 and t < due - DAY:
        asked = t + rng.randint(3600, max(3601, (due - t) // 2))
        if asked < now:
            life.event("request_extension", asked, "承办人", "department", dept_id, "in_progress",
                       '{"reason":"需协调","working_days":5}', '{"pending_extension_days":5}')
            decided = asked + rng.randint(600, 4 * 3600)
            if decided < now:
                due, yellow, severe = ref.extended[_local_day(dispatched), ref.limits[a["type"]]]
                life.event("decide_extension", decided, "督办员", "supervisor", None, "in_progress", '{"approve":true}',
                           f'{{"pending_extension_days":null,"extension_days":5,"due_at":"{iso(due)}",'
                           f'"yellow_at":"{iso(yellow)}","severe_at":"{iso(severe)}"}}')
                life.row["extension_days"] = 5
                t = decided
    life.row.update(due_at=due, yellow_at=yellow, severe_at=severe)
    roll = rng.random()
    if roll < 0.002:
        return  # never replied: held past every threshold
    if roll < 0.917:
        reply = t + int(rng.random() ** 1.6 * max(60, due - t))
    elif roll < 0.985:
        reply = due + rng.randint(1, max(2, severe - due))
    else:
        reply = severe + rng.randint(1, 10 * DAY)
    if reply > now:
        return
    resolved = rng.random() < 0.9
    needs_callback = a["type"] in ref.callback_types
    life.event("reply", reply, "承办人", "department", dept_id, "replied",
               f'{{"text":"已办理","resolved":{"true" if resolved else "false"}}}',
               f'{{"state":"replied","reply_text":"已办理","resolved":{"true" if resolved else "false"},'
               f'"replied_at":"{iso(reply)}"' + (f',"callback_due_at":"{iso(reply + 2 * DAY)}"}}' if needs_callback else "}"))
    life.row.update(reply_text="已办理", resolved=resolved, replied_at=reply)
    _close(life, rng, ref, reply, now, dept_id, needs_callback)


def _dispatch_event(life: Life, ref: Reference, t: int, action: str, role: str, inputs: str, dept_id: int) -> None:
    due, yellow, severe, window = ref.thresholds[_local_day(t), ref.limits[life.attrs["type"]]]
    life.event(action, t, "督办员" if role == "supervisor" else "话务员", role, None, "dispatched", inputs,
               f'{{"state":"dispatched","department_id":{dept_id},"handling":"time_limited",'
               f'"dispatched_at":"{iso(t)}","limit_days":{ref.limits[life.attrs["type"]]},"limit_unit":"working",'
               f'"due_at":"{iso(due)}","yellow_at":"{iso(yellow)}","severe_at":"{iso(severe)}",'
               f'"return_deadline_at":"{iso(window)}","reply_text":null,"replied_at":null}}')
    life.row.update(department_id=dept_id, dispatched_at=t, due_at=due, yellow_at=yellow, severe_at=severe,
                    return_deadline_at=window, handling="time_limited", limit_days=ref.limits[life.attrs["type"]],
                    limit_unit="working", reply_text=None, replied_at=None, resolved=None, satisfaction=None)


def _close(life: Life, rng: random.Random, ref: Reference, t: int, now: int, dept_id, needs_callback: bool) -> None:
    if not needs_callback:
        life.event("archive", t, "policy", "system", None, "archived", '{"reason":"no satisfaction callback required"}',
                   f'{{"state":"archived","closed_at":"{iso(t)}"}}')
        life.row["closed_at"] = t
        return
    t += rng.randint(2 * 3600, 2 * DAY)
    if t > now:
        return
    satisfaction = pick(rng, SATISFACTION_TABLE)
    if satisfaction == "unreachable":
        life.event("callback", t, "回访系统", "system", None, "archived", '{"satisfaction":"unreachable"}',
                   f'{{"state":"archived","satisfaction":"unreachable","callback_attempts":3,"closed_at":"{iso(t)}"}}')
        life.row.update(satisfaction="unreachable", closed_at=t, callback_attempts=3)
        return
    resolved = satisfaction != "dissatisfied" and rng.random() < 0.92
    target = "under_review" if satisfaction == "dissatisfied" else "archived"
    life.event("callback", t, "话务员", "agent", None, target,
               f'{{"satisfaction":"{satisfaction}","resolved":{"true" if resolved else "false"}}}',
               f'{{"state":"{target}","satisfaction":"{satisfaction}","callback_attempts":1'
               + (f',"closed_at":"{iso(t)}"}}' if target == "archived" else "}"))
    life.row.update(satisfaction=satisfaction, callback_attempts=1, closed_at=t if target == "archived" else None)
    if target == "under_review":
        if rng.random() < 0.5:
            _dispatch_round(life, rng, ref, t, now, redispatch=True)
        elif t + DAY < now:
            life.event("review", t + DAY, "督办员", "supervisor", None, "archived",
                       '{"decision":"archive","reason":"已解释"}', f'{{"state":"archived","closed_at":"{iso(t + DAY)}"}}')
            life.row["closed_at"] = t + DAY


SATISFACTION_TABLE = cumulative(SATISFACTION)
TYPE_TABLE, CHANNEL_TABLE, DISTRICT_TABLE = cumulative(TYPES), cumulative(CHANNELS), cumulative(DISTRICTS)


def _local_day(ts: int) -> date:
    return datetime.fromtimestamp(ts, TZ).date()


def daily_counts(n: int, first: date, days: int, cal, rng: random.Random) -> list[int]:
    """N orders over the days: working days about twice the rest days, a mild seasonal swing."""
    import math

    weights = []
    for i in range(days):
        day = first + timedelta(days=i)
        season = 1 + 0.15 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
        weights.append((1.0 if cal.is_workday(day) else 0.5) * season * rng.uniform(0.9, 1.1))
    total = sum(weights)
    counts = [int(n * w / total) for w in weights]
    for i in range(n - sum(counts)):
        counts[i % days] += 1
    return counts


def generate_day(day: date, count: int, first_id: int, ref: Reference, rng: random.Random, now: int):
    """The orders received on one local day, in the order they came in, with their lives."""
    midnight = int(datetime(day.year, day.month, day.day, tzinfo=TZ).timestamp())
    hours = cumulative(list(enumerate(HOURS)))
    moments = sorted(midnight + 3600 * pick(rng, hours) + rng.randrange(3600) for _ in range(count))
    moments = [m for m in moments if m <= now]
    stamp = day.strftime("%Y%m%d")
    lives, previous = [], None
    for i, created in enumerate(moments):
        order_id = first_id + i
        category_id = pick(rng, ref.category_table)
        content = rng.choice(CONTENTS)
        attrs = {"type": pick(rng, TYPE_TABLE), "channel": pick(rng, CHANNEL_TABLE), "category_id": category_id,
                 "district": pick(rng, DISTRICT_TABLE), "content": content,
                 "content_json": json.dumps(content, ensure_ascii=False), "number": f"{stamp}-{i + 1:05d}"}
        life = Life(order_id, created, attrs)
        simulate(life, rng, ref, now, previous)
        lives.append(life)
        previous = order_id
    return lives


# --- writing --------------------------------------------------------------------------------------

ORDER_COLUMNS = [
    "id", "number", "version", "last_event_seq", "type", "channel", "state", "content", "category_id", "district",
    "caller_name", "caller_phone", "confidential", "public_consent", "urgent", "access_code_hash", "created_at",
    "updated_at", "department_id", "handling", "dispatched_at", "limit_days", "limit_unit", "extension_days",
    "due_at", "yellow_at", "severe_at", "return_deadline_at", "provisional", "supervised", "answer_text",
    "reply_text", "replied_at", "resolved", "callback_attempts", "satisfaction", "closed_at", "invalid_reason",
    "merged_into_id",
]
EVENT_COLUMNS = ["id", "order_id", "seq", "action", "actor_name", "actor_role", "actor_department_id",
                 "from_state", "to_state", "inputs", "changes", "at"]
TIME_COLUMNS = {"created_at", "updated_at", "dispatched_at", "due_at", "yellow_at", "severe_at",
                "return_deadline_at", "replied_at", "closed_at"}
ACCESS_HASH = "0" * 64


def check_columns() -> list[tuple[str, object]]:
    """NOT NULL columns other packages added to the orders since: filled with their defaults."""
    extra = []
    for column in WorkOrder.__table__.columns:
        if column.name in ORDER_COLUMNS or column.nullable:
            continue
        if column.default is None or not column.default.is_scalar:
            raise SystemExit(f"work_orders.{column.name} is NOT NULL without a default: teach scripts/stats_seed.py")
        extra.append((column.name, column.default.arg))
    return extra


def order_values(life: Life, extra) -> list:
    a, r = life.attrs, life.row
    last = life.events[-1][8]
    values = {
        "id": life.id, "number": a["number"], "version": len(life.events), "last_event_seq": len(life.events),
        "type": a["type"], "channel": a["channel"], "state": life.state, "content": a["content"],
        "category_id": a["category_id"], "district": a["district"], "caller_name": "市民",
        "caller_phone": "13800000000" if a["channel"] in ("phone", "sms", "voicemail") else None,
        "confidential": False, "public_consent": False, "urgent": False, "access_code_hash": ACCESS_HASH,
        "created_at": life.created, "updated_at": last, "extension_days": r.get("extension_days", 0),
        "provisional": False, "supervised": False, "callback_attempts": r.get("callback_attempts", 0), **r,
    }
    return [values.get(c) for c in ORDER_COLUMNS] + [v for _, v in extra]


def event_values(life: Life, first_event_id: int) -> list[list]:
    return [[first_event_id + i, life.id, i + 1, *e] for i, e in enumerate(life.events)]


def _utc_text(ts: int, sqlite: bool) -> str:
    # SQLAlchemy's SQLite format (compared as text: it must be exactly this), or a timestamptz.
    day, second = divmod(ts, DAY)
    return f"{_utc_date(day)} {_CLOCK[second]}" + (".000000" if sqlite else "+00")


class Writer:
    """Bulk rows into work_orders and order_events on one raw DBAPI connection, one transaction."""

    def __init__(self, raw, dialect: str):
        self.raw, self.sqlite = raw, dialect == "sqlite"
        if self.sqlite:
            # The app's engine leaves pysqlite in autocommit mode: one explicit transaction, or a
            # commit per row.
            raw.cursor().execute("BEGIN")
        self.extra = check_columns()
        self.order_columns = ORDER_COLUMNS + [name for name, _ in self.extra]
        self.time_index = {i for i, c in enumerate(self.order_columns) if c in TIME_COLUMNS}
        self.orders = self.events = 0

    def write(self, lives: list[Life], first_event_id: int) -> int:
        orders = [order_values(life, self.extra) for life in lives]
        events, next_id = [], first_event_id
        for life in lives:
            events.extend(event_values(life, next_id))
            next_id += len(life.events)
        for row in orders:
            for i in self.time_index:
                if row[i] is not None:
                    row[i] = _utc_text(row[i], self.sqlite)
        for row in events:
            row[-1] = _utc_text(row[-1], self.sqlite)
        if self.sqlite:
            self._executemany("work_orders", self.order_columns, orders)
            self._executemany("order_events", EVENT_COLUMNS, events)
        else:
            self._copy("work_orders", self.order_columns, orders)
            self._copy("order_events", EVENT_COLUMNS, events)
        self.orders += len(orders)
        self.events += len(events)
        return next_id

    def _executemany(self, table: str, columns: list[str], rows: list[list]) -> None:
        marks = ", ".join("?" for _ in columns)
        cursor = self.raw.cursor()
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        cursor.close()

    def _copy(self, table: str, columns: list[str], rows: list[list]) -> None:
        # COPY text format. Every string here comes from this module's own pools and f-strings,
        # none with a tab, newline or backslash, so no escaping is needed.
        lines = []
        for row in rows:
            lines.append("\t".join("\\N" if v is None else ("t" if v is True else "f" if v is False else str(v))
                                   for v in row))
        with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write("\n".join(lines) + "\n")

    def finish(self) -> None:
        if not self.sqlite:
            with self.raw.cursor() as cursor:
                for table in ("work_orders", "order_events"):
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
        self.raw.commit()


# Above this many orders PostgreSQL gets a generated year of at most this size, copied in SQL.
GENERATED_MAX = 1_000_000


def seed(engine, n: int, first: date, last: date, now: datetime, seed_value: int = 12345,
         progress=lambda day, orders: None) -> dict:
    """N orders received from `first` to `last`, lived up to `now`; returns what was written.

    Generating in Python runs at a few thousand orders a second, which is hours at ten million.
    So on PostgreSQL, above GENERATED_MAX orders, one year of N / copies orders is generated and
    then copied `copies` times in set-based SQL (`replicate`): the same days, hours, types,
    departments and outcomes, as if `copies` identical cities shared the hotline; every copy has
    its own ids and order numbers, and its events point at its own orders.
    """
    copies = 1
    if engine.dialect.name == "postgresql" and n > GENERATED_MAX:
        copies = -(-n // GENERATED_MAX)
    written = _generate(engine, n // copies, first, last, now, seed_value, progress)
    if copies > 1:
        written = replicate(engine, copies, written,
                            progress=lambda k: progress(last, written["orders"] * k))
    return written


def replicate(engine, copies: int, written: dict, progress=lambda copies: None) -> dict:
    """Copy the generated orders and events `copies - 1` more times (PostgreSQL)."""
    orders, events = written["orders"], written["events"]
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute("SELECT MAX(id), MAX(split_part(number, '-', 2)::int) FROM work_orders")
            last_id, busiest_day = cursor.fetchone()
            cursor.execute("SELECT MAX(id) FROM order_events")
            (last_event,) = cursor.fetchone()
            if (last_id, last_event) != (orders, events):
                raise SystemExit("replicate expects the generated orders alone, numbered from 1")
            if busiest_day * copies > 99_999:
                raise SystemExit(f"{copies} copies of {busiest_day} orders a day overflow the order numbers")
            columns = [c for c in ORDER_COLUMNS if c != "id"] + [name for name, _ in check_columns()]
            for k in range(1, copies):
                shifted = {
                    "number": f"split_part(number, '-', 1) || '-' || "
                              f"lpad((split_part(number, '-', 2)::int + {k * busiest_day})::text, 5, '0')",
                    "merged_into_id": f"merged_into_id + {k * orders}",
                }
                cursor.execute(
                    f"INSERT INTO work_orders (id, {', '.join(columns)}) "
                    f"SELECT id + {k * orders}, {', '.join(shifted.get(c, c) for c in columns)} "
                    f"FROM work_orders WHERE id <= {orders}")
                event_columns = [c for c in EVENT_COLUMNS if c not in ("id", "order_id", "changes")]
                cursor.execute(
                    f"INSERT INTO order_events (id, order_id, changes, {', '.join(event_columns)}) "
                    f"SELECT id + {k * events}, order_id + {k * orders}, "
                    f"CASE WHEN action = 'merge' THEN jsonb_set(changes::jsonb, '{{merged_into_id}}', "
                    f"to_jsonb((changes->>'merged_into_id')::bigint + {k * orders}))::json ELSE changes END, "
                    f"{', '.join(event_columns)} FROM order_events WHERE id <= {events}")
                raw.commit()
                progress(k + 1)
            for table in ("work_orders", "order_events"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        raw.commit()
    finally:
        raw.close()
    return {"orders": orders * copies, "events": events * copies}


def _generate(engine, n: int, first: date, last: date, now: datetime, seed_value: int, progress) -> dict:
    from sqlalchemy.orm import Session

    assert not any(ch in "".join(CONTENTS) for ch in "\t\n\\\""), "the content pool must need no escaping"
    rng = random.Random(seed_value)
    with Session(engine) as session:
        ref = reference(session, first, last)
        cal = load_calendar(session)
    days = (last - first).days + 1
    counts = daily_counts(n, first, days, cal, rng)
    now_ts = int(now.timestamp())
    raw = engine.raw_connection()
    writer = Writer(raw, engine.dialect.name)
    order_id, event_id, batch = 1, 1, []
    try:
        for i, count in enumerate(counts):
            day = first + timedelta(days=i)
            lives = generate_day(day, count, order_id, ref, rng, now_ts)
            order_id += len(lives)
            batch.extend(lives)
            if len(batch) >= 50_000 or i == days - 1:
                event_id = writer.write(batch, event_id)
                batch = []
                progress(day, writer.orders)
        writer.finish()
    finally:
        raw.close()
    return {"orders": writer.orders, "events": writer.events}


def count_rows(session) -> dict:
    return {"orders": session.scalar(text("SELECT COUNT(*) FROM work_orders")),
            "events": session.scalar(select(OrderEvent.id).order_by(OrderEvent.id.desc()).limit(1)) or 0}
