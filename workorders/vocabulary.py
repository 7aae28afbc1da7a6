"""The stable codes of SPEC §11: what the API, the database and the UI all call things."""
from __future__ import annotations

from enum import StrEnum


class OrderType(StrEnum):
    consultation = "consultation"
    help = "help"
    complaint = "complaint"
    report = "report"
    suggestion = "suggestion"
    praise = "praise"
    other = "other"


class Channel(StrEnum):
    phone = "phone"
    sms = "sms"
    voicemail = "voicemail"
    web = "web"
    mailbox = "mailbox"
    api = "api"
    open311 = "open311"


class State(StrEnum):
    new = "new"
    invalid = "invalid"
    merged = "merged"
    answered = "answered"
    awaiting_instruction = "awaiting_instruction"
    dispatched = "dispatched"
    returned = "returned"
    in_progress = "in_progress"
    committed = "committed"
    replied = "replied"
    # The department's reply waits for the hotline's check (办结审核) when the policy asks for it.
    reply_review = "reply_review"
    under_review = "under_review"
    archived = "archived"


TERMINAL_STATES = frozenset({State.invalid, State.merged, State.archived})
# States in which a department holds the order and the clock runs against it.
DEADLINE_STATES = frozenset({State.dispatched, State.in_progress, State.committed})
# States in which the order waits for the hotline itself: intake (agents) and instruction (a leader).
WAITING_STATES = frozenset({State.new, State.awaiting_instruction})


class Role(StrEnum):
    agent = "agent"
    supervisor = "supervisor"
    leader = "leader"
    department = "department"
    admin = "admin"
    # Non-human actors: the telephony adapter, the public portal and the scheduler.
    system = "system"


class Handling(StrEnum):
    time_limited = "time_limited"
    commitment = "commitment"
    joint = "joint"


class Satisfaction(StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    dissatisfied = "dissatisfied"
    unreachable = "unreachable"


class Light(StrEnum):
    none = "none"
    green = "green"
    yellow = "yellow"
    red = "red"


# Karamay rules art. 8: what the hotline does not accept.
INVALID_REASONS = {
    "malicious": "恶意攻击性工单",
    "duplicate": "内容重复",
    "empty": "内容空泛或不具备答复条件",
    "advertising": "推销广告",
    "legislature_or_court": "属人大、法院、检察院职权范围",
    "legal_channel": "应通过诉讼、仲裁、行政复议等法定途径解决",
    "test_or_misdial": "误拨或测试",
}
