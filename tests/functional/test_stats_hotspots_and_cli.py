"""Hot-spot warnings (API and dashboard) and the statistics commands (rebuild, check, show)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.stats_support import TZ, Office, beijing, march_2026
from tests.web_support import people
from workorders.stats import hotspots, rollup
from workorders.stats.models import DailyFigures


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


@pytest.fixture
def surge(app, session, clock):
    """Eight calm weeks, then a week in which environment complaints from 西城区 triple.

    Environment (环保): 4 a week, then 15 → z = (15 − 4) / max(sd 0, √4, 1) = 5.5: flagged.
    Labour (劳动社保): 10 a week, then 14 → z = 4 / √10 ≈ 1.26: not flagged.
    Traffic (交通管理): none, then 9 → z = 9 but fewer than 10 orders: not flagged.
    西城区 (all the environment orders): 4 a week, then 15: flagged as a district too.
    """
    office = Office(session, clock)
    today = beijing(2026, 5, 29, 12, 0)
    with app.app_context():
        for week in range(1, 9):
            monday = today - timedelta(days=7 * week)
            for i in range(4):
                office.create(monday + timedelta(hours=i), category="environment", district="西城区")
            for i in range(10):
                office.create(monday + timedelta(hours=i, minutes=30), type="help", category="labour")
        last_week = [office.create(today - timedelta(hours=5 * i), category="environment", district="西城区")
                     for i in range(15)]
        for i in range(14):
            office.create(today - timedelta(hours=5 * i, minutes=20), type="help", category="labour")
        for i in range(9):
            office.create(today - timedelta(hours=5 * i, minutes=40), category="traffic")
        office.at(today)
        rollup.refresh(session, clock.now(), TZ)
        session.commit()
    return last_week


def test_the_statistic_is_the_z_score_over_eight_weeks(surge, session):
    today = beijing(2026, 5, 29).date()
    by_name = {v.name: v for v in hotspots.volumes(session, today, "category")}
    environment, labour, traffic = by_name["环保"], by_name["劳动社保"], by_name["交通管理"]
    assert (environment.count, environment.weekly, environment.mean, environment.z) == (15, (4,) * 8, 4.0, 5.5)
    assert environment.flagged
    assert (labour.count, labour.z, labour.flagged) == (14, round(4 / 10 ** 0.5, 2), False)
    assert (traffic.count, traffic.z, traffic.flagged) == (9, 9.0, False)
    flagged = [(v.dimension, v.name) for v in hotspots.hotspots(session, today)]
    assert flagged == [("category", "环保"), ("district", "西城区")]


def test_the_api_and_the_dashboard_flag_it_with_the_orders_behind_it(surge, desk, web):
    body = desk["supervisor"].get("/stats/hotspots", date="2026-05-29").get_json()
    flagged = {(h["dimension"], h["key"]): h for h in body["hotspots"]}
    assert set(flagged) == {("category", "environment"), ("district", "西城区")}
    assert sorted(flagged[("category", "environment")]["orders"]) == sorted(o.number for o in surge)
    assert flagged[("district", "西城区")]["z"] == 5.5
    everything = desk["supervisor"].get("/stats/hotspots", date="2026-05-29", all="1").get_json()["hotspots"]
    assert {"劳动社保", "交通管理"} <= {h["name"] for h in everything if not h["flagged"]}

    supervisor = web("supervisor")
    page = supervisor.page("/stats/")  # today is 29 May: the surge is this week's
    assert 'data-hotspot="district:西城区"' in page and "环保" in page.split('id="hotspots"')[1]
    detail = supervisor.page("/stats/hotspots/district/西城区?date=2026-05-29")
    assert all(f'data-order="{o.number}"' in detail for o in surge)
    assert "z = 5.5" in detail


def test_rebuild_shows_progress_and_check_finds_the_roll_up_equal_to_the_events(app, session, clock, runner):
    with app.app_context():
        march_2026(Office(session, clock))
        session.commit()
    result = runner.invoke(args=["stats", "rebuild", "--from", "2026-02-01", "--to", "2026-04-30"])
    assert result.exit_code == 0, result.output
    assert "rolling up" in result.output and "rebuilt 89 day(s) 2026-02-01 – 2026-04-30" in result.output
    result = runner.invoke(args=["stats", "check", "--from", "2026-03-01", "--to", "2026-03-31"])
    assert result.exit_code == 0, result.output
    assert "the roll-up equals the events" in result.output
    shown = json.loads(runner.invoke(args=["stats", "show", "--from", "2026-03-01", "--to", "2026-03-31"]).output)
    assert shown["total"]["dispatched"] == 9

    session.execute(update(DailyFigures).where(DailyFigures.dimension == "type", DailyFigures.key == "help")
                    .values(replied=DailyFigures.replied + 1))
    session.commit()
    result = runner.invoke(args=["stats", "check", "--from", "2026-03-01", "--to", "2026-03-31"])
    assert result.exit_code == 1 and "type help" in result.output and "difference" in result.output


def test_the_commands_refuse_an_impossible_period(runner):
    result = runner.invoke(args=["stats", "rebuild", "--from", "2026-04-01", "--to", "2026-03-01"])
    assert result.exit_code != 0 and "'from' must not be after 'to'" in result.output
    result = runner.invoke(args=["stats", "check", "--from", "2026-02-30", "--to", "2026-03-01"])
    assert result.exit_code != 0 and "must be a date" in result.output
