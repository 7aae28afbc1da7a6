"""Deadline policies (SPEC §2): the rules a hotline office works under, and the cities' presets.

A policy is plain data. The active one lives in the `policies` table; an order copies the rules
in force when it is dispatched (`PolicyRules.to_json`) so later edits never move its deadlines.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Invalid
from .vocabulary import OrderType

UNITS = ("working", "natural")
# Bounds on what an administrator may enter: a year of days keeps every deadline well inside
# the calendar's span, and nobody is called back more than ten times.
MAX_DAYS = 365
MAX_CALLBACK_ATTEMPTS = 10


@dataclass(frozen=True)
class Limit:
    days: int
    unit: str = "working"

    def to_json(self) -> dict[str, Any]:
        return {"days": self.days, "unit": self.unit}

    @classmethod
    def from_json(cls, data: Any, of_type: str | None = None, of_category: str | None = None) -> Limit:
        """The limit of a type, of a category, or (neither given) the joint limit; a refusal names which."""
        if isinstance(data, int):
            data = {"days": data}
        if not isinstance(data, dict) or not isinstance(data.get("days"), int) or data["days"] < 1:
            raise _bad_days(of_type, of_category)
        if data["days"] > MAX_DAYS:  # a deadline beyond the calendar would make every dispatch fail
            raise Invalid("a policy's limits and periods are at most %(max)s days", max=MAX_DAYS)
        unit = data.get("unit", "working")
        if unit not in UNITS:
            raise _bad_unit(of_type, of_category)
        return cls(data["days"], unit)


# One whole sentence per limit, so that each is translated as a whole.
def _bad_days(of_type: str | None, of_category: str | None) -> Invalid:
    if of_category:
        return Invalid("limit of category %(category)s: a limit needs a whole number of days, at least 1",
                       category=of_category)
    if of_type:
        return Invalid("limit of %(type)s: a limit needs a whole number of days, at least 1", type=of_type)
    return Invalid("joint limit: a limit needs a whole number of days, at least 1")


def _bad_unit(of_type: str | None, of_category: str | None) -> Invalid:
    if of_category:
        return Invalid("limit of category %(category)s: unit must be one of %(units)s", category=of_category,
                       units=list(UNITS))
    if of_type:
        return Invalid("limit of %(type)s: unit must be one of %(units)s", type=of_type, units=list(UNITS))
    return Invalid("joint limit: unit must be one of %(units)s", units=list(UNITS))


@dataclass(frozen=True)
class PolicyRules:
    limits: dict[str, Limit]
    return_window_days: int = 0
    yellow_days: int = 2
    severe_days: int = 5
    callback_window_days: int = 2
    callback_types: frozenset[str] = frozenset(
        {"help", "complaint", "report", "suggestion", "other"}
    )
    callback_channel: str = "call"
    callback_attempts: int = 3
    # The total limit (base + approved extensions) never exceeds these (working days).
    max_total_days: int = 30
    extension_caps: dict[str, int] = field(default_factory=dict)
    joint_limit: Limit | None = None
    category_limits: dict[str, Limit] = field(default_factory=dict)
    # Waiting states: intake (待受理) in hours, instruction (待批办) in working days.
    intake_hours: int = 24
    instruction_days: int = 1
    # 办结审核: a department's reply waits for the hotline's approval before the callback.
    reply_review: bool = False
    # 改派: whether the new department's limit counts again from the reassignment.
    reassign_restarts_deadline: bool = True

    def limit_for(self, order_type: str, category_codes: list[str], handling: str) -> Limit:
        """The limit for an order: a category rule beats a joint rule beats the type's limit."""
        for code in category_codes:
            if code in self.category_limits:
                return self.category_limits[code]
        if handling == "joint" and self.joint_limit is not None:
            return self.joint_limit
        return self.limits[order_type]

    def cap_for(self, order_type: str) -> int:
        return min(self.extension_caps.get(order_type, self.max_total_days), self.max_total_days)

    def needs_callback(self, order_type: str) -> bool:
        return order_type in self.callback_types

    def to_json(self) -> dict[str, Any]:
        return {
            "limits": {t: lim.to_json() for t, lim in self.limits.items()},
            "return_window_days": self.return_window_days,
            "yellow_days": self.yellow_days,
            "severe_days": self.severe_days,
            "callback_window_days": self.callback_window_days,
            "callback_types": sorted(self.callback_types),
            "callback_channel": self.callback_channel,
            "callback_attempts": self.callback_attempts,
            "max_total_days": self.max_total_days,
            "extension_caps": dict(self.extension_caps),
            "joint_limit": self.joint_limit.to_json() if self.joint_limit else None,
            "category_limits": {c: lim.to_json() for c, lim in self.category_limits.items()},
            "intake_hours": self.intake_hours,
            "instruction_days": self.instruction_days,
            "reply_review": self.reply_review,
            "reassign_restarts_deadline": self.reassign_restarts_deadline,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PolicyRules:
        """Validate an admin's (or a stored) policy; every problem is a clear `Invalid`."""
        if not isinstance(data, dict):
            raise Invalid("a policy is a JSON object")
        raw_limits = data.get("limits") or {}
        missing = [t for t in OrderType if t not in raw_limits]
        if missing:
            raise Invalid("policy limits are missing for: %(types)s", types=missing)
        unknown = [t for t in raw_limits if t not in OrderType.__members__]
        if unknown:
            raise Invalid("policy limits name unknown types: %(names)s", names=unknown)

        def whole(name: str, default: int, low: int = 0, high: int = MAX_DAYS) -> int:
            value = data.get(name, default)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise Invalid("policy %(name)s must be a whole number ≥ %(low)s", name=name, low=low)
            if value > high:
                raise Invalid("policy %(name)s must be a whole number from %(low)s to %(high)s", name=name,
                              low=low, high=high)
            return value

        callback_types = data.get("callback_types", sorted(cls.callback_types))
        if not isinstance(callback_types, list) or any(t not in OrderType.__members__ for t in callback_types):
            raise Invalid("policy callback_types must list type codes")
        channel = data.get("callback_channel", "call")
        if channel not in ("call", "sms"):
            raise Invalid("policy callback_channel must be call or sms")
        caps = data.get("extension_caps") or {}
        if not isinstance(caps, dict) or any(not isinstance(v, int) or v < 1 for v in caps.values()):
            raise Invalid("policy extension_caps maps a type to a whole number of days")
        if any(v > MAX_DAYS for v in caps.values()):
            raise Invalid("a policy's limits and periods are at most %(max)s days", max=MAX_DAYS)
        joint = data.get("joint_limit")

        def flag(name: str, default: bool) -> bool:
            value = data.get(name, default)
            if not isinstance(value, bool):
                raise Invalid("policy %(name)s must be true or false", name=name)
            return value

        return cls(
            limits={t: Limit.from_json(v, of_type=t) for t, v in raw_limits.items()},
            return_window_days=whole("return_window_days", 0),
            yellow_days=whole("yellow_days", 2),
            severe_days=whole("severe_days", 5),
            callback_window_days=whole("callback_window_days", 2),
            callback_types=frozenset(callback_types),
            callback_channel=channel,
            callback_attempts=whole("callback_attempts", 3, low=1, high=MAX_CALLBACK_ATTEMPTS),
            max_total_days=whole("max_total_days", 30, low=1),
            extension_caps=dict(caps),
            joint_limit=Limit.from_json(joint) if joint else None,
            category_limits={
                c: Limit.from_json(v, of_category=c)
                for c, v in (data.get("category_limits") or {}).items()
            },
            intake_hours=whole("intake_hours", 24, low=1),
            instruction_days=whole("instruction_days", 1, low=1),
            reply_review=flag("reply_review", False),
            reassign_restarts_deadline=flag("reassign_restarts_deadline", True),
        )


def _limits(**days: int) -> dict[str, Limit]:
    return {t: Limit(d) for t, d in days.items()}


# Karamay rules art. 11: 咨询 3, 求助 5, 投诉 5, 举报 10, 建议 5, 表扬 3, 其他 3 working days;
# returns "当日" (the dispatch day).
KARAMAY = PolicyRules(
    limits=_limits(consultation=3, help=5, complaint=5, report=10, suggestion=5, praise=3, other=3),
    return_window_days=0,
)

# Guang'an mailbox rules: suggestion/consultation 5; complaint/help 20, extendable to 30 when an
# investigation is needed; several departments 40, never more than 60.
GUANGAN = PolicyRules(
    limits=_limits(consultation=5, help=20, complaint=20, report=20, suggestion=5, praise=5, other=5),
    return_window_days=0,
    max_total_days=60,
    extension_caps={"help": 30, "complaint": 30, "report": 30},
    joint_limit=Limit(40),
)

# Pingshan: consultation and suggestion 5, complaints 15, digital city management complaints
# 3 natural days; a wrongly dispatched order may be returned within 3 working days.
PINGSHAN = PolicyRules(
    limits=_limits(consultation=5, help=15, complaint=15, report=15, suggestion=5, praise=5, other=5),
    return_window_days=3,
    category_limits={"digital_city": Limit(3, "natural")},
)

# Zhongshan: mailbox items turn yellow when 10 days pass with no reply and red after 20.
ZHONGSHAN = PolicyRules(
    limits={t.value: Limit(20, "natural") for t in OrderType},
    return_window_days=0,
    yellow_days=10,
    max_total_days=40,
)

PRESETS: dict[str, tuple[str, PolicyRules]] = {
    "karamay": ("克拉玛依 Karamay", KARAMAY),
    "guangan": ("广安 Guang'an", GUANGAN),
    "pingshan": ("坪山 Pingshan", PINGSHAN),
    "zhongshan": ("中山 Zhongshan", ZHONGSHAN),
}
DEFAULT_PRESET = "karamay"
