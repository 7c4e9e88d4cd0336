"""Demo rows for this domain, called by app.demo.seed_demo() after the cooperatives exist.

Every demo cooperative already has its chart (copied when it was created). The operating ones get three months of
books ending last month: opening capital, sembako bought on credit and sold to members and non-members, its cost,
salaries and electricity; the oldest month is closed. Dates are relative to today, so the demo stays postable.
Kept small on purpose (the scope walk lists every row of every ledger view on one page).
"""
from datetime import date
from decimal import Decimal as D

from sqlalchemy import select

from app.cooperatives.models import BusinessUnit

from . import services

OPERATING = ["31.73.05.1001", "64.72.05.1003", "35.73.03.1010"]
OPENING_ONLY = ["31.73.05.1002"]


def _month_start(today, back):
    month, year = today.month - back, today.year
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def _book(session, coop, scale):
    today = services.local_today(coop)
    m1, m2, m3 = (_month_start(today, b) for b in (3, 2, 1))
    unit = session.execute(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == coop.id,
                                                         BusinessUnit.kind == "sembako")).scalar()

    def post(day, description, lines, reference, unit_id=None):
        services.post_entry(session, cooperative_id=coop.id, entry_date=day, description=description, lines=lines,
                            reference=reference, business_unit_id=unit_id)

    pokok, wajib, hibah = D(5_000_000) * scale, D(2_000_000) * scale, D(18_000_000)
    post(m1.replace(day=2), "Setoran modal awal anggota dan hibah peralatan gerai",
         [("kas", pokok + wajib + hibah, 0), ("simpanan_pokok", 0, pokok), ("simpanan_wajib", 0, wajib),
          ("314000", 0, hibah)], "BKM-001")
    post(m1.replace(day=3), "Setor kas ke rekening koperasi", [("bank", D(15_000_000), 0), ("kas", 0, D(15_000_000))],
         "BKK-001")
    post(m1.replace(day=5), "Pembelian sembako dari agen RPK Bulog (kredit)",
         [("persediaan", D(12_000_000), 0), ("utang_usaha", 0, D(12_000_000))], "FAK-RPK-0911", unit)
    for month, ref, member, non_member, cost in ((m1, "01", D("6100000"), D("3250000"), D("7480000")),
                                                 (m2, "02", D("7350000"), D("2900000"), D("8200000"))):
        post(month.replace(day=25), "Penjualan gerai sembako bulan ini",
             [("kas", member + non_member, 0), ("penjualan_sembako_anggota", 0, member),
              ("penjualan_sembako_non_anggota", 0, non_member)], f"REKAP-{ref}", unit)
        post(month.replace(day=25), "Harga pokok penjualan sembako",
             [("hpp_sembako", cost, 0), ("persediaan", 0, cost)], f"REKAP-{ref}", unit)
    post(m1.replace(day=28), "Bayar listrik dan air gerai", [("522000", D("450000"), 0), ("kas", 0, D("450000"))],
         "PLN-01")
    post(m2.replace(day=6), "Pelunasan utang ke agen RPK", [("utang_usaha", D(12_000_000), 0),
                                                         ("bank", 0, D(12_000_000))], "BKK-002", unit)
    # Kas to bank before paying from the bank: kas and bank never go below zero (the posting service refuses it).
    post(m2.replace(day=7), "Setor kas ke rekening koperasi", [("bank", D(8_000_000), 0), ("kas", 0, D(8_000_000))],
         "BKK-004")
    post(m2.replace(day=8), "Pembelian sembako (tunai via bank)", [("persediaan", D(9_000_000), 0),
                                                                 ("bank", 0, D(9_000_000))], "FAK-RPK-1008", unit)
    post(m3.replace(day=1), "Honor pengelola gerai", [("521000", D(2_500_000), 0), ("kas", 0, D(2_500_000))],
         "BKK-003")
    services.close_period(session, coop.id, m1.year, m1.month)


def seed(session, coops_by_code):
    """:param coops_by_code: {kelurahan code: Cooperative} of the demo cooperatives."""
    for coop in coops_by_code.values():
        services.ensure_chart_of_accounts(session, coop)
    for i, code in enumerate(OPERATING, start=1):
        coop = coops_by_code.get(code)
        if coop is not None:
            _book(session, coop, i)
    for code in OPENING_ONLY:
        coop = coops_by_code.get(code)
        if coop is not None:
            day = _month_start(services.local_today(coop), 1)
            services.post_entry(session, cooperative_id=coop.id, entry_date=day,
                                description="Setoran simpanan pokok anggota pendiri",
                                lines=[("kas", D(1_500_000), 0), ("simpanan_pokok", 0, D(1_500_000))],
                                reference="BKM-001")
    from .imports import seed_demo as seed_imports

    seed_imports(session, coops_by_code)
    session.flush()
