"""Policies (SPEC §2): the presets, and what an admin's edit must not get away with."""
from __future__ import annotations

import pytest

from workorders.errors import Invalid
from workorders.policies import PRESETS, Limit, PolicyRules


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_survives_a_round_trip_through_json(name):
    rules = PRESETS[name][1]
    assert PolicyRules.from_json(rules.to_json()) == rules


def test_karamay_limits_are_those_of_article_11():
    rules = PRESETS["karamay"][1]
    assert {t: lim.days for t, lim in rules.limits.items()} == {
        "consultation": 3, "help": 5, "complaint": 5, "report": 10, "suggestion": 5, "praise": 3, "other": 3}
    assert rules.return_window_days == 0 and rules.yellow_days == 2 and rules.severe_days == 5
    assert not rules.needs_callback("consultation") and not rules.needs_callback("praise")
    assert rules.needs_callback("complaint")


def test_guangan_joint_matters_get_forty_days_and_complaints_cap_at_thirty():
    rules = PRESETS["guangan"][1]
    assert rules.limit_for("complaint", [], "joint") == Limit(40)
    assert rules.limit_for("complaint", [], "time_limited") == Limit(20)
    assert rules.cap_for("complaint") == 30 and rules.cap_for("suggestion") == 60


def test_pingshan_digital_city_complaints_take_three_natural_days():
    rules = PRESETS["pingshan"][1]
    assert rules.limit_for("complaint", ["digital_city", "city_management"], "time_limited") == Limit(3, "natural")
    assert rules.limit_for("complaint", ["city_management"], "time_limited") == Limit(15)
    assert rules.return_window_days == 3


def test_zhongshan_items_turn_yellow_after_ten_days_and_red_after_twenty():
    rules = PRESETS["zhongshan"][1]
    assert rules.limits["suggestion"] == Limit(20, "natural") and rules.yellow_days == 10


@pytest.mark.parametrize("change, message", [
    (lambda d: d["limits"].pop("praise"), "missing for: praise"),
    (lambda d: d["limits"].update(spam=3), "unknown types: spam"),
    (lambda d: d["limits"].update(help={"days": 0}), "at least 1"),
    (lambda d: d["limits"].update(help={"days": 5, "unit": "lunar"}), "unit must be"),
    (lambda d: d.update(yellow_days=-1), "yellow_days"),
    (lambda d: d.update(callback_channel="pigeon"), "callback_channel"),
    (lambda d: d.update(callback_types=["nonsense"]), "callback_types"),
    (lambda d: d.update(callback_attempts=0), "callback_attempts"),
])
def test_a_malformed_policy_is_refused_with_a_clear_message(change, message):
    data = PRESETS["karamay"][1].to_json()
    change(data)
    with pytest.raises(Invalid, match=message):
        PolicyRules.from_json(data)
