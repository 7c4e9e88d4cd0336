"""SIMKOPDES-shaped export (kkmp-domain.md §2.5, §1.4): the tables ``anggota_koperasi``, ``simpanan_anggota``,
``gerai_koperasi`` (business units), ``produk_koperasi`` (the gerai's items) and ``rat_koperasi`` (the RAT of each
fiscal year, its statements as JSON once the year is closed) with SIMKOPDES' own column names and values, as xlsx or CSV, for the reader's area (one
cooperative, or a Sudin's city; ``?koperasi=<id>`` narrows to one).

Rows stream from column-wise ORM selects (the scope layer filters them; no entity is loaded). A NIK leaves with its
last four digits only, like every list and export of the app (app/core/nik.py): the full number goes to SIMKOPDES
through its own form, never through a file that can be copied.
"""
from sqlalchemy import case, select

from app.core.formatting import month_name
from app.core.nik import mask_nik

REGISTERED = ("permohonan", "disetujui", "aktif")


def _narrow(stmt, column, coop_id):
    return stmt.where(column == coop_id) if coop_id is not None else stmt


def members(session, coop_id=None):
    from app.cooperatives.models import Cooperative
    from app.members.models import Member

    headers = ["anggota_ref", "koperasi_ref", "nama", "nik", "kode_wilayah", "jenis_kelamin", "status_keanggotaan",
               "tanggal_terdaftar", "pekerjaan"]
    stmt = _narrow(select(Member.id, Member.member_number, Cooperative.region_code, Member.name, Member.nik,
                          Member.domicile_code, Member.sex, Member.status, Member.join_date, Member.occupation)
                   .join(Cooperative, Cooperative.id == Member.cooperative_id)
                   .where(Member.status.in_(REGISTERED)).order_by(Member.id), Member.cooperative_id, coop_id)

    def rows():
        for r in session.execute(stmt).yield_per(1000):
            yield [r.member_number or f"AGT-{r.id}", r.region_code, r.name, mask_nik(r.nik), r.domicile_code,
                   "LAKI-LAKI" if r.sex == "L" else "PEREMPUAN",
                   "Requested" if r.status == "permohonan" else "Approved", r.join_date, r.occupation or ""]
    return headers, rows()


def savings(session, coop_id=None):
    """Wajib bills one row per member and month (PAID when fully paid), and simpanan pokok payments (PAID)."""
    from app.members.models import Member
    from app.savings.models import SavingsTransaction, WajibBill

    headers = ["simpanan_ref", "anggota_ref", "periode_pembayaran", "jumlah_simpanan", "status", "dibuat_pada",
               "dibayar_pada"]
    bills = _narrow(select(WajibBill.id, Member.id.label("member_id"), Member.member_number, WajibBill.year,
                           WajibBill.month, WajibBill.amount, WajibBill.paid_amount, WajibBill.created_at)
                    .join(Member, Member.id == WajibBill.member_id).order_by(WajibBill.id),
                    WajibBill.cooperative_id, coop_id)
    pokok = _narrow(select(SavingsTransaction.id, Member.id.label("member_id"), Member.member_number,
                           SavingsTransaction.amount, SavingsTransaction.tx_date, SavingsTransaction.created_at)
                    .join(Member, Member.id == SavingsTransaction.member_id)
                    .where(SavingsTransaction.kind == "pokok", SavingsTransaction.direction == "setor",
                           SavingsTransaction.reversal_of_id.is_(None), SavingsTransaction.reversed_at.is_(None))
                    .order_by(SavingsTransaction.id), SavingsTransaction.cooperative_id, coop_id)

    def rows():
        for r in session.execute(pokok).yield_per(1000):
            yield [f"SP-{r.id}", r.member_number or f"AGT-{r.member_id}", "Simpanan Pokok", r.amount, "PAID",
                   r.created_at, r.tx_date]
        for r in session.execute(bills).yield_per(1000):
            yield [f"SW-{r.id}", r.member_number or f"AGT-{r.member_id}",
                   f"Simpanan Wajib - {month_name(r.month)} {r.year}", r.amount,
                   "PAID" if r.paid_amount >= r.amount else "UNPAID", r.created_at, None]
    return headers, rows()


def units(session, coop_id=None):
    from app.cooperatives.models import BusinessUnit, Cooperative

    headers = ["gerai_ref", "koperasi_ref", "jenis_gerai", "status", "tanggal_mulai"]
    stmt = _narrow(select(BusinessUnit.id, Cooperative.region_code, BusinessUnit.kind,
                          case((BusinessUnit.status == "beroperasi", "Aktif"), else_="Belum Aktif").label("status"),
                          BusinessUnit.started_on)
                   .join(Cooperative, Cooperative.id == BusinessUnit.cooperative_id).order_by(BusinessUnit.id),
                   BusinessUnit.cooperative_id, coop_id)

    def rows():
        from app.cooperatives.models import UNIT_KIND_LABELS
        for r in session.execute(stmt).yield_per(1000):
            yield [f"GR-{r.id}", r.region_code, str(UNIT_KIND_LABELS.get(r.kind, r.kind)), r.status, r.started_on]
    return headers, rows()


def products(session, coop_id=None):
    """The items the cooperative sells (inventory), one row per item: SIMKOPDES' produk_koperasi, with the
    business unit (gerai) it belongs to and whether it is still sold."""
    from app.cooperatives.models import Cooperative
    from app.inventory.models import Item

    headers = ["produk_ref", "koperasi_ref", "gerai_ref", "barcode", "nama", "unit", "kategori", "status"]
    stmt = _narrow(select(Item.id, Cooperative.region_code, Item.business_unit_id, Item.barcode, Item.name, Item.unit,
                          Item.category, Item.active)
                   .join(Cooperative, Cooperative.id == Item.cooperative_id).order_by(Item.id),
                   Item.cooperative_id, coop_id)

    def rows():
        from app.inventory.models import CATEGORY_LABELS
        for r in session.execute(stmt).yield_per(1000):
            yield [f"PRD-{r.id}", r.region_code, f"GR-{r.business_unit_id}" if r.business_unit_id else "",
                   r.barcode or "", r.name, r.unit, str(CATEGORY_LABELS.get(r.category, r.category)),
                   "Aktif" if r.active else "Tidak Aktif"]
    return headers, rows()


# our RAT status -> SIMKOPDES status_rat {Drafted, Reported, Verified, Rejected}; tahap_rat is our step (1-4)
RAT_STATUS = {"disiapkan": "Drafted", "dilaksanakan": "Drafted", "dilaporkan": "Reported", "diverifikasi": "Verified"}


def _report_json(report):
    """A statement as SIMKOPDES keeps it: a JSON list of {kode, uraian, jumlah} for the rows with an amount."""
    import json

    out = []
    for row in report.rows:
        cells = list(row.cells)
        amount = cells[2] if len(cells) > 2 else None
        if amount in (None, ""):
            continue
        out.append({"kode": cells[0] or "", "uraian": cells[1], "jumlah": str(amount)})
    return json.dumps(out, ensure_ascii=False)


def rat(session, coop_id=None):
    """One row per RAT record: SIMKOPDES' rat_koperasi. The laporan posisi keuangan and hasil usaha (as JSON)
    only for a fiscal year closed in the ledger (before that they are not final); the RAPB hasil usaha from the
    RAPB lines by account."""
    import json

    from app.cooperatives.models import Cooperative
    from app.ledger.models import LedgerYear
    from app.shu.models import RAT_ORDER, RapbLine, RatMeeting

    headers = ["rat_ref", "koperasi_ref", "jenis_sektor_koperasi", "urutan_rat", "tahun_buku", "tahun_rencana_kerja",
               "tahun_rencana_anggaran", "tanggal_rat", "jumlah_peserta_rat", "status_rat", "tahap_rat",
               "laporan_posisi_keuangan", "laporan_hasil_usaha", "rapb_posisi_keuangan", "rapb_hasil_usaha"]
    stmt = _narrow(select(RatMeeting.id, RatMeeting.cooperative_id, Cooperative.region_code, RatMeeting.year,
                          RatMeeting.held_date, RatMeeting.attendance, RatMeeting.status, LedgerYear.id.label("closed"))
                   .join(Cooperative, Cooperative.id == RatMeeting.cooperative_id)
                   .outerjoin(LedgerYear, (LedgerYear.cooperative_id == RatMeeting.cooperative_id)
                              & (LedgerYear.year == RatMeeting.year))
                   .order_by(RatMeeting.cooperative_id, RatMeeting.year), RatMeeting.cooperative_id, coop_id)

    def rows():
        from app.ledger import statements as st

        seen = {}
        for r in session.execute(stmt).all():
            seen[r.cooperative_id] = seen.get(r.cooperative_id, 0) + 1
            position = income = ""
            if r.closed is not None:
                coop = session.get(Cooperative, r.cooperative_id)
                period = st.ReportPeriod(r.year)
                position = _report_json(st.financial_position(session, coop, period))
                income = _report_json(st.income_statement(session, coop, period))
            budget = session.execute(select(RapbLine.account_code, RapbLine.account_name, RapbLine.amount)
                                     .where(RapbLine.rat_id == r.id).order_by(RapbLine.account_code)).all()
            rapb = json.dumps([{"kode": c, "uraian": n, "jumlah": str(a)} for c, n, a in budget],
                              ensure_ascii=False) if budget else ""
            yield [f"RAT-{r.id}", r.region_code, "KDKMP", seen[r.cooperative_id], r.year, r.year + 1, r.year + 1,
                   r.held_date, r.attendance, RAT_STATUS.get(r.status, "Drafted"), RAT_ORDER.index(r.status) + 1,
                   position, income, "", rapb]
    return headers, rows()


TABLES = {"anggota_koperasi": members, "simpanan_anggota": savings, "gerai_koperasi": units,
          "produk_koperasi": products, "rat_koperasi": rat}
