from decimal import Decimal as D

import pytest

from app.savings.terbilang import terbilang, terbilang_title

CASES = [
    (0, "nol rupiah"),
    (1, "satu rupiah"),
    (10, "sepuluh rupiah"),
    (11, "sebelas rupiah"),
    (12, "dua belas rupiah"),
    (19, "sembilan belas rupiah"),
    (20, "dua puluh rupiah"),
    (21, "dua puluh satu rupiah"),
    (100, "seratus rupiah"),
    (101, "seratus satu rupiah"),
    (110, "seratus sepuluh rupiah"),
    (111, "seratus sebelas rupiah"),
    (200, "dua ratus rupiah"),
    (999, "sembilan ratus sembilan puluh sembilan rupiah"),
    (1000, "seribu rupiah"),
    (1001, "seribu satu rupiah"),
    (1100, "seribu seratus rupiah"),
    (1111, "seribu seratus sebelas rupiah"),
    (2000, "dua ribu rupiah"),
    (5000, "lima ribu rupiah"),
    (10000, "sepuluh ribu rupiah"),
    (11000, "sebelas ribu rupiah"),
    (15000, "lima belas ribu rupiah"),
    (25000, "dua puluh lima ribu rupiah"),
    (100000, "seratus ribu rupiah"),
    (101000, "seratus satu ribu rupiah"),
    (111000, "seratus sebelas ribu rupiah"),
    (250000, "dua ratus lima puluh ribu rupiah"),
    (1000000, "satu juta rupiah"),
    (1001000, "satu juta seribu rupiah"),
    (1500000, "satu juta lima ratus ribu rupiah"),
    (2000000, "dua juta rupiah"),
    (11000000, "sebelas juta rupiah"),
    (100000000, "seratus juta rupiah"),
    (1000000000, "satu miliar rupiah"),
    (1001001001, "satu miliar satu juta seribu satu rupiah"),
    (1000000000000, "satu triliun rupiah"),
    (1234567, "satu juta dua ratus tiga puluh empat ribu lima ratus enam puluh tujuh rupiah"),
]


@pytest.mark.parametrize("amount,words", CASES)
def test_a_receipt_writes_the_amount_in_correct_indonesian_words(amount, words):
    assert terbilang(D(amount)) == words


def test_one_million_is_satu_juta_never_se_juta():
    assert "sejuta" not in terbilang(D(1000000)) and terbilang(D(1000000)).startswith("satu juta")


def test_a_printed_receipt_capitalises_the_words_and_sen_are_spelled_out():
    assert terbilang_title(D("1001000")) == "Satu juta seribu rupiah"
    assert terbilang(D("1500.50")) == "seribu lima ratus rupiah lima puluh sen"


@pytest.mark.parametrize("bad", [D(-1), D("NaN"), "abc"])
def test_negative_or_non_numeric_amounts_have_no_words(bad):
    with pytest.raises(ValueError):
        terbilang(bad)


@pytest.mark.parametrize("amount,words", [
    (10 ** 15, "seribu triliun rupiah"),
    (1_001_000_000_000_000, "seribu satu triliun rupiah"),
    (2_500_000_000_000_000, "dua ribu lima ratus triliun rupiah"),
    (999_000_000_000_000, "sembilan ratus sembilan puluh sembilan triliun rupiah"),
])
def test_amounts_of_a_thousand_triliun_and_more_are_still_written_in_words(amount, words):
    assert terbilang(D(amount)) == words
