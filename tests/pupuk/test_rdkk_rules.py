"""The e-RDKK import's rules one fact at a time, as the secretary sees them: the job's bar rises in order through
the check and (on PostgreSQL) the writing; a farmer the file moves to another poktan, kelurahan or name is updated,
and one the file gives no poktan keeps his; a poktan is the cooperative's own, of three letters or more; names,
file names and unknown codes are cut where the columns and messages cut them; a file without figures writes no
allocation."""
import sys
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.pupuk.models import Farmer, Poktan, PupukAllocation, PupukImport

from .conftest import NIKS, SEKRETARIS, fresh_coop, rdkk_file, today_of

REGIONS = ["31.74.04.1001", "31.74.04.1002", "31.74.04.1003", "31.74.04.1004"]  # kelurahan of the region list


def _row(coop, nik, name, urea="100", region="", poktan="Poktan Sumber Makmur", commodity="padi", area="0,5"):
    from app.pupuk.services import season_of

    year, season = season_of(today_of(coop))
    return [nik, name, poktan, region, commodity, area, str(year), str(season), urea, "", "", "", ""]


def _import(uow, coop, rows, filename="rdkk.xlsx", progress=None):
    from app.pupuk import services

    return services.do_import_rdkk(uow, coop=coop, filename=filename, data=rdkk_file(rows), acting_user=SEKRETARIS,
                                   progress=progress)


def _farmer(uow, coop, nik=NIKS[0]):
    uow.flush()
    uow.expire_all()
    return uow.scalar(select(Farmer).where(Farmer.cooperative_id == coop.id, Farmer.nik == nik))


# -- the job's bar -----------------------------------------------------------------------------------------------

def _bar(uow, kiosk):
    """A file of 401 rows (one farmer, 1 kg of Urea a row) imported with a bar: the notes it got."""
    coop = kiosk.coop
    seen = []
    result = _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="1")] * 401,
                     progress=lambda done, total: seen.append((done, total)))
    assert result.ok and result.rows == 401 and result.allocations == 1
    assert [a.kg for a in uow.scalars(select(PupukAllocation).where(PupukAllocation.cooperative_id == coop.id))] \
        == [D("401.000")]
    return seen


def test_checking_a_file_of_401_rows_fills_the_first_half_of_the_bar_every_200_rows(uow, kiosk):
    """Rows 0, 200 and 400 checked are 0, 100 and 200 of 401 on the bar; on PostgreSQL the writing then says
    200 (its start, half the file) and 300 (three quarters, after the farmers); on SQLite the bar waits."""
    seen = _bar(uow, kiosk)
    assert seen[:3] == [(0, 401), (100, 401), (200, 401)]
    assert all(type(done) is int for done, _total in seen)  # whole rows, as the job's counter keeps them
    assert seen[3:] == ([(200, 401), (300, 401)] if uow.get_bind().dialect.name == "postgresql" else [])


def test_on_postgresql_the_writing_moves_the_bar_from_half_to_three_quarters(uow, kiosk, monkeypatch):
    """The writing's notes, which only PostgreSQL gets (SQLite's progress connection would wait on the import's
    write lock), checked on either database: the import is told it runs on PostgreSQL where it decides whether to
    send them (every other question about the database gets the true answer)."""
    real = uow.get_bind
    postgresql = SimpleNamespace(dialect=SimpleNamespace(name="".join(["postgre", "sql"])))

    def get_bind(*args, **kwargs):
        if not args and not kwargs and sys._getframe(1).f_code.co_name == "do_import_rdkk":
            return postgresql
        return real(*args, **kwargs)

    monkeypatch.setattr(uow, "get_bind", get_bind)
    seen = _bar(uow, kiosk)
    assert seen == [(0, 401), (100, 401), (200, 401), (200, 401), (300, 401)]
    assert all(type(done) is int for done, _total in seen)


def test_without_a_bar_the_import_sends_no_notes(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno")] * 3).ok


# -- a known farmer follows the file -----------------------------------------------------------------------------

def test_an_import_that_moves_a_farmer_to_another_poktan_kelurahan_or_name_updates_him(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", region=REGIONS[1], poktan="Poktan Satu")]).ok
    farmer = _farmer(uow, coop)
    assert (farmer.name, farmer.region_code, farmer.poktan.name) == ("Sumarno", REGIONS[1], "Poktan Satu")
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno Hadi", region=REGIONS[3], poktan="Poktan Dua")]).ok
    farmer = _farmer(uow, coop)
    assert (farmer.name, farmer.region_code, farmer.poktan.name) == ("Sumarno Hadi", REGIONS[3], "Poktan Dua")
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", region=REGIONS[0], poktan="Poktan Satu")]).ok
    farmer = _farmer(uow, coop)
    assert (farmer.name, farmer.region_code, farmer.poktan.name) == ("Sumarno", REGIONS[0], "Poktan Satu")


def test_a_farmer_the_file_gives_no_poktan_keeps_his(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", poktan="Poktan Satu")]).ok
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", poktan="")]).ok
    assert _farmer(uow, coop).poktan.name == "Poktan Satu"


def test_a_poktan_of_another_cooperative_with_the_same_name_is_not_his(uow, kiosk):
    from app.pupuk import services

    coop = kiosk.coop
    other = fresh_coop(uow)
    theirs = services.do_save_poktan(uow, coop=other, name="Poktan Sumber Makmur", ketua="Pak Lain",
                                     acting_user=SEKRETARIS)
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno"), _row(coop, NIKS[1], "Siti Aminah")]).ok
    ours = uow.scalar(select(Poktan).where(Poktan.cooperative_id == coop.id, Poktan.name == "Poktan Sumber Makmur"))
    assert ours is not None and ours.id != theirs.id and ours.ketua is None
    assert {_farmer(uow, coop, nik).poktan_id for nik in NIKS[:2]} == {ours.id}
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", poktan="Poktan Sumber Makmur", urea="90")]).ok
    assert _farmer(uow, coop).poktan_id == ours.id


def test_a_poktan_needs_three_letters_a_shorter_name_is_no_poktan(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", poktan="Sri"),
                               _row(coop, NIKS[1], "Siti Aminah", poktan="KT"),
                               _row(coop, NIKS[2], "Wartini", poktan="")]).ok
    assert uow.scalars(select(Poktan.name).where(Poktan.cooperative_id == coop.id)).all() == ["Sri"]
    assert [getattr(_farmer(uow, coop, nik).poktan, "name", None) for nik in NIKS[:3]] == ["Sri", None, None]


# -- what is cut where ---------------------------------------------------------------------------------------------

def test_a_long_name_is_kept_to_120_letters_also_when_the_file_changes_it(uow, kiosk):
    coop = kiosk.coop
    name = "".join(f"{i:03d}" for i in range(50))  # 150 digits, every cut shows
    assert _import(uow, coop, [_row(coop, NIKS[0], name)]).ok
    assert _farmer(uow, coop).name == name[:120]
    assert _import(uow, coop, [_row(coop, NIKS[0], name[1:])]).ok
    assert _farmer(uow, coop).name == name[1:121]


def test_a_name_of_119_letters_lengthened_in_the_file_takes_its_120th_letter(uow, kiosk):
    coop = kiosk.coop
    name = "".join(f"{i:03d}" for i in range(50))
    assert _import(uow, coop, [_row(coop, NIKS[0], name[:119])]).ok
    assert _farmer(uow, coop).name == name[:119]
    assert _import(uow, coop, [_row(coop, NIKS[0], name)]).ok
    assert _farmer(uow, coop).name == name[:120]


def test_an_unknown_kelurahan_code_is_named_in_its_first_20_characters(uow, kiosk):
    coop = kiosk.coop
    code = "".join(f"{i:02d}" for i in range(15))  # 30 digits
    result = _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", region=code)])
    assert not result.ok
    assert result.errors == [(2, "Kode Kelurahan/Desa", f"Kode wilayah {code[:20]} tidak ada di daftar Kemendagri.")]


def test_the_import_record_keeps_the_first_200_characters_of_the_file_name(uow, kiosk):
    coop = kiosk.coop
    name = "".join(f"{i:03d}" for i in range(80)) + ".xlsx"  # 245 characters
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno")], filename=name).ok
    uow.flush()
    assert uow.scalars(select(PupukImport.filename).where(PupukImport.cooperative_id == coop.id)).all() \
        == [name[:200]]


def test_a_file_without_any_kilograms_registers_the_farmers_and_counts_no_allocation(uow, kiosk):
    coop = kiosk.coop
    result = _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea=""), _row(coop, NIKS[1], "Siti", urea="")])
    assert result.ok and (result.rows, result.farmers, result.allocations) == (2, 2, 0)
    record = uow.scalar(select(PupukImport).where(PupukImport.cooperative_id == coop.id))
    assert (record.farmers_new, record.allocations) == (2, 0)
    assert uow.scalars(select(PupukAllocation.id).where(PupukAllocation.cooperative_id == coop.id)).all() == []


@pytest.mark.parametrize("urea", ["0", "0,000"])
def test_a_figure_of_zero_is_an_allocation_of_0_kg(uow, kiosk, urea):
    coop = kiosk.coop
    result = _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea=urea)])
    assert result.ok and result.allocations == 1
    assert [a.kg for a in uow.scalars(select(PupukAllocation).where(PupukAllocation.cooperative_id == coop.id))] \
        == [D("0.000")]


# -- the check of each row -----------------------------------------------------------------------------------------

def _errors(uow, coop, rows):
    result = _import(uow, coop, rows)
    assert not result.ok
    return result.errors


def test_a_row_without_a_nik_is_refused_in_the_nik_column(uow, kiosk):
    coop = kiosk.coop
    assert _errors(uow, coop, [_row(coop, "", "Sumarno")]) == [(2, "NIK", "NIK petani wajib diisi.")]


def test_a_two_letter_name_is_a_name_in_the_file_too_and_one_letter_is_not(uow, kiosk):
    coop = kiosk.coop
    assert _errors(uow, coop, [_row(coop, NIKS[0], "Ah"), _row(coop, NIKS[1], "A"), _row(coop, NIKS[2], "")]) == [
        (3, "Nama Petani", "Nama petani wajib diisi."), (4, "Nama Petani", "Nama petani wajib diisi.")]
    assert _import(uow, coop, [_row(coop, NIKS[0], "Ah")]).ok
    assert _farmer(uow, coop).name == "Ah"


def test_a_wrong_mt_is_reported_in_the_mt_column_and_a_wrong_area_in_the_area_column(uow, kiosk):
    coop = kiosk.coop
    wrong_mt = _row(coop, NIKS[0], "Sumarno")
    wrong_mt[7] = "4"
    errors = _errors(uow, coop, [wrong_mt, _row(coop, NIKS[1], "Siti", area="abc"),
                                 _row(coop, NIKS[2], "Wartini", area="0")])
    assert [e[:2] for e in errors] == [(2, "MT"), (3, "Luas Lahan (ha)"), (4, "Luas Lahan (ha)")]
    assert errors[0][2] == "MT harus 1, 2 atau 3."


def test_a_long_poktan_name_is_kept_to_120_letters(uow, kiosk):
    coop = kiosk.coop
    name = "Poktan " + "".join(f"{i:03d}" for i in range(45))
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", poktan=name)]).ok
    assert _farmer(uow, coop).poktan.name == name[:120]


def test_a_file_with_its_header_only_is_refused(uow, kiosk):
    from app.core.xlsx_import import ImportRefused

    with pytest.raises(ImportRefused, match="Berkas tidak berisi baris e-RDKK"):
        _import(uow, kiosk.coop, [])


# -- other cooperatives --------------------------------------------------------------------------------------------

def test_a_farmer_kept_by_an_older_cooperative_is_named_and_skipped_by_a_newer_one(uow, kiosk):
    from .conftest import Kiosk

    kiosk.farmer(nik=NIKS[0], name="Sumarno")
    newer = Kiosk(uow, fresh_coop(uow), stock=None)
    assert newer.coop.id > kiosk.coop.id
    result = _import(uow, newer.coop, [_row(newer.coop, NIKS[0], "Sumarno"), _row(newer.coop, NIKS[1], "Siti")])
    assert result.ok and result.farmers == 1 and [c[0] for c in result.conflicts] == [2]


def test_poktan_of_the_same_name_in_older_and_newer_cooperatives_are_not_his(uow, kiosk):
    from app.pupuk import services

    older = kiosk.coop
    coop = fresh_coop(uow)
    newer = fresh_coop(uow)
    assert older.id < coop.id < newer.id
    theirs = {services.do_save_poktan(uow, coop=c, name="Poktan Sumber Makmur", acting_user=SEKRETARIS).id
              for c in (older, newer)}
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno")]).ok
    poktan = _farmer(uow, coop).poktan
    assert poktan.cooperative_id == coop.id and poktan.id not in theirs


# -- the figures -----------------------------------------------------------------------------------------------------

def _quota(uow, farmer, code="urea"):
    from app.pupuk.models import PupukQuota, PupukType

    uow.flush()
    return uow.execute(select(PupukQuota.farmer_id, PupukQuota.allocated_kg, PupukQuota.redeemed_kg)
                       .join(PupukType, PupukType.id == PupukQuota.pupuk_type_id)
                       .where(PupukQuota.nik_hmac == farmer.nik_hmac, PupukType.code == code)).one()


def _versions(uow, farmer):
    uow.flush()
    return uow.execute(select(PupukAllocation.version_no, PupukAllocation.kg, PupukAllocation.is_current)
                       .where(PupukAllocation.farmer_id == farmer.id).order_by(PupukAllocation.version_no)).all()


def test_an_imported_counter_is_the_farmers(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="116")]).ok
    farmer = _farmer(uow, coop)
    assert _quota(uow, farmer) == (farmer.id, D("116.000"), D("0.000"))


def test_a_figure_lowered_to_exactly_what_was_redeemed_is_taken_and_the_counter_follows(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="116")]).ok
    farmer = _farmer(uow, coop)
    kiosk.redeem(farmer, "urea", 60)
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="60")]).ok
    assert _versions(uow, farmer) == [(1, D("116.000"), False), (2, D("60.000"), True)]
    assert _quota(uow, farmer)[1:] == (D("60.000"), D("60.000"))


def test_a_lowered_figure_is_a_new_version_and_the_counter_takes_it(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="116")]).ok
    farmer = _farmer(uow, coop)
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="100")]).ok
    assert _versions(uow, farmer) == [(1, D("116.000"), False), (2, D("100.000"), True)]
    assert _quota(uow, farmer)[1:] == (D("100.000"), D("0.000"))


def test_an_unchanged_figure_does_not_stop_the_changed_ones_after_it(uow, kiosk):
    coop = kiosk.coop
    rows = [_row(coop, NIKS[0], "Sumarno", urea="116"), _row(coop, NIKS[1], "Siti Aminah", urea="90")]
    assert _import(uow, coop, rows).ok
    rows[1] = _row(coop, NIKS[1], "Siti Aminah", urea="95")
    result = _import(uow, coop, rows)
    assert result.ok and result.allocations == 2
    assert _versions(uow, _farmer(uow, coop, NIKS[0])) == [(1, D("116.000"), True)]
    siti = _farmer(uow, coop, NIKS[1])
    assert _versions(uow, siti) == [(1, D("90.000"), False), (2, D("95.000"), True)]
    assert _quota(uow, siti)[1:] == (D("95.000"), D("0.000"))
