"""A citizen's call-back number, as written on the portal: a mainland mobile or landline number.

Citizens write numbers every which way (138 1234 5678, +86 138-1234-5678, (0755) 8888-1234). The
hotline must be able to call back, so a number that cannot be dialled as a private line (12345
itself, 95588, 400 lines, a landline without its area code, a digit too few) is refused, and the
rest is kept in one spelling, the national digits (13812345678, 075588881234): the spelling in
which a later call from the same phone finds the letter, and the rate limit counts one phone once.
"""
from __future__ import annotations

import re

from ..errors import Invalid

# What people put between the digits.
SEPARATORS = re.compile(r"[\s\-().（）]")
COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086)")
# 1 and a second digit of 3–9, then nine digits (MIIT's numbering plan for mobile networks).
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# The trunk 0, an area code (10 and 2x are two digits long, the others three), then a local
# number of 7 or 8 digits that never starts with 0 or 1 (those lead to other services).
LANDLINE = re.compile(r"^0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$")


def callback_number(text: str) -> str:
    """The national digits of a mainland mobile or landline number; Invalid for anything else."""
    digits = SEPARATORS.sub("", text or "")
    international = COUNTRY_PREFIX.match(digits)
    if international:
        digits = digits[international.end():]
        # Written internationally, a landline drops its trunk 0 (+86 755 …).
        if not MOBILE.match(digits) and digits[:1] != "0":
            digits = "0" + digits
    if MOBILE.match(digits) or LANDLINE.match(digits):
        return digits
    raise Invalid("Give a mobile number (11 digits starting with 1) or a landline number with its area code, "
                  "such as 0755-88881234.")
