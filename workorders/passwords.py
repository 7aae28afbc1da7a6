"""What a new password must be (SPEC §9): at least MIN_LENGTH characters, not a common password.

The list (`common_passwords.txt`, one a line, lowercase) holds well-known leaked passwords of
12 characters or more — shorter ones fail the length rule anyway — including the Chinese
favourites (woaini1314…, 5201314…, pinyin with digits) and keyboard walks. A password is also
refused when it is one character repeated, a run of consecutive digits or letters, or the
username itself with a few characters around it. Used by the web pages, the API and the CLI.
"""
from __future__ import annotations

from functools import cache
from importlib.resources import files

from .errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    text = files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _is_run(text: str) -> bool:
    """One character repeated, or consecutive characters (1234567890…, abcdef…, 9876…)."""
    if len(set(text)) == 1:
        return True
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {-1}) or (text.isdigit() and text in ("1234567890" * 3)[: len(text) + 10])


def check_new_password(password: str, username: str = "") -> None:
    """Raise Invalid (a message a person understands) unless `password` may be used."""
    if len(password) < MIN_LENGTH:
        raise Invalid("The password must have at least %(n)s characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise Invalid("The password may have at most %(n)s characters.", n=MAX_LENGTH)
    lowered = password.lower()
    name = username.lower().strip()
    if lowered in common_passwords() or _is_run(lowered) or (len(name) >= 3 and name in lowered
                                                              and len(lowered) - len(name) < 6):
        raise Invalid("This password is too common or too easy to guess; choose another.")
