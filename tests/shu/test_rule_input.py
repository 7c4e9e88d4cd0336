"""What the SHU split form accepts, as the Pengurus types it: each part's percentage and the rules of the list
(app/shu/services/rules.check_allocations, common.parse_percent), stated one by one."""
from decimal import Decimal as D

import pytest

from app.core.errors import ValidationFailed


@pytest.fixture()
def ctx(app):
    with app.app_context():
        yield


def check(rows):
    from app.shu.services.rules import check_allocations

    return check_allocations(rows)


def refused(rows):
    with pytest.raises(ValidationFailed) as e:
        check(rows)
    return str(e.value)


BASE = [("cadangan", "", "40"), ("jasa_modal", "", "20"), ("jasa_usaha", "", "25"), ("dana_pengurus", "", "15")]


def test_a_usual_split_comes_back_with_labels_and_exact_percents(ctx):
    out = check(BASE)
    assert [(k, p) for k, _n, p in out] == [("cadangan", D("40.00")), ("jasa_modal", D("20.00")),
                                           ("jasa_usaha", D("25.00")), ("dana_pengurus", D("15.00"))]
    assert out[0][1] == "Dana cadangan" and all(str(p) == f"{p:.2f}" for _k, _n, p in out)


def test_a_part_of_zero_percent_is_left_out_but_cadangan_stays_even_at_zero(ctx):
    out = check([("cadangan", "", "0"), ("jasa_modal", "", "60"), ("dana_sosial", "", "0"), ("jasa_usaha", "", "40")])
    assert [k for k, _n, _p in out] == ["cadangan", "jasa_modal", "jasa_usaha"]
    assert out[0][2] == D("0.00")


def test_two_other_allocations_with_different_names_are_two_parts(ctx):
    out = check(BASE[:3] + [("lain", "Dana  Masjid", "7,5"), ("lain", "Dana olahraga", "7.50")])
    assert [(n, p) for k, n, p in out if k == "lain"] == [("Dana Masjid", D("7.50")), ("Dana olahraga", D("7.50"))]


def test_the_same_other_allocation_twice_or_a_named_kind_twice_is_refused(ctx):
    assert "dua kali" in refused(BASE[:3] + [("lain", "Dana Masjid", "10"), ("lain", "dana masjid", "5")])
    assert "dua kali" in refused(BASE[:3] + [("dana_sosial", "", "10"), ("dana_sosial", "Sosial dua", "5")])


def test_an_unknown_kind_is_refused_with_its_name(ctx):
    assert "dana_rahasia" in refused(BASE + [("dana_rahasia", "", "0")])


def test_a_long_name_is_kept_to_eighty_characters(ctx):
    out = check(BASE[:3] + [("lain", "x" * 100, "15")])
    assert out[-1][1] == "x" * 80


def test_the_total_is_named_with_a_decimal_comma_when_it_is_not_100(ctx):
    message = refused([("cadangan", "", "40"), ("jasa_modal", "", "59,99")])
    assert "99,99" in message and "100,00" in message
    assert "100,01" in refused([("cadangan", "", "40"), ("jasa_modal", "", "60,01")])


def parse(value):
    from app.shu.services.common import parse_percent

    return parse_percent(value, "percent", "Jasa modal")


@pytest.mark.parametrize("typed, value", [("12,5", D("12.50")), ("12.50", D("12.50")), ("  7 %", D("7.00")),
                                          ("", D("0.00")), (None, D("0.00")), ("100", D("100.00")),
                                          (D("0.01"), D("0.01")), (25, D("25.00"))])
def test_a_percentage_typed_with_comma_or_point_is_exact(ctx, typed, value):
    got = parse(typed)
    assert got == value and got.as_tuple().exponent == -2


@pytest.mark.parametrize("typed, says", [(0.1, "biner"), (True, "biner"), ("abc", "bukan persentase"),
                                         ("NaN", "bukan persentase"), ("Infinity", "bukan persentase"),
                                         ("-0,01", "negatif"), ("12,345", "dua angka desimal"),
                                         ("12,346", "dua angka desimal"),
                                         ("100,01", "lebih dari 100"), ("1,2,3", "bukan persentase")])
def test_a_percentage_that_is_not_one_is_refused_with_the_reason(ctx, typed, says):
    with pytest.raises(ValidationFailed) as e:
        parse(typed)
    assert says in str(e.value) and e.value.field == "percent"


def sent(text):
    """The text as a browser form delivers it: a fresh string, never the interned literal of the source code."""
    return text.encode().decode()


def test_an_other_allocation_named_just_lainnya_is_refused_like_one_without_a_name(ctx):
    assert "Beri nama" in refused(BASE[:3] + [(sent("lain"), sent("Lainnya"), sent("15"))])
    assert "Beri nama" in refused(BASE[:3] + [(sent("lain"), sent(""), sent("15"))])


def test_the_form_as_sent_keeps_cadangan_at_zero_and_two_other_funds(ctx):
    """The same rules for the kinds as the browser sends them: cadangan at 0 % stays, two named funds are two
    parts, a zero part of another kind is left out."""
    out = check([(sent("cadangan"), "", sent("0")), (sent("jasa_modal"), "", sent("60")),
                 (sent("dana_sosial"), "", sent("0")), (sent("lain"), sent("Dana Masjid"), sent("20")),
                 (sent("lain"), sent("Dana olahraga"), sent("20"))])
    assert [(k, n, p) for k, n, p in out] == [("cadangan", "Dana cadangan", D("0.00")),
                                              ("jasa_modal", "Jasa modal (simpanan anggota)", D("60.00")),
                                              ("lain", "Dana Masjid", D("20.00")), ("lain", "Dana olahraga", D("20.00"))]


def test_a_percentage_with_both_a_comma_and_a_point_is_refused_quoting_it_as_typed(ctx):
    with pytest.raises(ValidationFailed) as e:
        parse("12,5.0")
    assert '"12,5.0" bukan persentase' in str(e.value)


def test_a_fund_of_a_known_kind_may_be_named_lainnya(ctx):
    out = check(BASE[:3] + [("dana_sosial", "Lainnya", "15")])
    assert out[-1] == ("dana_sosial", "Lainnya", D("15.00"))
