"""Masks keep a value recognisable and never reveal its middle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from enforcement.infrastructure.masking import (
    Found,
    Person,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
    valid_id_number,
)


def test_examples() -> None:
    assert mask_name("张三明") == "张*明"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_id_number("620102199001011234") == "6201**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("某某农业开发有限公司", organisation=True) == "某某农业开发有限公司"
    assert mask_name(None) is None and mask_phone(None) is None and mask_id_number(None) is None


DIGITS = st.text("0123456789X", min_size=1, max_size=32)


@given(DIGITS)
def test_id_numbers_keep_length_and_hide_the_middle(value: str) -> None:
    masked = mask_id_number(value)
    assert masked is not None and len(masked) == len(value)
    middle = len(value) // 2
    assert masked[middle] == "*"
    assert all(m in ("*", v) for m, v in zip(masked, value, strict=True))


@given(st.text("0123456789", min_size=1, max_size=20))
def test_phones_keep_length_and_hide_the_middle(value: str) -> None:
    masked = mask_phone(value)
    assert masked is not None and len(masked) == len(value)
    assert masked[len(value) // 2] == "*"
    assert masked.count("*") >= len(value) // 3


@given(st.text(min_size=2, max_size=12).filter(lambda s: s.strip() == s and s))
def test_names_never_reveal_anything_between_first_and_last(name: str) -> None:
    masked = mask_name(name)
    assert masked is not None and len(masked) == len(name)
    assert masked[0] == name[0]
    assert set(masked[1:-1]) <= {"*"}
    if len(name) == 2:
        assert masked[1] == "*"


# --- free text (enforcement.infrastructure.masking.mask_text) ----------------------------

VALID_ID = "11010519491231002X"  # GB 11643 check digit X


def test_identity_numbers_in_text_are_masked_only_with_a_valid_check_digit() -> None:
    masked, found = mask_text(f"身份证{VALID_ID}；旧号110105194912310021；编号{VALID_ID}99")
    assert masked == f"身份证1101**********002X；旧号110105194912310021；编号{VALID_ID}99"
    assert found.kinds == {"id_number"}
    assert valid_id_number(VALID_ID.lower()) and not valid_id_number("110105194912310021")


def test_mobile_numbers_in_text_are_masked_grouped_or_not() -> None:
    masked, found = mask_text("电话13812345678或139 8765 4321，座机0931-8123456，单号123812345678")
    assert masked == "电话138****5678或139****4321，座机0931-8123456，单号123812345678"
    assert found.kinds == {"phone"}


def test_the_records_parties_are_masked_by_name_and_stored_numbers() -> None:
    people = [Person("p1", "张三", phone="09318123456"),
              Person("p2", "张三明", "620102199001011234"),
              Person("p3", "东关村农业合作社", organisation=True)]
    masked, found = mask_text("张三明和张三去了东关村农业合作社，620102199001011234，09318123456",
                              people)
    assert masked == "张*明和张*去了东关村农业合作社，6201**********1234，093****3456"
    assert found.party_ids == {"p1", "p2"} and found.kinds == {"name", "id_number", "phone"}


def test_text_without_personal_data_is_left_alone() -> None:
    quiet = "村口停着一辆三轮车"
    assert mask_text(quiet, [Person("p1", "张三")]) == (quiet, Found())
    assert mask_text(None) == (None, Found()) and not mask_text("")[1]
