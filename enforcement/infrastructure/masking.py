"""Masking of personal data for roles that only need to recognise a person.

A grid assistant has to know that "张*明 of 东关村, id 6201**********1234" is the debtor
they saw, not to hold the full identity number. Masks keep the length and the ends of a
value and never reveal its middle. Organisations keep their name: a company's name is
public and masking it would make it unrecognisable.

Free text is masked by the same rule (``mask_text``): the names and numbers of the
record's parties, and any identity number or mobile number, wherever they appear in a
title, a note or a statement. Which fields of which tables are free text is declared in
one place, ``enforcement.infrastructure.text_shield.FREE_TEXT``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

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


# --- personal data inside free text ---------------------------------------------------
#
# A task title "查找被执行人白巧慧下落" or a linkage detail carrying an identity number
# would undo the masking of the fields above. ``mask_text`` is the one rule for free text;
# ``FREE_TEXT`` (below, in ``enforcement.infrastructure.text_shield``) lists the fields it covers.

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
"""An 18-character resident identity number (GB 11643); its check digit is verified."""
MOBILE = re.compile(r"(?<![0-9])1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])")
"""A mainland mobile number, 11 digits, optionally grouped 3-4-4 by spaces or hyphens."""
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def valid_id_number(value: str) -> bool:
    """GB 11643's check digit: the weighted sum of the first 17 digits, modulo 11."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == value[17].upper()


@dataclass(frozen=True, slots=True)
class Person:
    """A party of the record a text belongs to: their name and stored numbers are masked
    wherever they appear in it."""

    party_id: str | None
    name: str | None
    id_number: str | None = None
    phone: str | None = None
    organisation: bool = False


@dataclass(frozen=True, slots=True)
class Found:
    """What a text held: the parties named in it and the kinds of numbers seen."""

    party_ids: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.party_ids or self.kinds)


def mask_text(text: str | None, people: Sequence[Person] = ()) -> tuple[str | None, Found]:
    """``text`` with the names, identity numbers and phone numbers of ``people`` masked, and
    any other valid identity number or mobile number too; and what was found (so that a
    role that reads the text unmasked can be audited). Organisations keep their name."""
    if not text:
        return text, Found()
    party_ids: set[str] = set()
    kinds: set[str] = set()
    literal = _literals(tuple(people))
    if literal is not None:
        pattern, masks = literal

        def person(match: re.Match[str]) -> str:
            kind, party_id, masked = masks[match.group(0)]
            kinds.add(kind)
            if party_id:
                party_ids.add(party_id)
            return masked

        text = pattern.sub(person, text)

    def id_number(match: re.Match[str]) -> str:
        if not valid_id_number(match.group(0)):
            return match.group(0)
        kinds.add("id_number")
        return mask_id_number(match.group(0)) or ""

    def mobile(match: re.Match[str]) -> str:
        kinds.add("phone")
        return mask_phone(re.sub(r"\D", "", match.group(0))) or ""

    text = MOBILE.sub(mobile, ID_NUMBER.sub(id_number, text))
    return text, Found(frozenset(party_ids), frozenset(kinds))


@lru_cache(maxsize=4096)
def _literals(people: tuple[Person, ...]
              ) -> tuple[re.Pattern[str], dict[str, tuple[str, str | None, str]]] | None:
    """One alternation of every name and stored number of ``people`` (longest first, so a
    full name wins over a shorter one inside it) with what each becomes."""
    masks: dict[str, tuple[str, str | None, str]] = {}
    for p in people:
        if p.name and len(p.name.strip()) >= 2 and not p.organisation:
            masks.setdefault(p.name.strip(), ("name", p.party_id, mask_name(p.name) or ""))
        if p.id_number and len(p.id_number) >= 6 and not p.organisation:
            masks.setdefault(p.id_number, ("id_number", p.party_id,
                                           mask_id_number(p.id_number) or ""))
        if p.phone and len(p.phone) >= 6:
            masks.setdefault(p.phone, ("phone", p.party_id, mask_phone(p.phone) or ""))
    if not masks:
        return None
    pattern = re.compile("|".join(re.escape(v) for v in sorted(masks, key=len, reverse=True)))
    return pattern, masks
