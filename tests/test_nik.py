"""A member's NIK: how it is read from what was typed, which numbers are refused, and how it is shown masked.
Pure functions, no database (revealing a NIK is tested through the screens in tests/test_privacy_audit.py)."""
import pytest

from app.core.errors import ValidationFailed
from app.core.nik import MASK, check_nik, mask_nik, normalise_nik

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
WOMAN = "3174024408900001"   # Jakarta Selatan, born 4 August 1990 (day + 40: a woman), serial 0001
MAN = "3174020408900001"


@pytest.mark.parametrize("typed", [WOMAN, f" {WOMAN} ", "3174 0244 0890 0001", "317402.440890.0001",
                                   "317402-440890-0001", WOMAN.translate(FULLWIDTH)])
def test_a_nik_is_stored_as_16_ascii_digits_whatever_the_separators_or_digit_width(typed):
    assert check_nik(typed) == WOMAN


def test_a_man_s_nik_with_the_plain_day_of_birth_is_accepted():
    assert check_nik(MAN) == MAN


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_an_empty_nik_is_simply_not_given(blank):
    assert check_nik(blank) is None


@pytest.mark.parametrize("value", ["317402440890001", "31740244089000011", "317402440890000A",
                                   "3174024413900001",   # 13th month of birth
                                   "3174027208900001",   # day 32 (+40)
                                   ])
def test_a_nik_that_is_not_16_digits_or_carries_an_impossible_birth_date_is_refused_on_its_field(value):
    with pytest.raises(ValidationFailed) as e:
        check_nik(value)
    assert e.value.field == "nik"


def test_the_field_named_by_the_caller_is_the_one_blamed():
    with pytest.raises(ValidationFailed) as e:
        check_nik("123", field="spouse_nik")
    assert e.value.field == "spouse_nik"


def test_a_nik_is_shown_with_its_region_and_serial_only():
    assert mask_nik(WOMAN) == "317402" + MASK + "0001"
    assert "440890" not in mask_nik(WOMAN)


@pytest.mark.parametrize("odd", ["12345", "31740244089000011"])
def test_a_malformed_stored_nik_is_shown_fully_masked(odd):
    assert mask_nik(odd) == MASK


@pytest.mark.parametrize("empty", [None, ""])
def test_a_missing_nik_is_shown_as_nothing(empty):
    assert mask_nik(empty) == ""


def test_normalising_keeps_letters_so_that_the_check_can_refuse_them():
    assert normalise_nik("３１７４ 02-44.0890 000A") == "317402440890000A"
