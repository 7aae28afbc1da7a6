"""The policy edit form ↔ `PolicyRules` JSON (validation stays in `workorders.policies`)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from workorders.errors import Invalid
from workorders.vocabulary import OrderType

NUMBER_FIELDS = ("return_window_days", "yellow_days", "severe_days", "callback_window_days",
                 "callback_attempts", "max_total_days")
FLAG_FIELDS = ("reply_review", "reassign_restarts_deadline")


def _whole(form: MultiDict, name: str) -> int | None:
    raw = form.get(name, "").strip()
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 5:
        raise Invalid("%(name)s must be a whole number", name=name)
    return int(raw)


def rules_from_form(form: MultiDict) -> dict:
    """The form's values shaped as `PolicyRules.to_json`; `PolicyRules.from_json` then checks them."""
    limits = {}
    for t in OrderType:
        days = _whole(form, f"limit_{t}")
        if days is None:
            raise Invalid("limit of %(type)s is required", type=t)
        limits[t.value] = {"days": days, "unit": form.get(f"unit_{t}", "working")}
    rules: dict = {"limits": limits}
    for name in NUMBER_FIELDS:
        value = _whole(form, name)
        if value is not None:
            rules[name] = value
    rules["callback_types"] = [t for t in form.getlist("callback_types") if t]
    rules["callback_channel"] = form.get("callback_channel", "call")
    caps = {}
    for t in OrderType:
        cap = _whole(form, f"cap_{t}")
        if cap is not None:
            caps[t.value] = cap
    rules["extension_caps"] = caps
    joint = _whole(form, "joint_days")
    rules["joint_limit"] = {"days": joint, "unit": form.get("joint_unit", "working")} if joint else None
    rules["category_limits"] = _category_limits(form.get("category_limits", ""))
    for flag in FLAG_FIELDS:  # a checkbox sends "1" when ticked, nothing otherwise
        rules[flag] = form.get(flag) == "1"
    return rules


def _category_limits(text: str) -> dict:
    """One per line: `<category code> <days> [working|natural]`."""
    out = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (2, 3) or not (parts[1].isascii() and parts[1].isdigit()):
            raise Invalid("category limits, line %(line)s: write '<category code> <days> [working|natural]'", line=number)
        out[parts[0]] = {"days": int(parts[1]), "unit": parts[2] if len(parts) == 3 else "working"}
    return out


def category_limits_text(rules: dict) -> str:
    return "\n".join(f"{code} {lim['days']} {lim['unit']}" for code, lim in (rules.get("category_limits") or {}).items())
