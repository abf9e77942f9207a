"""People's names, phones, identity numbers, credit codes and number plates: realistic for
Zhengning (its region code, Gansu's M plates, Hui surnames in the Hui township), valid
check characters, and never the same number twice in one county."""

from __future__ import annotations

import random
from datetime import date

from seed.reference import (
    FEMALE_GIVEN,
    HUI_SURNAMES,
    MALE_GIVEN,
    REGION_CODE,
    SURNAME_LIST,
    SURNAME_WEIGHTS,
)


def id_number_check_digit(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a Chinese resident identity number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body17, weights, strict=True))
    return "10X98765432"[total % 11]


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check_char(body17: str) -> str:
    """GB 32100 check character of a unified social credit code (统一社会信用代码)."""
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body17, weights, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def _org_code_check(body8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))



class Identities:
    """Draws from the county's main random stream, remembering what it gave out."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_phones: set[str] = set()
        self.used_id_numbers: set[str] = set()
        self.used_plates: set[str] = set()

    def person_name(self, male: bool | None = None, hui: bool = False) -> tuple[str, bool]:
        """A name and the sex drawn for it; Hui surnames are likelier in the Hui township."""
        rng = self.rng
        if male is None:
            male = rng.random() < 0.55
        surname = rng.choice(HUI_SURNAMES) if hui and rng.random() < 0.6 else rng.choices(
            SURNAME_LIST, SURNAME_WEIGHTS)[0]
        chars = MALE_GIVEN if male else FEMALE_GIVEN
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.72 else "")
        return surname + given, male

    def phone(self) -> str:
        """A mobile number not given out before."""
        rng = self.rng
        while True:
            prefix = rng.choice(("13", "13", "13", "15", "18", "17")) + str(rng.randrange(10))
            number = prefix + f"{rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def id_number(self, birth: date, male: bool) -> str:
        """A resident identity number of Zhengning, valid check digit, not given out before."""
        rng = self.rng
        while True:
            seq = rng.randrange(1, 500) * 2 - (1 if male else 0)
            if seq == 0 or seq > 999:
                continue
            body = f"{REGION_CODE}{birth:%Y%m%d}{seq:03d}"
            number = body + id_number_check_digit(body)
            if number not in self.used_id_numbers:
                self.used_id_numbers.add(number)
                return number

    def uscc(self) -> str:
        """A unified social credit code of Zhengning, valid check character, not given out
        before."""
        rng = self.rng
        alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            kind = rng.choice(("91", "91", "92", "93"))
            org8 = "".join(rng.choice(alnum[:10] if i < 2 else alnum) for i in range(8))
            body = kind + REGION_CODE + org8 + _org_code_check(org8)
            code = body + uscc_check_char(body)
            if code not in self.used_id_numbers:
                self.used_id_numbers.add(code)
                return code

    def plate(self) -> str:
        """A Qingyang (甘M) number plate not given out before."""
        rng = self.rng
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            if rng.random() < 0.5:
                tail = f"{rng.randrange(10**5):05d}"
            else:
                tail = "".join(rng.choice(letters if i in (0, 2) else "0123456789")
                               for i in range(5))
            plate = f"甘M·{tail}"
            if plate not in self.used_plates:
                self.used_plates.add(plate)
                return plate
