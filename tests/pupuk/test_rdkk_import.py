"""The e-RDKK import as a cooperative's secretary relies on it: a re-import of the same file changes nothing, a
changed figure is a new version the kiosk quota follows, a figure below what a farmer already redeemed refuses
the whole file, the file's land replaces the farmer's, a poktan's ketua survives an import, and the help sheet
states the land limit in force. Decimal throughout."""
import io
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.pupuk.models import Farmer, FarmerLand, Poktan, PupukAllocation, PupukQuota

from .conftest import NIKS, SEKRETARIS, fresh_coop, rdkk_file as _file, today_of


def _row(coop, nik, name, urea="100", npk="", commodity="padi", area="0,5", poktan="Poktan Sumber Makmur"):
    from app.pupuk.services import season_of

    year, season = season_of(today_of(coop))
    return [nik, name, poktan, "", commodity, area, str(year), str(season), urea, npk, "", "", ""]


def _import(uow, coop, rows):
    from app.pupuk import services

    return services.do_import_rdkk(uow, coop=coop, filename="rdkk.xlsx", data=_file(rows), acting_user=SEKRETARIS)


def _allocs(uow, coop):
    return [(r.farmer.nik[-4:], r.pupuk_type.code, r.version_no, r.kg, r.is_current) for r in uow.scalars(
        select(PupukAllocation).where(PupukAllocation.cooperative_id == coop.id)
        .order_by(PupukAllocation.farmer_id, PupukAllocation.pupuk_type_id, PupukAllocation.version_no))]


def _quota(uow, coop, code="urea"):
    from app.pupuk.models import PupukType

    return uow.execute(select(PupukQuota.allocated_kg, PupukQuota.redeemed_kg)
                       .join(PupukType, PupukType.id == PupukQuota.pupuk_type_id)
                       .where(PupukQuota.home_cooperative_id == coop.id, PupukType.code == code)
                       .order_by(PupukQuota.farmer_id)).all()


def test_the_same_file_twice_writes_each_allocation_once_and_the_quota_follows_it(uow, kiosk):
    coop = kiosk.coop
    rows = [_row(coop, NIKS[0], "Sumarno", urea="116", npk="75,5"), _row(coop, NIKS[1], "Siti Aminah", urea="90")]
    first = _import(uow, coop, rows)
    assert first.ok and first.farmers == 2 and first.allocations == 3
    again = _import(uow, coop, rows)
    assert again.ok and again.farmers == 0
    assert _allocs(uow, coop) == [("0003", "urea", 1, D("116.000"), True), ("0003", "npk", 1, D("75.500"), True),
                                  ("0004", "urea", 1, D("90.000"), True)]
    assert _quota(uow, coop) == [(D("116.000"), D("0.000")), (D("90.000"), D("0.000"))]


def test_a_changed_figure_is_a_new_version_and_the_kiosk_quota_takes_it(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="116")]).ok
    farmer = uow.scalar(select(Farmer).where(Farmer.cooperative_id == coop.id))
    kiosk.redeem(farmer, "urea", "50")
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="150")]).ok
    assert _allocs(uow, coop) == [("0003", "urea", 1, D("116.000"), False), ("0003", "urea", 2, D("150.000"), True)]
    assert _quota(uow, coop) == [(D("150.000"), D("50.000"))]


def test_a_figure_below_what_was_redeemed_refuses_the_file_naming_row_and_column(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="116")]).ok
    farmer = uow.scalar(select(Farmer).where(Farmer.cooperative_id == coop.id))
    kiosk.redeem(farmer, "urea", "60")
    result = _import(uow, coop, [_row(coop, NIKS[1], "Siti Aminah", urea="80"),
                                 _row(coop, NIKS[0], "Sumarno", urea="40")])
    assert not result.ok
    assert result.errors == [(3, "Urea (kg)", result.errors[0][2])]
    assert "sudah ditebus (60 kg)" in result.errors[0][2] and "diminta 40 kg" in result.errors[0][2]


def test_the_files_land_replaces_the_farmers_land_and_the_name_is_the_files(uow, kiosk):
    coop = kiosk.coop
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", commodity="padi", area="0,5"),
                               _row(coop, NIKS[0], "Sumarno", commodity="jagung", area="0,25", urea="")]).ok
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno Hadi", commodity="jagung", area="1,2")]).ok
    farmer = uow.scalar(select(Farmer).where(Farmer.cooperative_id == coop.id))
    lands = uow.execute(select(FarmerLand.commodity, FarmerLand.area_ha).where(FarmerLand.farmer_id == farmer.id)
                        ).all()
    assert farmer.name == "Sumarno Hadi" and lands == [("jagung", D("1.2000"))]


def test_the_whole_land_of_a_farmer_over_all_rows_is_held_to_the_limit(uow, kiosk):
    coop = kiosk.coop
    result = _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", commodity="padi", area="1,5"),
                                 _row(coop, NIKS[0], "Sumarno", commodity="jagung", area="0,75", urea="")])
    assert not result.ok and result.errors[0][:2] == (2, "Luas Lahan (ha)")
    assert "melebihi batas 2 ha" in result.errors[0][2]
    assert uow.scalar(select(func.count()).select_from(Farmer).where(Farmer.cooperative_id == coop.id)) == 0


def test_an_import_keeps_the_ketua_and_ppl_of_an_existing_poktan(uow, kiosk):
    from app.pupuk import services

    coop = kiosk.coop
    services.do_save_poktan(uow, coop=coop, name="Poktan Sumber Makmur", ketua="Pak Darto", ppl_name="Bu Ratna",
                            acting_user=SEKRETARIS)
    assert _import(uow, coop, [_row(coop, NIKS[0], "Sumarno"), _row(coop, NIKS[1], "Siti", poktan="Poktan Baru")]).ok
    kept = uow.scalar(select(Poktan).where(Poktan.cooperative_id == coop.id, Poktan.name == "Poktan Sumber Makmur"))
    assert (kept.ketua, kept.ppl_name) == ("Pak Darto", "Bu Ratna")
    names = {f.name: f.poktan.name for f in uow.scalars(select(Farmer).where(Farmer.cooperative_id == coop.id))}
    assert names == {"Sumarno": "Poktan Sumber Makmur", "Siti": "Poktan Baru"}


def test_a_farmer_kept_by_another_cooperative_is_named_and_only_that_farmer_is_skipped(uow, kiosk):
    from .conftest import Kiosk

    coop = kiosk.coop
    other = Kiosk(uow, fresh_coop(uow), stock=None)
    other.farmer(nik=NIKS[0], name="Sumarno")
    result = _import(uow, coop, [_row(coop, NIKS[0], "Sumarno"), _row(coop, NIKS[1], "Siti Aminah")])
    assert result.ok and result.farmers == 1 and len(result.conflicts) == 1
    assert result.conflicts[0][0] == 2 and "••••0003" in result.conflicts[0][1]
    assert [a[0] for a in _allocs(uow, coop)] == ["0004"]


@pytest.mark.parametrize("limit, text", [(None, "Paling banyak 2 ha seluruhnya"),
                                         (D("2.5"), "Paling banyak 2,5 ha seluruhnya")])
def test_the_template_help_sheet_states_the_land_limit_in_force(uow, limit, text):
    from openpyxl import load_workbook

    from app.pupuk import services
    from app.pupuk.models import PupukEligibility

    rule = services.eligibility_on(uow, today_of(fresh_coop(uow)))
    if limit is not None:
        rule = PupukEligibility(valid_from=rule.valid_from, max_land_ha=limit, commodities="padi,jagung")
    sheet = load_workbook(io.BytesIO(services.write_template(rule)))["Petunjuk"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any(text in c for c in cells), cells
    if limit is not None:
        assert "padi, jagung." in cells and not any("kopi" in c for c in cells)


def test_every_farmer_land_and_allocation_an_import_writes_has_its_audit_row_with_the_nik_masked(uow, kiosk):
    """The import writes its new rows in bulk, past the flush; the audit log still names each one, with the
    snapshot a farmer added on the form gets, and never the full NIK or its birth digits."""
    import json

    from app.core.audit import AuditEvent

    coop = kiosk.coop
    before = uow.scalar(select(func.max(AuditEvent.id))) or 0
    result = _import(uow, coop, [_row(coop, NIKS[0], "Sumarno", urea="116", npk="75,5"),
                                 _row(coop, NIKS[1], "Siti Aminah", urea="90", commodity="jagung", area="1,25")])
    assert result.ok and result.farmers == 2 and result.allocations == 3
    events = uow.scalars(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all()
    created = {}
    for e in events:
        if e.action == "create":
            created.setdefault(e.table_name, []).append(e)
    farmers = {f.id: f for f in uow.scalars(select(Farmer).where(Farmer.cooperative_id == coop.id))}
    assert sorted(int(e.record_id) for e in created["pupuk_farmer"]) == sorted(farmers)
    for e in created["pupuk_farmer"]:
        after = json.loads(e.after)
        farmer = farmers[int(e.record_id)]
        assert after["name"] == farmer.name and after["cooperative_id"] == coop.id and e.cooperative_id == coop.id
        assert after["nik"] == "••••••••••••" + farmer.nik[-4:] and "nik_hmac" not in after
        assert farmer.nik not in e.after and farmer.nik[6:12] not in e.after
        assert after["poktan_id"] == farmer.poktan_id and farmer.poktan.name == "Poktan Sumber Makmur"
        assert after["active"] is True
    lands = {x.id: x for x in uow.scalars(select(FarmerLand).where(FarmerLand.cooperative_id == coop.id))}
    assert sorted(int(e.record_id) for e in created["pupuk_farmer_land"]) == sorted(lands)
    assert sorted((x.commodity, x.area_ha) for x in lands.values()) == [("jagung", D("1.2500")), ("padi", D("0.5000"))]
    assert sorted(D(json.loads(e.after)["area_ha"]) for e in created["pupuk_farmer_land"]) == [D("0.5"), D("1.25")]
    allocs = {a.id: a for a in uow.scalars(select(PupukAllocation).where(PupukAllocation.cooperative_id == coop.id))}
    assert sorted(int(e.record_id) for e in created["pupuk_allocation"]) == sorted(allocs)
    assert sorted(D(json.loads(e.after)["kg"]) for e in created["pupuk_allocation"]) == [D("75.5"), D("90"), D("116")]
    assert {json.loads(e.after)["import_id"] for e in created["pupuk_allocation"]} == {
        next(a.import_id for a in allocs.values())}
    assert [e.action for e in events if e.table_name == "pupuk_import"] == ["create", "update", "pupuk_import"]


def test_a_damaged_workbook_is_refused_as_a_whole_with_an_indonesian_message(uow, kiosk):
    """A file that passes the safety checks (a zip with a content-types part) but is no workbook."""
    import zipfile

    from app.core.xlsx_import import ImportRefused
    from app.pupuk import services

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "bukan buku kerja")
    with pytest.raises(ImportRefused, match="bukan berkas Excel .xlsx yang sah"):
        services.do_import_rdkk(uow, coop=kiosk.coop, filename="rusak.xlsx", data=out.getvalue(),
                                acting_user=SEKRETARIS)
    assert uow.scalar(select(func.count()).select_from(Farmer).where(Farmer.cooperative_id == kiosk.coop.id)) == 0


def test_the_import_progress_covers_the_writing_too_and_only_rises(uow, kiosk):
    """The job's bar: checking the rows fills its first half, writing them the second (on PostgreSQL; on SQLite
    the progress connection would wait on the import's write lock, so the bar waits at half until the end)."""
    from app.pupuk import services

    coop = kiosk.coop
    rows = [_row(coop, nik, f"Petani Bar {i}") for i, nik in enumerate(NIKS[:3])]
    seen = []
    result = services.do_import_rdkk(uow, coop=coop, filename="rdkk.xlsx", data=_file(rows), acting_user=SEKRETARIS,
                                     progress=lambda done, total: seen.append((done, total)))
    assert result.ok
    assert {total for _done, total in seen} == {3}
    done = [d for d, _t in seen]
    assert done == sorted(done) and done[0] == 0 and done[-1] < 3
    if uow.get_bind().dialect.name == "postgresql":
        assert done[-2:] == [1, 2]  # writing begins at half the file and reports again after the farmers
    else:
        assert max(done) <= 1
