"""The call figures over hand-made queue entries and presence spans (no database)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workorders.callcenter.figures import Span, Wait, count_calls, live_board

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
END = T0 + timedelta(hours=2)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def waits() -> list[Wait]:
    return [
        # answered after 5 s and 20 s (within the service level), after 45 s (outside it)
        Wait(at(0), "answered", 1, at(5), at(65)),  # 60 s of talk
        Wait(at(100), "answered", 2, at(120), at(220)),  # 100 s
        Wait(at(200), "answered", 1, at(245), at(285)),  # 40 s
        Wait(at(300), "abandoned"),
        Wait(at(400), "abandoned"),
        Wait(at(500), "voicemail"),
        Wait(at(600), "waiting"),  # still in the queue: not offered yet
        Wait(at(-60), "answered", 1, at(-50), at(-10)),  # the period before
    ]


def spans() -> list[Span]:
    return [
        Span(1, "ready", at(-600), at(5)),  # 5 s inside the period
        Span(1, "on_call", at(5), at(65)),
        Span(1, "wrap_up", at(65), at(95)),
        Span(1, "break", at(95), at(245)),  # a break is not staffed time
        Span(1, "on_call", at(245), at(285)),
        Span(1, "wrap_up", at(285), None),  # still in wrap-up: counted up to as_of
        Span(2, "on_call", at(120), at(220)),
        Span(2, "wrap_up", at(220), at(250)),
        Span(2, "ready", at(250), at(7300)),  # runs past the period: clipped at its end
    ]


def test_offered_answered_abandoned_and_the_rates_are_hand_counted():
    counts = count_calls(waits(), spans(), T0, END, as_of=at(300))
    assert (counts.offered, counts.answered, counts.abandoned, counts.voicemail) == (6, 3, 2, 1)
    assert counts.answer_rate == 3 / 6
    assert counts.answered_within_service_level == 2  # 5 s and 20 s; 45 s is not
    assert counts.service_level == 2 / 6
    assert counts.average_speed_of_answer == (5 + 20 + 45) / 3
    # talk 60 + 100 + 40; wrap-up 30 + 15 (agent 1's open span until as_of) + 30
    assert counts.talk_seconds == 200
    assert counts.wrap_up_seconds == 75
    assert counts.average_handle_time == 275 / 3


def test_per_agent_calls_talk_wrap_up_and_occupancy():
    counts = count_calls(waits(), spans(), T0, END, as_of=END + timedelta(hours=1))
    one, two = counts.agents[1], counts.agents[2]
    assert (one.calls, one.talk_seconds) == (2, 100)
    # agent 1's open wrap-up runs to the end of the period: 30 + (7200 - 285)
    assert one.wrap_up_seconds == 30 + 7200 - 285
    assert (one.on_call_seconds, one.ready_seconds) == (100, 5)
    assert one.occupancy == (100 + 30 + 7200 - 285) / (100 + 30 + 7200 - 285 + 5)
    assert (two.calls, two.talk_seconds, two.wrap_up_seconds, two.on_call_seconds) == (1, 100, 30, 100)
    assert two.ready_seconds == 7200 - 250
    assert two.occupancy == 130 / (130 + 7200 - 250)


def test_a_quiet_period_has_no_rates_rather_than_a_division_by_zero():
    counts = count_calls([], [], T0, END, as_of=END)
    assert counts.offered == 0
    assert counts.answer_rate is None and counts.average_handle_time is None
    assert counts.as_dict()["service_level"] is None


def test_the_live_board_counts_the_waiting_and_the_agents_by_state():
    board = live_board([at(0), at(30)], ["ready", "ready", "on_call", "break"], now=at(90))
    assert board == {"waiting": 2, "longest_wait_seconds": 90, "agents": {"ready": 2, "on_call": 1, "break": 1}}
    assert live_board([], [], now=at(0)) == {"waiting": 0, "longest_wait_seconds": 0, "agents": {}}
