"""SIMKOPDES-shaped export (kkmp-domain.md §2.5): the tables ``anggota_koperasi``, ``simpanan_anggota`` and
``gerai_koperasi`` with SIMKOPDES' own column names and values, as xlsx or CSV, for the reader's area (one
cooperative, or a Sudin's city; ``?koperasi=<id>`` narrows to one).

Rows stream from column-wise ORM selects (the scope layer filters them; no entity is loaded). A NIK leaves with its
last four digits only, like every list and export of the app (app/core/nik.py): the full number goes to SIMKOPDES
through its own form, never through a file that can be copied.
"""
from sqlalchemy import case, select

from app.core.nik import mask_nik

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"]
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
                   f"Simpanan Wajib - {BULAN[r.month - 1]} {r.year}", r.amount,
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


TABLES = {"anggota_koperasi": members, "simpanan_anggota": savings, "gerai_koperasi": units}
