"""Official identifiers of a cooperative (AHU, NIB, NPWP, bank account, region codes) and telephone numbers, as the
forms, the API and the services read them: what is accepted, what it is stored as, what is refused, how it is shown.
Pure functions, no database."""
import pytest

from app.core.errors import ValidationFailed
from app.core.identifiers import (check_ahu, check_bank_account, check_kelurahan_code, check_nib, check_npwp_badan,
                                  check_phone, check_region_code, format_npwp, format_phone, normalise_digits)

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def refused(check, value):
    with pytest.raises(ValidationFailed) as e:
        check(value)
    return e.value.field


@pytest.mark.parametrize("check", [check_ahu, check_nib, check_npwp_badan, check_bank_account, check_region_code,
                                   check_kelurahan_code, check_phone])
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


def test_an_npwp_of_a_recently_registered_organisation_not_starting_with_0_is_accepted_in_both_forms():
    # badan NPWPs issued in recent years start with 7x-9x; the 16-digit form is the same number with a 0 in front
    assert check_npwp_badan("93.123.456.1-407.000") == "931234561407000"
    assert check_npwp_badan("0931234561407000") == "0931234561407000"
    assert format_npwp("0931234561407000") == "93.123.456.1-407.000"


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


# -- telephone ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "+62-812-3456-7890",
                                   "0812.3456.7890", "(0812) 3456 7890", "81234567890",
                                   "0812-3456-7890".translate(FULLWIDTH)])
def test_a_mobile_number_is_stored_as_plus_62_and_the_national_number_however_it_was_written(typed):
    assert check_phone(typed) == "+6281234567890"


@pytest.mark.parametrize("typed", ["(021) 555-1234", "021 555 1234", "+62 21 555 1234", "+62 (21) 555-1234",
                                   "6221 555 1234"])
def test_a_landline_is_stored_with_its_area_code_and_without_the_trunk_0(typed):
    assert check_phone(typed) == "+62215551234"


def test_an_area_code_with_a_0_after_its_first_digit_is_kept_whole():
    # Kendari's area code is 0401: only the leading trunk 0 goes
    assert check_phone("(0401) 312345") == "+62401312345"


@pytest.mark.parametrize("typed,stored", [
    ("(022) 123456", "+6222123456"),             # 8 digits after the trunk 0: the shortest accepted
    ("6222123456", "+6222123456"),               # the same written with the country code and no +
    ("0812-3456-789012", "+628123456789012"),    # 13 digits after the trunk 0: the longest accepted
    ("+62 812-3456-789012", "+628123456789012"),
])
def test_a_national_number_of_8_to_13_digits_is_accepted(typed, stored):
    assert check_phone(typed) == stored


def test_nine_digits_starting_with_62_are_a_national_number_too_short_to_carry_the_country_code():
    # 0621 is the area code of Tebing Tinggi: 621-234567 is read as a national number, not as +62 1234567
    assert check_phone("621234567") == "+62621234567"


@pytest.mark.parametrize("value", [
    "(022) 12345",          # 7 digits after the trunk 0
    "0812345",
    "+62 22 12345",
    "0812-3456-7890123",    # 14 digits after the trunk 0
    "+62 812 3456 7890123",
    "6281234567890123",
])
def test_a_number_too_short_or_too_long_for_an_indonesian_number_is_refused(value):
    assert refused(check_phone, value) == "phone"


@pytest.mark.parametrize("value", ["+1 202 555 0123", "+65 9123 4567", "+44 20 7946 0958", "+60 12-345 6789"])
def test_a_number_of_another_country_is_refused(value):
    assert refused(check_phone, value) == "phone"


@pytest.mark.parametrize("value", ["+62 0812 3456 7890", "62 0812 3456 7890", "00812-3456-7890"])
def test_a_trunk_0_written_after_the_country_code_or_twice_is_refused(value):
    assert refused(check_phone, value) == "phone"


@pytest.mark.parametrize("value", ["0812-3456-789O", "0812-3456-78x0", "0812/3456/7890", "telp 0812-3456-7890",
                                   "0812-3456-7890 ext 12"])
def test_a_phone_number_with_letters_or_other_signs_is_refused(value):
    assert refused(check_phone, value) == "phone"


def test_the_field_named_by_the_caller_is_the_one_blamed_for_a_wrong_phone_number():
    with pytest.raises(ValidationFailed) as e:
        check_phone("+1 202 555 0123", field="contact_phone")
    assert e.value.field == "contact_phone"


@pytest.mark.parametrize("stored,shown", [("+6281234567890", "0812-3456-7890"), ("+628123456789", "0812-3456-789"),
                                          ("+62812345678", "0812-3456-78")])
def test_a_stored_mobile_number_is_shown_with_its_trunk_0_in_groups_of_four(stored, shown):
    assert format_phone(stored) == shown


@pytest.mark.parametrize("typed", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "81234567890"])
def test_a_mobile_number_reads_back_in_one_form_however_it_was_typed(typed):
    assert format_phone(check_phone(typed)) == "0812-3456-7890"


def test_a_stored_landline_is_shown_with_its_trunk_0_ungrouped():
    assert format_phone("+62215551234") == "0215551234"
    assert format_phone(check_phone("(0401) 312345")) == "0401312345"


@pytest.mark.parametrize("legacy", ["021 555 1234", "0812-3456-7890", "+6591234567"])
def test_a_number_not_in_the_stored_form_is_shown_as_it_was_stored(legacy):
    assert format_phone(legacy) == legacy


@pytest.mark.parametrize("empty", [None, ""])
def test_a_missing_phone_number_is_shown_as_nothing(empty):
    assert format_phone(empty) == ""


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


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


@pytest.mark.parametrize("script", [ARABIC_INDIC, DEVANAGARI], ids=["arabic-indic", "devanagari"])
def test_digits_of_another_script_are_stored_as_ascii_digits(script):
    """A number typed or pasted in another script's digits is the same number: stored as 0-9, so it matches, sorts
    and prints like one typed on a Latin keyboard (NFKC alone leaves these digits as they are)."""
    assert check_phone("0812-3456-7890".translate(script)) == "+6281234567890"
    assert check_nib("9120301234567".translate(script)) == "9120301234567"
    assert check_bank_account("1234567".translate(script)) == "1234567"
    assert normalise_digits("31.73.05".translate(script)) == "317305"


@pytest.mark.parametrize("check,value", [
    (check_bank_account, "12345፩"),          # an Ethiopic digit one: a digit, but not a decimal digit
    (check_nib, "912030123456፩"),
    (check_phone, "0812345678፩"),
    (check_npwp_badan, "01.234.567.8-901.00፩"),
])
def test_a_digit_sign_that_is_not_a_decimal_digit_is_refused(check, value):
    assert refused(check, value)
