"""Masking of personal data for roles that only need to recognise a person.

A grid assistant has to know that "张*明 of 东关村, id 6201**********1234" is the debtor
they saw, not to hold the full identity number. Masks keep the length and the ends of a
value and never reveal its middle. Organisations keep their name: a company's name is
public and masking it would make it unrecognisable.
"""

from __future__ import annotations

MASK = "*"


def mask_name(name: str | None, *, organisation: bool = False) -> str | None:
    """``张三明`` → ``张*明``, ``张三`` → ``张*``, ``欧阳小明`` → ``欧**明``."""
    if name is None or organisation:
        return name
    name = name.strip()
    if len(name) <= 1:
        return MASK * len(name)
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


def _keep_ends(value: str, keep: int) -> str:
    if len(value) <= 2 * keep or keep <= 0:
        keep = len(value) // 4
    if keep == 0:
        return MASK * len(value)
    return value[:keep] + MASK * (len(value) - 2 * keep) + value[-keep:]


def mask_id_number(value: str | None) -> str | None:
    """``620102199001011234`` → ``6201**********1234`` (region code and last four kept)."""
    if value is None:
        return None
    return _keep_ends(value, 4)


def mask_phone(value: str | None) -> str | None:
    """``13812345678`` → ``138****5678``; other lengths keep a quarter at each end."""
    if value is None:
        return None
    if len(value) == 11:
        return value[:3] + MASK * 4 + value[-4:]
    return _keep_ends(value, len(value) // 4)
