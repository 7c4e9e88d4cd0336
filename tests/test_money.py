"""The one rupiah parser (app/core/money.py) from the user's side: what a clerk types on any money form, or an API
client sends, is read the Indonesian way ("10.000" is ten thousand), and whatever would need a guess is refused with
an Indonesian message naming the field, never read as some other amount.

Pure functions and the form / API fields on their own: no app, no database (``--noconftest`` works).
"""
from decimal import Decimal as D

import pytest
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import Optional

from app.core.errors import ValidationFailed
from app.core.money import MAX_RUPIAH, RupiahApiField, RupiahField, format_plain, parse_rupiah


def refused(value, **kwargs):
    with pytest.raises(ValidationFailed) as e:
        parse_rupiah(value, **kwargs)
    return e.value


# -- what is read, and as what ----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, amount", [
    ("10.000", D("10000.00")), ("10000", D("10000.00")), ("Rp 10.000", D("10000.00")), ("Rp10.000", D("10000.00")),
    ("rp.10.000", D("10000.00")), ("RP. 1.500.000", D("1500000.00")), ("10.000,00", D("10000.00")),
    ("  7.500  ", D("7500.00")), ("1 000", D("1000.00")), ("1\u00a0000", D("1000.00")), ("5", D("5.00")),
    ("999", D("999.00")), ("1.000.000.000.000", D("1000000000000.00")),
])
def test_an_amount_typed_the_indonesian_way_is_that_many_rupiah(typed, amount):
    got = parse_rupiah(typed)
    assert got == amount and str(got) == str(amount)  # always to the sen: 10000.00, never 1E+4


@pytest.mark.parametrize("value, amount", [
    (10000, D("10000.00")), (D("2500"), D("2500.00")), (250000.0, D("250000.00")), (D("7"), D("7.00"))])
def test_numbers_from_a_spreadsheet_or_the_code_are_taken_as_they_are(value, amount):
    got = parse_rupiah(value)
    assert got == amount and str(got) == str(amount)


@pytest.mark.parametrize("typed, amount", [
    ("10.000,50", D("10000.50")), ("0,01", D("0.01")), ("1.234.567,8", D("1234567.80")), ("12,34", D("12.34"))])
def test_the_books_keep_sen_written_after_the_comma(typed, amount):
    got = parse_rupiah(typed, cents=True)
    assert got == amount and str(got) == str(amount)


def test_a_spreadsheet_number_with_sen_is_exact_for_the_books():
    """A spreadsheet cell of 1234.56 is Rp1.234,56, not the binary float just below it."""
    assert parse_rupiah(1234.5, cents=True) == D("1234.50")
    assert parse_rupiah(1234.56, cents=True) == D("1234.56")
    assert parse_rupiah(0.1, cents=True) == D("0.10")
    assert str(parse_rupiah(D("0.1"), cents=True)) == "0.10"


# -- what is refused, and what the clerk reads ------------------------------------------------------------------

@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_blank_amount_is_refused_as_required_naming_the_field(blank):
    e = refused(blank, field="setoran", label="Setoran")
    assert str(e) == "Setoran wajib diisi." and e.field == "setoran"


def test_without_a_label_the_message_says_jumlah_and_names_the_amount_field():
    e = refused("")
    assert str(e) == "Jumlah wajib diisi." and e.field == "amount"


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_where_zero_is_allowed_blank_means_zero(blank):
    got = parse_rupiah(blank, allow_zero=True)
    assert got == D("0.00") and str(got) == "0.00"


@pytest.mark.parametrize("zero", ["0", 0, "0,00", D("0")])
def test_zero_is_refused_unless_the_field_allows_it(zero):
    assert str(refused(zero, label="Setoran")) == "Setoran harus lebih dari nol."
    got = parse_rupiah(zero, allow_zero=True, cents=True)
    assert got == D("0.00") and str(got) == "0.00"


@pytest.mark.parametrize("typed", ["-10.000", "-5", "(10.000)", "10.000-", "Rp -5.000", " -1"])
def test_a_negative_amount_typed_any_way_is_refused_as_negative(typed):
    e = refused(typed, field="x", label="Setoran")
    assert str(e) == "Setoran tidak boleh negatif." and e.field == "x"


@pytest.mark.parametrize("value", [-1, D("-0.01"), -2.0])
def test_a_negative_number_is_refused_as_negative(value):
    assert str(refused(value, label="Setoran", cents=True)) == "Setoran tidak boleh negatif."


@pytest.mark.parametrize("typed", ["1,500,000", "10.5", "10.00", "1.0000", "abc", "10.000.00", "1..000", "Rp",
                                   "10.000,", ",5", "1.000,5.0", "12a"])
def test_an_amount_that_would_need_a_guess_is_refused_with_an_example(typed):
    e = refused(typed, field="amount", label="Setoran")
    assert str(e) == f"Setoran: tulis jumlah rupiah seperti 1.500.000 atau 1500000 (tertulis: {typed.strip()})."


def test_the_example_for_the_books_shows_sen_and_the_echo_is_cut_to_40_characters():
    typed = "x" * 60
    e = refused(typed, cents=True, label="Debit")
    assert str(e) == f"Debit: tulis jumlah rupiah seperti 1.500.000,50 atau 1500000 (tertulis: {'x' * 40})."


@pytest.mark.parametrize("typed", ["10,5", "10.000,50", "0,01"])
def test_savings_amounts_are_whole_rupiah_and_sen_are_refused_quoting_what_was_typed(typed):
    assert str(refused(typed, label="Setoran")) == f"Setoran dalam rupiah utuh, tanpa sen (tertulis: {typed})."


def test_a_whole_rupiah_refusal_quotes_a_long_entry_cut_to_40_characters():
    typed = "1" * 45 + ",5"
    assert str(refused(typed, label="Setoran", maximum=D("1e60"))) == (
        f"Setoran dalam rupiah utuh, tanpa sen (tertulis: {typed[:40]}).")


def test_a_number_with_sen_where_whole_rupiah_are_asked_is_refused_showing_it_the_indonesian_way():
    assert str(refused(D("10000.5"), label="Setoran")) == "Setoran dalam rupiah utuh, tanpa sen (tertulis: 10.000,50)."
    assert str(refused(2.5, label="Setoran")) == "Setoran dalam rupiah utuh, tanpa sen (tertulis: 2,50)."


@pytest.mark.parametrize("typed", ["1,234", "0,001", "10.000,505", "1,236", "0,009", "10.000,999"])
def test_the_books_refuse_more_than_two_decimals(typed):
    assert str(refused(typed, cents=True, label="Debit")) == "Debit paling banyak dua angka di belakang koma (sen)."


@pytest.mark.parametrize("value", [D("1.005"), D("1.006"), D("0.009")])
def test_a_number_with_fractions_of_a_sen_is_refused_for_the_books_never_rounded(value):
    assert str(refused(value, cents=True, label="Debit")) == "Debit paling banyak dua angka di belakang koma (sen)."


def test_a_fraction_of_a_sen_where_whole_rupiah_are_asked_is_shown_with_its_sen_not_as_a_whole_amount():
    assert str(refused(D("10000.001"), label="Setoran")) == (
        "Setoran dalam rupiah utuh, tanpa sen (tertulis: 10.000,00).")


@pytest.mark.parametrize("value", [True, False])
def test_a_yes_no_value_is_not_an_amount(value):
    assert str(refused(value, label="Setoran", allow_zero=True)) == "Setoran harus berupa angka rupiah."


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), float("inf"), float("nan"), [1], object()])
def test_not_a_number_is_refused_as_not_an_amount(value):
    e = refused(value, field="f", label="Setoran")
    assert str(e) == "Setoran harus berupa angka rupiah." and e.field == "f"


def test_the_ceiling_is_one_triliun_and_the_amount_at_the_ceiling_is_accepted():
    assert MAX_RUPIAH == D("1000000000000")
    assert parse_rupiah("1.000.000.000.000") == MAX_RUPIAH
    assert str(refused("1.000.000.000.001", label="Setoran")) == (
        "Setoran terlalu besar (paling banyak Rp1.000.000.000.000).")


def test_a_lower_ceiling_given_by_the_caller_is_kept_and_named():
    assert parse_rupiah("1.000.000", maximum=D("1000000")) == D("1000000.00")
    assert str(refused("1.000.001", maximum=D("1000000"), label="Setoran")) == (
        "Setoran terlalu besar (paling banyak Rp1.000.000).")


# -- API bodies ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sent, amount", [("1500000.00", D("1500000.00")), ("10.5", D("10.50")),
                                          ("10.000", D("10000.00")), (25000, D("25000.00"))])
def test_an_api_may_send_the_machine_form_which_never_clashes_with_a_thousands_group(sent, amount):
    got = parse_rupiah(sent, api=True, cents=True)
    assert got == amount and str(got) == str(amount)


def test_the_machine_form_is_not_read_from_a_form_field():
    assert "tulis jumlah rupiah" in str(refused("1500000.00"))


def test_an_api_whole_rupiah_amount_in_machine_form_must_have_no_sen():
    assert parse_rupiah("25000.00", api=True) == D("25000.00")
    assert "tanpa sen" in str(refused("25000.50", api=True))


def test_an_api_float_is_refused_because_it_is_not_exact():
    assert str(refused(1500.0, api=True, label="amount")) == (
        "amount: kirim jumlah sebagai bilangan bulat atau teks, bukan pecahan.")


# -- shown back -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, cents, shown", [
    (D("10000"), False, "10.000"), (D("10000.50"), False, "10.000,50"), (D("10000"), True, "10.000,00"),
    (D("1234567.8"), False, "1.234.567,80"), (D("-2500"), False, "-2.500"), (D("0"), False, "0"),
    (12, False, "12"), (D("999"), True, "999,00"), ("1500.05", False, "1.500,05"), (D("-0.50"), False, "-0,50"),
    (D("-1"), False, "-1")])
def test_an_amount_is_shown_back_the_way_the_parser_reads_it(value, cents, shown):
    assert format_plain(value, cents) == shown
    if not shown.startswith("-"):
        assert parse_rupiah(shown, cents=True, allow_zero=True) == D(value).quantize(D("0.01"))


# -- the form field -------------------------------------------------------------------------------------------------

class DepositForm(Form):
    amount = RupiahField("Setoran")
    fee = RupiahField("Biaya", validators=[Optional()])
    debit = RupiahField("Debit", cents=True, allow_zero=True)
    limit = RupiahField("Batas", maximum=D("1000"), required=False)


def test_the_form_field_reads_indonesian_amounts_and_shows_them_back_as_typed():
    form = DepositForm(MultiDict({"amount": "Rp 10.000", "fee": "2.500", "debit": "1.000,50", "limit": "1.000"}))
    assert form.validate(), form.errors
    assert (form.amount.data, form.fee.data, form.debit.data, form.limit.data) == (
        D("10000.00"), D("2500.00"), D("1000.50"), D("1000.00"))
    assert form.amount._value() == "Rp 10.000"  # what the clerk typed stays in the box


def test_a_blank_optional_field_is_empty_but_a_blank_required_one_is_refused_in_indonesian():
    form = DepositForm(MultiDict({"amount": "", "fee": " ", "debit": "", "limit": ""}))
    assert not form.validate()
    assert form.errors == {"amount": ["Setoran wajib diisi."]}
    assert form.fee.data is None and form.limit.data is None and form.debit.data == D("0.00")


def test_a_wrong_amount_on_the_form_shows_the_parsers_message_under_the_field():
    form = DepositForm(MultiDict({"amount": "10,5", "debit": "0", "limit": "1.001"}))
    assert not form.validate()
    assert form.errors == {"amount": ["Setoran dalam rupiah utuh, tanpa sen (tertulis: 10,5)."],
                           "limit": ["Batas terlalu besar (paling banyak Rp1.000)."]}
    assert form.amount.data is None and form.limit.data is None


def test_a_form_filled_from_a_saved_record_shows_the_amount_the_indonesian_way():
    class Record:
        amount, fee, debit, limit = D("1500000.00"), None, D("12.50"), ""

    form = DepositForm(obj=Record())
    assert (form.amount._value(), form.fee._value(), form.debit._value(), form.limit._value()) == (
        "1.500.000", "", "12,50", "")
    form.amount.data = "not a number"
    assert form.amount._value() == "not a number"


def test_a_field_left_out_of_the_submission_keeps_its_value():
    form = DepositForm(MultiDict({"amount": "5.000"}), data={"fee": D("700")})
    assert form.fee.data == D("700") and form.amount.data == D("5000.00")


def test_a_saved_amount_cleared_by_the_clerk_is_empty_and_a_mistyped_one_is_not_kept():
    """Editing a record: an optional amount emptied is None (not the old value), and a wrong entry leaves no
    amount behind (the old value is not saved by mistake)."""
    class Record:
        amount, fee, debit, limit = D("5000"), D("700"), D("1"), D("2")

    form = DepositForm(MultiDict({"amount": "abc", "fee": "", "debit": "3", "limit": ""}), obj=Record())
    assert not form.validate()
    assert list(form.errors) == ["amount"]
    assert (form.amount.data, form.fee.data, form.debit.data, form.limit.data) == (None, None, D("3.00"), None)


def test_a_field_sent_twice_is_read_and_shown_from_its_first_value():
    """As every WTForms field: the first of several values with the same name."""
    form = DepositForm(MultiDict([("amount", "1.000"), ("amount", "2.000"), ("debit", "0")]))
    assert form.validate(), form.errors
    assert form.amount.data == D("1000.00") and form.amount._value() == "1.000"


def test_a_field_without_a_label_names_the_amount_jumlah():
    class Bare(Form):
        amount = RupiahField()

    form = Bare()
    form.amount.label = None
    with pytest.raises(ValueError) as e:
        form.amount.process_formdata([""])
    assert str(e.value) == "Jumlah wajib diisi." and form.amount.data is None


# -- the API field --------------------------------------------------------------------------------------------------

class DepositSchema(Schema):
    amount = RupiahApiField(required=True)
    debit = RupiahApiField(cents=True, allow_zero=True, label="Debit")
    limit = RupiahApiField(maximum=D("1000"))


def test_the_api_field_reads_integers_and_strings_and_answers_in_the_decimal_string():
    schema = DepositSchema()
    data = schema.load({"amount": "1500000.00", "debit": 0, "limit": "1.000"})
    assert data == {"amount": D("1500000.00"), "debit": D("0.00"), "limit": D("1000.00")}
    assert schema.dump({"amount": D("10000"), "debit": None, "limit": 5}) == {
        "amount": "10000.00", "debit": None, "limit": "5.00"}


def test_form_and_api_money_is_whole_rupiah_and_above_zero_unless_the_field_says_otherwise():
    class Plain(Form):
        amount = RupiahField("Setoran")

    class PlainSchema(Schema):
        amount = RupiahApiField()

    form = Plain(MultiDict({"amount": "0"}))
    assert not form.validate() and form.errors == {"amount": ["Setoran harus lebih dari nol."]}
    form = Plain(MultiDict({"amount": "10,50"}))
    assert not form.validate() and form.errors == {"amount": ["Setoran dalam rupiah utuh, tanpa sen (tertulis: 10,50)."]}
    with pytest.raises(ValidationError) as e:
        PlainSchema().load({"amount": 0})
    assert e.value.messages == {"amount": ["amount harus lebih dari nol."]}
    with pytest.raises(ValidationError) as e:
        PlainSchema().load({"amount": "10.50"})
    assert e.value.messages == {"amount": ["amount dalam rupiah utuh, tanpa sen (tertulis: 10.50)."]}


def test_the_api_field_refuses_floats_sen_and_amounts_over_its_ceiling_naming_the_field():
    with pytest.raises(ValidationError) as e:
        DepositSchema().load({"amount": 10.5, "debit": "1,234", "limit": "1001"})
    assert e.value.messages == {
        "amount": ["amount: kirim jumlah sebagai bilangan bulat atau teks, bukan pecahan."],
        "debit": ["Debit paling banyak dua angka di belakang koma (sen)."],
        "limit": ["limit terlalu besar (paling banyak Rp1.000)."]}
