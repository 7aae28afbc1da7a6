"""Assessment schemes: weights of the rates and points of the deductions, and the cities' presets.

Each preset cites what it is built on. The seed documents name the measures each office judges
its departments by; none publishes its weights, so the weights are the office's choice, set here
to what the documents stress and editable by an admin.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Invalid

# The rates a scheme may weigh (0..1, more is better) and the measures it may deduct for.
RATES = ("reply_rate", "on_time_rate", "resolution_rate", "satisfaction_rate")
# overdue_rate and returns_per_100 in percentage points; severe_overdue per dispatch.
DEDUCTIONS = ("overdue_rate", "returns_per_100", "severe_overdue")
LARGEST = 1000  # a weight or a number of points above this is a typing error


@dataclass(frozen=True)
class Scheme:
    weights: dict[str, float]
    deductions: dict[str, float]
    max_deduction: float = 0  # 0: no cap

    def to_json(self) -> dict[str, Any]:
        return {"weights": dict(self.weights), "deductions": dict(self.deductions),
                "max_deduction": self.max_deduction}

    @classmethod
    def from_json(cls, data: Any) -> Scheme:
        """Validate an admin's (or a stored) scheme; every problem is a clear `Invalid`."""
        if not isinstance(data, dict):
            raise Invalid("an assessment scheme is a JSON object")
        weights = _numbers(data.get("weights") or {}, RATES, "weights")
        deductions = _numbers(data.get("deductions") or {}, DEDUCTIONS, "deductions")
        if not any(weights.values()):
            raise Invalid("an assessment scheme needs a weight above 0 for at least one rate")
        cap = data.get("max_deduction", 0)
        if not _is_number(cap) or not 0 <= cap <= LARGEST:
            raise Invalid("the cap of the deductions must be a number from 0 to %(largest)s", largest=LARGEST)
        return cls({k: v for k, v in weights.items() if v}, {k: v for k, v in deductions.items() if v}, cap)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numbers(values: Any, allowed: tuple[str, ...], what: str) -> dict[str, float]:
    if not isinstance(values, dict):
        raise Invalid("the %(what)s of a scheme map a figure to a number", what=what)
    unknown = [name for name in values if name not in allowed]
    if unknown:
        raise Invalid("unknown figure(s) %(names)s; a scheme can use: %(allowed)s",
                      names=unknown, allowed=list(allowed))
    for name, value in values.items():
        if not _is_number(value) or not 0 <= value <= LARGEST:
            raise Invalid("%(name)s: a weight or deduction is a number from 0 to %(largest)s",
                          name=name, largest=LARGEST)
    return {name: float(value) for name, value in values.items()}


# 成都 (seeds/001): the office publishes every month its departments' 回复办理率 (reply rate),
# 诉求解决率 (resolution rate), 群众满意率 (satisfaction) and 超期率 (overdue rate) — "reply rate
# 99.2%, resolution 90.4%, satisfaction 90.6%, overdue 8.5%" — and the citizens' verdict is what
# its 考核 turns on: satisfaction weighs most; each percentage point overdue costs half a point.
CHENGDU = Scheme(
    weights={"reply_rate": 30, "resolution_rate": 30, "satisfaction_rate": 40},
    deductions={"overdue_rate": 0.5},
)

# 城南新区 / 克拉玛依 (seeds/002): Chengnan asks its units to deliver on "限时办结率、群众满意率
# 2项指标" (on-time rate and satisfaction), lists each unit's 严重超期 orders in its monthly 通报,
# and Karamay's rules (art. 11) send a wrong order back "当日" and end with a monthly 通报 and a
# yearly 考评 counted in the units' performance score: two equal rates, two points per severely
# overdue dispatch, half a point per return per 100 dispatches, at most 40 points off.
CHENGNAN = Scheme(
    weights={"on_time_rate": 50, "satisfaction_rate": 50},
    deductions={"severe_overdue": 2, "returns_per_100": 0.5},
    max_deduction=40,
)

# 坪山 (seeds/003): its rules have a chapter "申诉与考核" after "处置时限" and "告知与回访", urge
# by green-yellow-red light and allow a return within 3 working days: handling and the citizen's
# verdict weigh alike, lateness and returns are deducted.
PINGSHAN = Scheme(
    weights={"reply_rate": 25, "on_time_rate": 25, "resolution_rate": 25, "satisfaction_rate": 25},
    deductions={"overdue_rate": 0.3, "returns_per_100": 0.2},
)

PRESETS: dict[str, tuple[str, str, Scheme]] = {
    "chengdu": ("成都 Chengdu", "seeds/001 (成都网络理政平台)", CHENGDU),
    "chengnan": ("城南 Chengnan / 克拉玛依 Karamay", "seeds/002 (城南新区三季度汇报; 克拉玛依管理暂行办法 第十一条)",
                 CHENGNAN),
    "pingshan": ("坪山 Pingshan", "seeds/003 (坪山民生诉求处置办法)", PINGSHAN),
}
DEFAULT_SCHEME = "chengdu"
