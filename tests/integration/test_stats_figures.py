"""Every figure of SPEC §7 on a small fixed data set, counted by hand (issue #7, acceptance 1).

The data set (tests/stats_support.march_2026) has replies at the very second of the due time and
one second after it, an extension, a commitment order, a reopened order, a return, a held order
past the severe threshold, a sub-unit, unreachable callbacks and orders on both sides of the
month's local-date boundaries. The report is read from the roll-up after a rebuild, and the
roll-up is held against the independent replay of the events.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.stats_support import TZ, Office, beijing, march_2026
from workorders.models import Department
from workorders.stats import figures, scratch
from workorders.stats.periods import month
from workorders.stats.rollup import rollup_days

MARCH = month(2026, 3)


def seconds(a, b) -> int:
    return round((b - a).total_seconds())


@pytest.fixture
def march(app, session, clock):
    with app.app_context():
        orders = march_2026(Office(session, clock))
        rollup_days(session, date(2026, 2, 1), date(2026, 4, 30), TZ)
        yield orders


def report(session, clock, group):
    return figures.report(session, MARCH, group, clock.now(), TZ)


def dept_id(session, code) -> str:
    return str(session.scalar(select(Department.id).where(Department.code == code)))


def test_the_month_total_is_counted_as_defined(march, session, clock):
    total = report(session, clock, "all").total.as_dict()
    # Received: 12 orders have a March local date (1 March 00:30 and 31 March 23:59:59 included,
    # 28 February 23:30 and 1 April 00:00 not); one invalid, one merged, one answered directly.
    assert (total["received"], total["invalid"], total["merged"], total["valid_received"]) == (12, 1, 1, 10)
    assert total["answered"] == 1 and total["direct_answer_rate"] == 0.1
    # Nine dispatches: the reopened and the returned orders count twice; February's does not.
    assert total["dispatched"] == 9
    assert total["replied"] == 7 and total["reply_rate"] == round(7 / 9, 4)
    # On time: the reply at 23:59:59 of the due day, the extended one, both of the reopened
    # order, the commitment order. Late: one second after the due time, and the street's.
    assert (total["replied_on_time"], total["replied_late"]) == (5, 2)
    assert total["on_time_rate"] == round(5 / 7, 4)
    assert (total["held"], total["held_past_due"]) == (1, 1)
    assert total["overdue"] == 3 and total["overdue_rate"] == round(3 / 9, 4)
    assert total["severe_overdue"] == 2  # the street's late reply, and the order still held
    assert total["returns"] == 1 and total["returns_per_100"] == round(100 / 9, 2)
    # Callbacks made in March: seven reached (February's dispatch included), three unreachable
    # attempts that closed one order, not reached.
    assert total["callbacks_reached"] == 7
    assert (total["satisfied"], total["basically_satisfied"], total["dissatisfied"]) == (5, 1, 1)
    assert total["satisfaction_rate"] == round(6 / 7, 4)
    assert total["resolved"] == 5 and total["resolution_rate"] == round(5 / 7, 4)
    assert total["unreachable"] == 1
    o, b = march, beijing
    cycles = [
        seconds(b(2026, 3, 2, 9, 5), b(2026, 3, 9, 23, 59, 59)),
        seconds(b(2026, 3, 2, 9, 15), b(2026, 3, 10, 0, 0, 0)),
        seconds(b(2026, 3, 2, 10, 5), b(2026, 3, 12, 16, 0)),
        seconds(b(2026, 3, 3, 9, 10), b(2026, 3, 4, 15, 0)),
        seconds(b(2026, 3, 5, 14, 0), b(2026, 3, 6, 10, 0)),
        seconds(b(2026, 3, 4, 11, 30), b(2026, 3, 19, 10, 0)),
        seconds(b(2026, 3, 2, 15, 5), b(2026, 3, 17, 9, 0)),
    ]
    assert total["average_reply_days"] == round(sum(cycles) / 7 / 86400, 2) == 8.18
    assert o["at_due"].due_at == b(2026, 3, 9, 23, 59, 59)  # the data set is what it says
    assert o["extended"].due_at == b(2026, 3, 12, 23, 59, 59)
    assert o["committed"].due_at == b(2026, 3, 20, 23, 59, 59)


def test_departments_are_judged_on_their_own_dispatches(march, session, clock):
    r = report(session, clock, "department")
    housing = r.row(dept_id(session, "housing")).figures.as_dict()
    # Housing: at_due (on time), late, reopened's first round (on time), held's first round
    # (returned), committed (on time against the committed date).
    assert (housing["dispatched"], housing["replied"], housing["replied_on_time"]) == (5, 4, 3)
    assert (housing["returns"], housing["returns_per_100"], housing["held"]) == (1, 20.0, 0)
    assert (housing["reply_rate"], housing["on_time_rate"], housing["overdue_rate"]) == (0.8, 0.75, 0.2)
    assert housing["severe_overdue"] == 0
    b = beijing
    housing_cycles = (seconds(b(2026, 3, 2, 9, 5), b(2026, 3, 9, 23, 59, 59))
                      + seconds(b(2026, 3, 2, 9, 15), b(2026, 3, 10))
                      + seconds(b(2026, 3, 3, 9, 10), b(2026, 3, 4, 15, 0))
                      + seconds(b(2026, 3, 4, 11, 30), b(2026, 3, 19, 10, 0)))
    assert housing["average_reply_days"] == round(housing_cycles / 4 / 86400, 2)
    # Housing's callbacks: at_due, late, reopened's first round, committed, and February's order.
    assert (housing["callbacks_reached"], housing["satisfaction_rate"], housing["resolution_rate"]) == (5, 0.8, 0.6)

    urban = r.row(dept_id(session, "urban")).figures.as_dict()
    # Urban: extended (on time), reopened's second round (on time), held (still held, severe).
    assert (urban["dispatched"], urban["replied"], urban["replied_on_time"]) == (3, 2, 2)
    assert (urban["held"], urban["held_past_due"], urban["overdue_rate"]) == (1, 1, round(1 / 3, 4))
    assert urban["severe_overdue"] == 1 and urban["returns"] == 0
    assert urban["average_reply_days"] == round(
        (seconds(b(2026, 3, 2, 10, 5), b(2026, 3, 12, 16)) + seconds(b(2026, 3, 5, 14), b(2026, 3, 6, 10))) / 2 / 86400, 2)
    assert (urban["callbacks_reached"], urban["satisfaction_rate"], urban["unreachable"]) == (1, 1.0, 1)

    # The street's figures are its own and its district's (sub-units roll up).
    street = r.row(dept_id(session, "dongcheng.xinhe"))
    district = r.row(dept_id(session, "dongcheng"))
    assert street.parent == district.key and street.depth == district.depth + 1
    for row in (street, district):
        f = row.figures.as_dict()
        assert (f["dispatched"], f["replied"], f["replied_late"], f["severe_overdue"]) == (1, 1, 1, 1)
        assert (f["on_time_rate"], f["overdue_rate"], f["callbacks_reached"]) == (0.0, 1.0, 1)
    # Intake and direct answers belong to no department.
    desk = r.row("").figures.as_dict()
    assert (desk["received"], desk["answered"], desk["dispatched"]) == (12, 1, 0)
    assert r.row(dept_id(session, "ecology")) is None  # nothing dispatched there


def test_types_categories_channels_and_districts_group_the_same_counts(march, session, clock):
    by_type = {row.key: row.figures.as_dict() for row in report(session, clock, "type").rows}
    assert by_type["complaint"]["received"] == 7  # early, at_due, late, reopened, held, merged, street
    assert by_type["complaint"]["dispatched"] == 7 and by_type["help"]["dispatched"] == 1
    assert by_type["consultation"]["received"] == 2 and by_type["consultation"]["answered"] == 1
    assert by_type["suggestion"]["replied_on_time"] == 1 and by_type["other"]["invalid"] == 1

    categories = report(session, clock, "category")
    digital = categories.row(next(r.key for r in categories.rows if r.code == "digital_city"))
    city = categories.row(digital.parent)
    assert city.code == "city_management"  # the parent category counts its sub-category
    for row in (digital, city):
        f = row.figures.as_dict()
        assert (f["received"], f["dispatched"], f["returns"], f["held"], f["severe_overdue"]) == (1, 2, 1, 1, 1)

    by_channel = {row.key: row.figures.received for row in report(session, clock, "channel").rows}
    assert by_channel == {"phone": 8, "web": 4}
    by_district = {row.key: row.figures.received for row in report(session, clock, "district").rows}
    assert by_district == {"东城区": 7, "西城区": 3, "": 2}


@pytest.mark.parametrize("group", figures.GROUPS)
def test_the_roll_up_equals_a_replay_of_the_events(march, session, clock, group):
    from_rollup = report(session, clock, group)
    replayed = scratch.report(session, MARCH, group, clock.now(), TZ)
    assert as_table(from_rollup) == as_table(replayed)
    assert from_rollup.total.as_dict() == replayed.total.as_dict()


def as_table(r):
    return [(row.key, row.code, row.depth, row.figures.as_dict()) for row in r.rows]
