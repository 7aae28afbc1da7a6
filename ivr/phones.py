"""Phone numbers as Twilio sends them (+8613812345678) and as agents type them (13812345678)."""
from __future__ import annotations

import re

CHINA = "86"
_NOT_DIGITS = re.compile(r"[^0-9]")
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{2,30}$")


def looks_like_phone(text: str) -> bool:
    return bool(PHONE.match(text.strip()))


def to_e164(phone: str, country_code: str = CHINA) -> str:
    """The number to dial: Twilio needs E.164; a national number is taken as Chinese."""
    phone = phone.strip()
    if phone.startswith("+"):
        return "+" + _NOT_DIGITS.sub("", phone)
    digits = _NOT_DIGITS.sub("", phone)
    if digits.startswith("00"):
        return "+" + digits[2:]
    return f"+{country_code}{digits.lstrip('0')}"


def variants(phone: str, country_code: str = CHINA) -> list[str]:
    """The spellings one caller's number has on orders: E.164, national, and as given."""
    phone = phone.strip()
    found = [phone]
    if phone.startswith("+") or _NOT_DIGITS.sub("", phone):
        e164 = to_e164(phone, country_code)
        found.append(e164)
        prefix = "+" + country_code
        if e164.startswith(prefix):
            national = e164[len(prefix):]
            found.append(national)
            if not national.startswith("1"):  # landlines are written with their trunk 0
                found.append("0" + national)
    return list(dict.fromkeys(found))
