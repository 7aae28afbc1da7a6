"""Assessment arithmetic without a database: missing rates, the deduction cap, shared ranks, validation."""
from __future__ import annotations

import pytest

from workorders.assessment.schemes import PRESETS, Scheme
from workorders.assessment.score import score_of
from workorders.errors import Invalid

EVEN = Scheme(weights={"reply_rate": 50, "satisfaction_rate": 50}, deductions={"severe_overdue": 10},
              max_deduction=15)


def test_a_rate_without_a_value_leaves_the_mean_with_its_weight():
    # No callback reached: satisfaction is None, so the reply rate alone makes the base: 100 × 0.9.
    score, parts = score_of({"reply_rate": 0.9, "satisfaction_rate": None, "severe_overdue": 0}, EVEN)
    assert score == 90.0 and parts["satisfaction_rate"]["points"] is None


def test_the_deductions_stop_at_the_cap_and_the_score_at_zero():
    # 3 severe × 10 = 30, capped at 15: 100 × (0.5 + 0.5) / 2 … = 50 − 15 = 35.
    score, parts = score_of({"reply_rate": 0.5, "satisfaction_rate": 0.5, "severe_overdue": 3}, EVEN)
    assert score == 35.0 and parts["deduction_cap"]["value"] == 15
    assert score_of({"reply_rate": 0.1, "satisfaction_rate": 0.0, "severe_overdue": 3}, EVEN)[0] == 0.0


def test_nothing_measurable_is_not_assessed():
    assert score_of({"reply_rate": None, "satisfaction_rate": None}, EVEN) is None


@pytest.mark.parametrize("rules, message", [
    ({"weights": {"reply_rate": 0}}, "at least one rate"),
    ({"weights": {"speed": 1}}, "unknown figure(s) speed"),
    ({"weights": {"reply_rate": -1}}, "a number from 0 to 1000"),
    ({"weights": {"reply_rate": True}}, "a number from 0 to 1000"),
    ({"weights": {"reply_rate": 1}, "max_deduction": "x"}, "cap of the deductions"),
    ([], "JSON object"),
])
def test_a_bad_scheme_is_refused_with_a_message(rules, message):
    with pytest.raises(Invalid, match=None) as refused:
        Scheme.from_json(rules)
    assert message in refused.value.message


def test_every_preset_cites_its_source_and_survives_a_round_trip():
    for title, source, scheme in PRESETS.values():
        assert source.startswith("seeds/") and title
        assert Scheme.from_json(scheme.to_json()) == scheme
