"""Official identifiers of a cooperative (AHU, NIB, NPWP, bank account, region codes), as the forms, the API and
the services read them: what is accepted, what it is stored as, what is refused. Pure functions, no database."""
import pytest

from app.core.errors import ValidationFailed
from app.core.identifiers import (check_ahu, check_bank_account, check_kelurahan_code, check_nib, check_npwp_badan,
                                  check_region_code, format_npwp, normalise_digits)

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def refused(check, value):
    with pytest.raises(ValidationFailed) as e:
        check(value)
    return e.value.field


@pytest.mark.parametrize("check", [check_ahu, check_nib, check_npwp_badan, check_bank_account, check_region_code,
                                   check_kelurahan_code])
@pytest.mark.parametrize("blank", [None, "", "   ", "\t"])
def test_an_empty_identifier_is_simply_not_given(check, blank):
    assert check(blank) is None


# -- AHU (Kemenkumham legal-entity decree) --------------------------------------------------------------------

def test_an_ahu_number_is_stored_in_capitals_with_single_spaces():
    assert check_ahu("  ahu-0025673.ah.01.29.tahun   2025 ") == "AHU-0025673.AH.01.29.TAHUN 2025"


def test_an_ahu_number_typed_with_full_width_digits_is_read_as_ascii():
    assert check_ahu("AHU-0025673.AH.01.29.TAHUN 2025".translate(FULLWIDTH)) == "AHU-0025673.AH.01.29.TAHUN 2025"


@pytest.mark.parametrize("year", [2000, 2001, 2025, 2099, 2100])
def test_an_ahu_decree_of_the_years_2000_to_2100_is_accepted(year):
    assert check_ahu(f"AHU-0025673.AH.01.29.TAHUN {year}") == f"AHU-0025673.AH.01.29.TAHUN {year}"


@pytest.mark.parametrize("value", ["AHU-0025673.AH.01.29.TAHUN 1999", "AHU-0025673.AH.01.29.TAHUN 2101",
                                   "AHU-0025673.AH.01.29.TAHUN 0000", "AHU-025673.AH.01.29.TAHUN 2025",
                                   "AHU-0025673.AH.01.30.TAHUN 2025", "0025673.AH.01.29.TAHUN 2025",
                                   "AHU-0025673.AH.01.29.TAHUN 2025 X"])
def test_an_ahu_number_out_of_form_or_of_an_implausible_year_is_refused_on_its_field(value):
    assert refused(check_ahu, value) == "ahu_number"


# -- NIB (OSS business number) --------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["9120301234567", " 9120 3012 34567 ", "9120-301-234-567", "9120.301.234.567",
                                   "9120301234567".translate(FULLWIDTH)])
def test_a_nib_is_stored_as_its_13_ascii_digits_whatever_the_separators_or_digit_width(typed):
    assert check_nib(typed) == "9120301234567"


@pytest.mark.parametrize("value", ["912030123456", "91203012345678", "912030123456A", "9120301234567/1"])
def test_a_nib_that_is_not_exactly_13_digits_is_refused_on_its_field(value):
    assert refused(check_nib, value) == "nib"


# -- NPWP (tax number of the cooperative) ---------------------------------------------------------------------

def test_the_old_15_digit_npwp_is_accepted_with_or_without_its_dots_and_dash():
    assert check_npwp_badan("01.300.066.6-091.000") == "013000666091000"
    assert check_npwp_badan("013000666091000") == "013000666091000"


def test_todays_16_digit_npwp_of_an_organisation_is_accepted():
    assert check_npwp_badan("0013000666091000") == "0013000666091000"
    assert check_npwp_badan("0013 0006 6609 1000") == "0013000666091000"


def test_an_npwp_typed_with_full_width_digits_is_read_as_ascii():
    assert check_npwp_badan("01.300.066.6-091.000".translate(FULLWIDTH)) == "013000666091000"


@pytest.mark.parametrize("value", [
    "1013000666091000",   # 16 digits not starting with 0: a person's NIK, not a cooperative's NPWP
    "3173050101000001",   # a NIK
    "3174024408900001",   # a woman's NIK, valid as such
    "3174024408900010",   # a NIK ending in 0
    "01300066609100",     # 14 digits
    "00013000666091000",  # 17 digits
    "01.300.067.6-091.000",  # wrong check digit
    "01.300.066.6-091.00A",
])
def test_an_npwp_that_is_not_an_organisations_valid_number_is_refused_on_its_field(value):
    assert refused(check_npwp_badan, value) == "npwp"


def test_an_npwp_is_shown_in_its_familiar_dotted_form_also_when_stored_with_16_digits():
    assert format_npwp("013000666091000") == "01.300.066.6-091.000"
    assert format_npwp("0013000666091000") == "01.300.066.6-091.000"


@pytest.mark.parametrize("empty", [None, ""])
def test_a_missing_npwp_is_shown_as_nothing(empty):
    assert format_npwp(empty) == ""


# -- bank account -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed,stored", [("123456", "123456"), ("1" * 20, "1" * 20),
                                          ("1230 0099 9001", "123000999001"), ("123-000-999-001", "123000999001"),
                                          ("123000999001".translate(FULLWIDTH), "123000999001")])
def test_a_bank_account_number_of_6_to_20_digits_is_stored_as_ascii_digits(typed, stored):
    assert check_bank_account(typed) == stored


@pytest.mark.parametrize("value", ["12345", "1" * 21, "12345A7", "IBAN123456"])
def test_a_bank_account_number_outside_6_to_20_digits_is_refused_on_its_field(value):
    assert refused(check_bank_account, value) == "bank_account_number"


# -- region codes (Kemendagri) --------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["31", "31.73", "31.73.05", "31.73.05.1001"])
def test_a_region_code_of_any_level_is_accepted_as_typed(code):
    assert check_region_code(f" {code} ") == code


def test_a_region_code_with_full_width_digits_is_read_as_ascii():
    assert check_region_code("31.73.05.1001".translate(FULLWIDTH)) == "31.73.05.1001"


@pytest.mark.parametrize("code", ["3", "317", "31.7", "31.73.5", "31.73.05.100", "31-73-05", "31.73.05.1001.1"])
def test_a_malformed_region_code_is_refused_on_its_field(code):
    assert refused(check_region_code, code) == "region_code"


def test_a_kkmp_needs_a_kelurahan_code():
    assert check_kelurahan_code("31.73.05.1001") == "31.73.05.1001"
    assert refused(check_kelurahan_code, "31.73.05") == "region_code"
    assert refused(check_kelurahan_code, "31.73") == "region_code"


def test_a_desa_code_is_refused_for_a_kkmp_because_a_desa_forms_a_kdmp():
    assert refused(check_kelurahan_code, "33.74.01.2001") == "region_code"


def test_digits_are_normalised_by_one_rule_for_every_identifier():
    assert normalise_digits("９１２ 0-1.2") == "912012"
