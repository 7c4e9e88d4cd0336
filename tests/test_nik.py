"""A member's NIK: how it is read from what was typed, which numbers are refused, and how it and the birth date are
shown to a reader with or without the reveal right. Mostly pure functions; the reveal right itself is asked of the
app's security manager inside a request (revealing a NIK is tested through the screens in
tests/test_privacy_audit.py)."""
import dataclasses
from datetime import date

import pytest

from app.core.errors import ValidationFailed
from app.core.nik import (MASK, VisiblePerson, birth_year_text, check_nik, mask_nik, may_reveal, normalise_nik,
                          visible_person)

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


def test_a_nik_is_shown_by_its_serial_only():
    # region + birth digits could be rebuilt from the domicile and the birth date shown beside it (issue 9.1)
    assert mask_nik(WOMAN) == MASK + "0001"
    assert "440890" not in mask_nik(WOMAN) and "317402" not in mask_nik(WOMAN)


@pytest.mark.parametrize("odd", ["12345", "31740244089000011"])
def test_a_malformed_stored_nik_is_shown_fully_masked(odd):
    assert mask_nik(odd) == MASK


@pytest.mark.parametrize("empty", [None, ""])
def test_a_missing_nik_is_shown_as_nothing(empty):
    assert mask_nik(empty) == ""


def test_normalising_keeps_letters_so_that_the_check_can_refuse_them():
    assert normalise_nik("３１７４ 02-44.0890 000A") == "317402440890000A"


def test_a_masked_nik_is_as_long_as_a_nik_twelve_dots_and_the_last_four_digits():
    assert mask_nik(WOMAN) == "••••••••••••0001"
    assert mask_nik("12345") == "••••••••••••"
    assert len(mask_nik(MAN)) == 16


# -- the birth date as a reader without the reveal right sees it ----------------------------------------------

BORN = date(1984, 5, 3)


@pytest.mark.parametrize("born", [BORN, "1984-05-03", 1984, "••/••/1984"])
def test_a_reader_without_the_reveal_right_sees_the_birth_year_only(born):
    # a date, its ISO text (JSON, audit), the year alone, or an already masked value: the same text
    assert birth_year_text(born) == "••/••/1984"


def test_a_birth_date_whose_year_cannot_be_read_shows_no_digit_at_all():
    assert birth_year_text("tidak diketahui") == "••/••/••••"


@pytest.mark.parametrize("empty", [None, ""])
def test_a_missing_birth_date_is_shown_as_nothing(empty):
    assert birth_year_text(empty) == ""


# -- what one reader may see of one person ------------------------------------------------------------------

def test_a_revealer_sees_the_full_birth_date_but_still_only_the_last_four_digits_of_the_nik():
    person = visible_person("Member", nik=WOMAN, birth_date=BORN, full=True)
    assert person.nik == "••••••••••••0001"
    assert person.birth_date == BORN and person.birth_year == 1984
    assert person.birth_text == "03/05/1984"


def test_a_reader_without_the_reveal_right_sees_no_birth_date_only_its_year():
    person = visible_person("Member", nik=WOMAN, birth_date=BORN, full=False)
    assert person.nik == "••••••••••••0001"
    assert person.birth_date is None and person.birth_year == 1984
    assert person.birth_text == "••/••/1984"
    assert "03/05" not in person.birth_text


@pytest.mark.parametrize("full", [True, False])
def test_a_person_without_birth_date_or_nik_shows_nothing_for_them(full):
    person = visible_person("Member", full=full)
    assert (person.nik, person.birth_date, person.birth_year, person.birth_text) == ("", None, None, "")


def test_what_a_reader_may_see_cannot_be_changed_afterwards():
    person = visible_person("Member", nik=WOMAN, birth_date=BORN, full=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.birth_date = BORN
    assert person.birth_date is None
    assert isinstance(person, VisiblePerson)


def test_outside_a_request_nobody_is_reading_so_nobody_may_reveal():
    # CLI commands and background jobs: a plain no (not "unknown"), and the birth date stays hidden
    assert may_reveal("Member") is False
    person = visible_person("Member", nik=WOMAN, birth_date=BORN)
    assert person.birth_date is None and person.birth_text == "••/••/1984"


def test_a_caller_that_already_asked_once_for_many_rows_decides_alone():
    # an export asks may_reveal once and passes the answer: outside a request too, full=True shows the date
    assert visible_person("Member", birth_date=BORN, full=True).birth_text == "03/05/1984"


def test_a_secretary_may_reveal_members_and_sees_their_birth_dates(app):
    from tests.conftest import acting_as

    with acting_as(app, "sekretaris.kebonjeruk"):
        assert may_reveal("Member") is True
        assert visible_person("Member", nik=WOMAN, birth_date=BORN).birth_text == "03/05/1984"


def test_a_lurah_may_not_reveal_and_sees_the_birth_year_only(app):
    from tests.conftest import acting_as

    with acting_as(app, "lurah.kebonjeruk"):
        assert may_reveal("Member") is False
        person = visible_person("Member", nik=WOMAN, birth_date=BORN)
        assert person.birth_date is None and person.birth_text == "••/••/1984"


def test_the_reveal_right_is_asked_per_resource_and_once_per_request(app, monkeypatch):
    from tests.conftest import acting_as

    # an export of 500,000 rows asks once; another resource gets its own answer
    sm = app.appbuilder.sm
    asked = []
    real = type(sm).has_access

    def counting(self, permission_name, view_name):
        asked.append((permission_name, view_name))
        return real(self, permission_name, view_name)

    monkeypatch.setattr(type(sm), "has_access", counting)
    with acting_as(app, "sekretaris.kebonjeruk"):
        assert [may_reveal("Member") for _ in range(3)] == [True, True, True]
        assert may_reveal("NoSuchResource") is False
        assert may_reveal("Member") is True
    assert asked == [("can_reveal_nik", "Member"), ("can_reveal_nik", "NoSuchResource")]
    with acting_as(app, "lurah.kebonjeruk"):
        assert may_reveal("Member") is False
