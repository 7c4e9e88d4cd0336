"""Demo rows: every demo cooperative gets the textbook SHU rule for last year and a RAT record being prepared
(its deadline relative to today, so the overdue flag shows once the six months have passed). Written as ORM rows
(audited) in the demo's system scope.

KKMP Kebon Jeruk (the demo Pengurus' cooperative) also gets a real closed year, so that the SHU and RAT screens show
something after ``make run``: in July to September of last year its members put sukarela savings in and bought
sembako at the gerai (goods received and sold through the inventory services, so stock and journals agree), its
months and the year are closed through the ledger's own ``close_period`` / ``close_year``, the SHU worksheet is
computed (jasa modal on every simpanan, jasa usaha on the gerai purchases) and the RAT record carries a date, the
attendance and the next year's RAPB. Nothing is distributed: the Pengurus can still recompute, and post the
distribution himself. July to September of last year lie before the three months the ledger, savings and inventory
demos book (the last three months), whatever today's month is. Runs after the inventory demo (it needs the gerai
and its items) and is idempotent: a closed year is left as it is.
"""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.core.dates import local_today

from .models import ALLOCATION_LABELS, RatMeeting, ShuAllocation, ShuRule
from .services.rules import DEFAULT_SPLIT

CLOSED_YEAR_COOP = "31.73.05.1001"
D = Decimal


def seed(session, coops_by_code):
    for coop in coops_by_code.values():
        year = local_today(coop).year - 1
        if session.execute(select(ShuRule.id).where(ShuRule.cooperative_id == coop.id, ShuRule.year == year)).first():
            continue
        closed_demo = coop.region_code == CLOSED_YEAR_COOP
        rule = ShuRule(cooperative=coop, cooperative_id=coop.id, year=year,
                       jm_basis="semua" if closed_demo else "pokok_wajib",
                       balance_basis="akhir_tahun", leaver_rule="sampai_keluar", quorum_percent=Decimal("50.00"),
                       decision_ref="AD/ART Pasal 38")
        for i, (kind, percent) in enumerate(DEFAULT_SPLIT):
            rule.allocations.append(ShuAllocation(cooperative_id=coop.id, position=i, kind=kind,
                                                  name=str(ALLOCATION_LABELS[kind]), percent=Decimal(percent)))
        session.add(rule)
        session.add(RatMeeting(cooperative=coop, cooperative_id=coop.id, year=year, status="disiapkan",
                               planned_date=date(year + 1, 3, 28)))
    session.flush()
    coop = coops_by_code.get(CLOSED_YEAR_COOP)
    if coop is not None:
        seed_closed_year(session, coop)
    session.flush()


def _members_for_year(session, coop, last_day):
    from app.members.models import Member

    return session.execute(select(Member).where(Member.cooperative_id == coop.id, Member.status == "aktif",
                                                Member.active_since <= last_day)
                           .order_by(Member.id)).scalars().all()


def _gerai_sales(session, coop, year, members, actor, today):
    """Goods received on 1 July and sold to members (and one walk-in buyer) in August and September."""
    from app.inventory import services as inventory
    from app.inventory.models import Item, ItemPrice, Location, Supplier

    gerai = session.execute(select(Location).where(Location.cooperative_id == coop.id, Location.kind == "gerai")
                            .order_by(Location.id).limit(1)).scalar()
    if gerai is None:
        return
    items = session.execute(select(Item).where(Item.cooperative_id == coop.id, Item.category == "sembako")
                            .order_by(Item.id).limit(2)).scalars().all()
    if len(items) < 2:
        return
    start = date(year, 7, 1)
    # last year's prices (the inventory demo's prices start this month): cost, member, public
    prices = [(D(55000), D(59500), D(62000)), (D(13000), D(15000), D(15600))]
    for item, (_cost, member_price, public_price) in zip(items, prices):
        if session.execute(select(ItemPrice.id).where(ItemPrice.item_id == item.id,
                                                      ItemPrice.valid_from == start)).first() is None:
            session.add(ItemPrice(cooperative_id=coop.id, item_id=item.id, valid_from=start,
                                  member_price=member_price, public_price=public_price))
    session.flush()
    lines = [{"item_id": item.id, "quantity": q, "unit_cost": c}
             for item, (c, _m, _p), q in zip(items, prices, (D(160), D(200)))]
    supplier = session.execute(select(Supplier).where(Supplier.cooperative_id == coop.id).order_by(Supplier.id)
                               .limit(1)).scalar()
    inventory.do_receive_goods(session, location=gerai, lines=lines, receipt_date=start, payment="kredit",
                               supplier=supplier,
                               supplier_invoice=f"FAK-RPK-{year}-07", idempotency_key=f"demo-{coop.id}-{year}-receipt",
                               acting_user=actor, today=today)
    for i, member in enumerate(members):
        day = max(member.active_since, date(year, 8 + i % 2, 5 + i % 20)) if i % 2 else date(year, 9, 12 + i % 15)
        lines = [{"item_id": items[0].id, "quantity": 2 + i % 4}, {"item_id": items[1].id, "quantity": 3 + i % 3}]
        inventory.do_sell(session, location=gerai, lines=lines, member=member.id, paid=D(500000), sale_date=day,
                          idempotency_key=f"demo-{coop.id}-{year}-sale-{member.id}", acting_user=actor, today=today)
    inventory.do_sell(session, location=gerai, lines=[{"item_id": items[0].id, "quantity": 20},
                                                      {"item_id": items[1].id, "quantity": 30}],
                      paid=D(2_000_000), sale_date=date(year, 9, 27),
                      idempotency_key=f"demo-{coop.id}-{year}-sale-umum", acting_user=actor, today=today)


def seed_closed_year(session, coop):
    """Last year of KKMP Kebon Jeruk, booked, closed, its SHU worksheet computed and its RAT being prepared."""
    from app.ledger import services as ledger
    from app.ledger.models import Period
    from app.members.services import SYSTEM_ACTOR as actor
    from app.savings import services as savings

    from . import services

    today = local_today(coop)
    year = today.year - 1
    if services.closed_year(session, coop.id, year) is not None:
        return
    members = _members_for_year(session, coop, date(year, 9, 10))
    for i, member in enumerate(members):
        savings.do_deposit(session, member=member, kind="sukarela", amount=D(50000) * (1 + i % 5),
                           tx_date=max(member.active_since, date(year, 7, 10 + i % 15)),
                           idempotency_key=f"demo-{coop.id}-{year}-suk-{member.id}",
                           acting_user=actor, today=today, note="Tabungan awal")
    _gerai_sales(session, coop, year, members, actor, today)
    ledger.post_entry(session, cooperative_id=coop.id, entry_date=date(year, 9, 28),
                      description="Bayar listrik dan air gerai", lines=[("522000", D("150000"), 0),
                                                                        ("kas", 0, D("150000"))],
                      reference=f"PLN-{year}-09")
    start = ledger.financial_year_start(session, coop, year)
    closed = set(session.execute(select(Period.month).where(Period.cooperative_id == coop.id, Period.year == year,
                                                            Period.status == "closed")).scalars())
    for month in range(start.month, 13):
        if month not in closed:
            ledger.close_period(session, coop.id, year, month)
    # The year's close carries the SHU into January: if a demo closed January already (today in April or later),
    # open it for the carry and close it again, as a Sudin would.
    january_closed = ledger.period_is_closed(session, coop.id, date(year + 1, 1, 1))
    if january_closed:
        ledger.reopen_period(session, coop.id, year + 1, 1, "Data demo: pindahkan SHU tahun lalu", acting_user=actor)
    ledger.close_year(session, coop.id, year, acting_user=actor)
    if january_closed:
        ledger.close_period(session, coop.id, year + 1, 1)
    services.do_compute_worksheet(session, cooperative_id=coop.id, year=year, acting_user=_Board())
    rat = services.rat_for(session, coop.id, year)
    services.do_save_rat(session, cooperative_id=coop.id, year=year, acting_user=_Board(),
                         planned_date=date(year + 1, 3, 28), members_total=len(members),
                         attendance=len(members) * 2 // 3, decision_ref=f"01/RAT/KKMP-KJ/{year + 1}",
                         chair_name="Ahmad Suryadi", minutes_taker="Dewi Lestari")
    services.do_prepare_rapb(session, rat=rat, acting_user=_Board(), growth_percent=D("10"))


class _Board:
    """The demo's Pengurus for the SHU verbs (they check the role by name)."""

    id = None
    username = "system"

    class _R:
        name = "Pengurus"

    roles = [_R()]
