"""Demo rows for this domain, called by app.demo.seed_demo() after cooperatives, ledger and members demo data exist.

Each demo cooperative with members gets its three products (amounts as decided by its Muskelsus, in the ranges the
research found), a wajib rate (Kebon Jeruk raised it last month: the older bills keep the old amount), wajib bills for
the last three months for its active members, simpanan pokok for most members, wajib paid by only some (the
official data shows most wajib bills unpaid, so the arrears list is not empty), sukarela deposits and one
withdrawal, and one member per cooperative who joined, paid the pokok, moved away and was paid back (the exit
settlement list is not empty). Everything goes through the services, so every rupiah has its journal and receipt. Dates are relative
to today, never in the future, and moved out of months the ledger demo closed.
"""
from datetime import date
from decimal import Decimal as D

from sqlalchemy import select

from . import services

# code: (pokok, instalments, wajib, new wajib from last month or None)
PLANS = {
    "31.73.05.1001": (D(100000), 2, D(10000), D(15000)),
    "31.73.05.1002": (D(50000), 1, D(10000), None),
    "64.72.05.1003": (D(50000), 1, D(25000), None),
    "35.73.03.1010": (D(25000), 1, D(5000), None),
}


def _month_start(today, back):
    month, year = today.month - back, today.year
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def _open_day(session, coop, day, today):
    from app.ledger.guards import period_is_closed

    if day > today or period_is_closed(session, coop.id, day):
        return today
    return day


def seed(session, coops_by_code):
    """:param coops_by_code: {kelurahan code: Cooperative} of the demo cooperatives."""
    from app.members.models import Member
    from app.members.services import SYSTEM_ACTOR as actor

    for code, (pokok, instalments, wajib, raised) in PLANS.items():
        coop = coops_by_code.get(code)
        if coop is None:
            continue
        today = services.local_today(coop)
        m1, m2, m3 = (_month_start(today, b) for b in (3, 2, 1))
        meeting = date(2025, 5, 31)
        services.set_product(session, coop.id, "pokok", actor, amount=pokok, instalments=instalments,
                             name="Simpanan pokok", decided_on=meeting, decision_ref="BA Muskelsus 31/05/2025")
        services.set_product(session, coop.id, "wajib", actor, name="Simpanan wajib bulanan", decided_on=meeting,
                             decision_ref="BA Muskelsus 31/05/2025")
        services.set_product(session, coop.id, "sukarela", actor, name="Simpanan sukarela", decided_on=meeting)
        services.set_wajib_rate(session, coop.id, date(2025, 6, 1), wajib, actor, decided_on=meeting,
                                decision_ref="BA Muskelsus 31/05/2025")
        if raised is not None:
            services.set_wajib_rate(session, coop.id, m3, raised, actor, decided_on=m2.replace(day=20),
                                    decision_ref="Rapat anggota")
        for month in (m1, m2, m3):
            services.generate_wajib_bills(session, coop.id, month.year, month.month, actor, today=today)
        members = session.execute(select(Member).where(Member.cooperative_id == coop.id, Member.status == "aktif")
                                  .order_by(Member.id)).scalars().all()
        day = _open_day(session, coop, m2.replace(day=10), today)
        later = _open_day(session, coop, m3.replace(day=12), today)
        for i, member in enumerate(members):
            key = f"demo-{coop.id}-{member.id}"
            if i % 5 != 4:  # most paid their pokok (in two parts in Kebon Jeruk for some)
                if instalments > 1 and i % 3 == 0:
                    services.do_deposit(session, member=member, kind="pokok", amount=pokok / 2, tx_date=day,
                                        idempotency_key=key + "-p1", acting_user=actor, today=today)
                else:
                    services.do_deposit(session, member=member, kind="pokok", amount=pokok, tx_date=day,
                                        idempotency_key=key + "-p", acting_user=actor, today=today)
            if i % 4 == 0:  # a quarter pays wajib: two months, or a partial month
                amount = wajib * 2 if i % 8 == 0 else wajib / 2
                services.do_deposit(session, member=member, kind="wajib", amount=amount, tx_date=later,
                                    idempotency_key=key + "-w", acting_user=actor, today=today)
            if i % 6 == 1:
                services.do_deposit(session, member=member, kind="sukarela", amount=D(50000) * (1 + i % 3),
                                    tx_date=day, idempotency_key=key + "-s", acting_user=actor, today=today,
                                    note="Tabungan hari raya")
            if i == 1:
                services.do_withdraw(session, member=member, kind="sukarela", amount=D(20000), tx_date=later,
                                     idempotency_key=key + "-t", acting_user=actor, today=today,
                                     note="Keperluan sekolah anak")
        _leaver(session, coop, pokok, actor, today, len(members))
        session.flush()


# kelurahan code: (name, sex, birth date, loss share) of the member who left and was settled
LEAVERS = {
    "31.73.05.1001": ("Hendra Wijaya", "L", date(1984, 3, 12), D(0)),
    "31.73.05.1002": ("Ratna Siregar", "P", date(1991, 11, 5), D(0)),
    "64.72.05.1003": ("Joko Prasetyo", "L", date(1979, 7, 21), D(0)),
    "35.73.03.1010": ("Suparmi Rahayu", "P", date(1968, 1, 30), D(5000)),
}


def _leaver(session, coop, pokok, actor, today, serial):
    """Join, approval, activation, pokok, exit (pindah domisili) and settlement, all today, through the services."""
    from app.members import services as members
    from app.members.demo import _nik
    from app.members.models import Member

    plan = LEAVERS.get(coop.region_code)
    if plan is None:
        return None
    name, sex, born, loss = plan
    member = Member(cooperative=coop, nik=_nik(coop.region_code.replace(".", "")[:6], born, sex, 900 + serial),
                    name=name, sex=sex, birth_date=born, address="Jl. Pindahan No. 1", rt="001", rw="001",
                    domicile_code=coop.region_code, phone=None, occupation="Wiraswasta", join_date=today)
    members.register_member(session, member, actor, today=today)
    session.flush()
    members.do_approve(session, member, actor, on=today, today=today)
    members.do_activate(session, member, actor, on=today, today=today)
    services.do_deposit(session, member=member, kind="pokok", amount=pokok / (2 if pokok > D(50000) else 1),
                        tx_date=today, idempotency_key=f"demo-{coop.id}-leaver-p", acting_user=actor, today=today)
    members.do_end(session, member, actor, "keluar", on=today, note="Pindah domisili ke luar kelurahan",
                   today=today)
    session.flush()
    return services.do_exit_settlement(session, member=member, settle_date=today, loss_share=loss,
                                       acting_user=actor, note="Pindah domisili", today=today)
