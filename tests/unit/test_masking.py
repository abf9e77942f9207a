"""Masks keep a value recognisable and never reveal its middle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from enforcement.infrastructure.masking import mask_id_number, mask_name, mask_phone


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
