"""The stock rules below the counter (app/inventory/services/stock.py), stated as what a clerk sees: the stock of one
item at one place is its own, the day a backdated issue would go negative is named, what a cooperative's stock is
worth counts its own shelves only, and batches leave first expiry first, to the unit."""
from decimal import Decimal as D

import pytest

from app.inventory import services
from app.inventory.models import Location
from app.inventory.services import stock

from .conftest import PETUGAS, Shop, balance, fresh_coop, today_of


def _place(session, coop, name, kind="gudang"):
    row = Location(cooperative_id=coop.id, name=name, kind=kind)
    session.add(row)
    session.flush()
    return row


def _receive(shop, location, item, qty, cost, back, batch=None, expiry=None):
    from app.inventory.models import Supplier
    from sqlalchemy import select

    supplier = shop.session.scalar(select(Supplier).where(Supplier.cooperative_id == shop.coop.id))
    if supplier is None:
        supplier = Supplier(cooperative_id=shop.coop.id, name="Agen uji", kind="distributor")
        shop.session.add(supplier)
        shop.session.flush()
    line = {"item_id": item.id, "quantity": qty, "unit_cost": cost}
    if batch:
        line.update(batch=batch, expiry=expiry)
    return services.do_receive_goods(shop.session, location=location, supplier=supplier, payment="kredit",
                                     lines=[line], receipt_date=today_of(shop.coop, back),
                                     idempotency_key=f"sr-{item.id}-{location.id}-{qty}-{back}-{batch}",
                                     acting_user=PETUGAS)


def test_the_stock_of_one_item_at_one_place_is_its_own(uow, shop):
    """5 bags of beras at the gerai; sugar (a later item) and beras in the warehouse (a later place) are plenty:
    a 6th bag of beras cannot be sold at the gerai, on any date, and the gerai's 5 count from the day they came."""
    beras = shop.item("Beras", 14000, 15000)
    gula = shop.item("Gula", 5000, 5500)
    gudang = _place(uow, shop.coop, "Gudang uji")
    _receive(shop, shop.gerai, beras, 5, 10000, back=5)
    _receive(shop, shop.gerai, gula, 100, 4000, back=6)
    _receive(shop, gudang, beras, 100, 10000, back=6)
    came = today_of(shop.coop, 5)
    assert stock.lowest_from(uow, beras.id, shop.gerai.id, came) == (D(5), came)
    assert stock.lowest_from(uow, gula.id, shop.gerai.id, came)[0] == D(100)
    # Later movements of the other item and the other place do not lower the gerai's beras either.
    shop.sell([(gula, 90)], paid=D(500000), back=1)
    services.do_sell(uow, location=gudang, member=None, lines=[{"item_id": beras.id, "quantity": 95}],
                     paid=D(1500000), sale_date=today_of(shop.coop, 1), idempotency_key="sr-gudang",
                     acting_user=PETUGAS)
    assert stock.lowest_from(uow, beras.id, shop.gerai.id, came) == (D(5), came)
    with pytest.raises(services.StockShortage) as refused:
        shop.sell([(beras, 6)], paid=D(90000))
    assert "tersedia 5 " in str(refused.value)
    shop.sell([(beras, 5)], paid=D(75000), back=3)
    assert balance(uow, beras, shop.gerai)[0] == D("0.000")
    assert balance(uow, beras, gudang)[0] == D("5.000")
    # Looked at from the later item and the later place, the earlier ones do not count either.
    assert stock.lowest_from(uow, gula.id, shop.gerai.id, came) == (D(10), today_of(shop.coop, 1))
    assert stock.lowest_from(uow, beras.id, gudang.id, came) == (D(5), today_of(shop.coop, 1))


def test_a_backdated_issue_names_the_first_day_the_stock_would_go_short(uow, shop):
    """5 in (day -5), 2 out (day -3), 2 in (day -2), 2 out (day -1): from day -4 the lowest is 3, first reached on
    day -3 (not day -1, when it is 3 again); the day's own movements count once."""
    minyak = shop.item("Minyak", 14500, 15700)
    _receive(shop, shop.gerai, minyak, 5, 14000, back=5)
    shop.sell([(minyak, 2)], paid=D(40000), back=3)
    _receive(shop, shop.gerai, minyak, 2, 14000, back=2)
    shop.sell([(minyak, 2)], paid=D(40000), back=1)
    assert stock.lowest_from(uow, minyak.id, shop.gerai.id, today_of(shop.coop, 4)) == (D(3), today_of(shop.coop, 3))
    assert stock.lowest_from(uow, minyak.id, shop.gerai.id, today_of(shop.coop, 3)) == (D(3), today_of(shop.coop, 3))
    with pytest.raises(services.StockShortage) as refused:
        shop.sell([(minyak, 4)], paid=D(80000), back=4)
    text = str(refused.value)
    assert "akan minus pada " + today_of(shop.coop, 3).strftime("%d/%m/%Y") in text and "tersedia 3 " in text


def test_a_backdated_issue_before_a_sell_out_says_nothing_is_left_that_day(uow, shop):
    """2 in (day -5), both sold on day -2: one more dated day -4 would leave -1 on day -2, where 0 are left."""
    roti = shop.item("Roti", 5000, 6000)
    _receive(shop, shop.gerai, roti, 2, 4000, back=5)
    shop.sell([(roti, 2)], paid=D(12000), back=2)
    with pytest.raises(services.StockShortage) as refused:
        shop.sell([(roti, 1)], paid=D(6000), back=4)
    assert ("akan minus pada " + today_of(shop.coop, 2).strftime("%d/%m/%Y") + " (tersedia 0 pcs") in str(refused.value)


def test_an_empty_shelf_says_nothing_is_there(uow, shop):
    """Nothing received: the refusal says 0 are available on that day (never 1, never a negative number)."""
    teh = shop.item("Teh", 3000, 3500)
    with pytest.raises(services.StockShortage) as refused:
        shop.sell([(teh, 1)], paid=D(3500))
    assert "tersedia 0 pcs pada " + today_of(shop.coop).strftime("%d/%m/%Y") in str(refused.value)
    assert stock.lowest_from(uow, teh.id, shop.gerai.id, today_of(shop.coop)) == (D(0), today_of(shop.coop))


def test_the_guard_below_the_counter_refuses_an_issue_larger_than_the_stock(uow, shop):
    """Even a caller that skips the counter's checks cannot take out more than is there."""
    kopi = shop.item("Kopi", 2000, 2500)
    _receive(shop, shop.gerai, kopi, 2, 1500, back=1)
    with pytest.raises(services.StockShortage):
        stock.move(uow, coop=shop.coop, item=kopi, location=shop.gerai, day=today_of(shop.coop), kind="penjualan",
                   quantity_out=D(3))
    assert balance(uow, kopi, shop.gerai)[0] == D("2.000")


def test_selling_out_clears_the_average_and_one_left_keeps_it(uow, shop):
    """3 at Rp1.000: selling 2 leaves 1 at an average of Rp1.000; selling that one leaves nothing, average 0."""
    sabun = shop.item("Sabun", 1500, 2000)
    _receive(shop, shop.gerai, sabun, 3, 1000, back=2)
    shop.sell([(sabun, 2)], paid=D(4000))
    assert balance(uow, sabun, shop.gerai) == (D("1.000"), D("1000.00"), D("1000.0000"))
    shop.sell([(sabun, 1)], paid=D(2000))
    assert balance(uow, sabun, shop.gerai) == (D("0.000"), D("0.00"), D("0.0000"))


def test_what_the_stock_is_worth_counts_the_cooperatives_own_shelves_only(uow, shop):
    """Two cooperatives with stock (and the demo ones beside them): each one's worth is its own balances."""
    beras = shop.item("Beras", 14000, 15000)
    _receive(shop, shop.gerai, beras, 4, 10000, back=1)
    other = Shop(uow, fresh_coop(uow))
    gula = other.item("Gula", 5000, 5500)
    _receive(other, other.gerai, gula, 3, 4000, back=1)
    assert stock.stock_value_of(uow, shop.coop.id) == D("40000.00")
    assert stock.stock_value_of(uow, other.coop.id) == D("12000.00")
    empty = fresh_coop(uow)
    assert stock.stock_value_of(uow, empty.id) == D("0.00")


def test_batches_leave_first_expiry_first_to_the_unit(uow, shop):
    """Batches of 2 (expiring in 10 days), 1 (in 20) and 5 (in 90), and one expiring today (still sellable today):
    a sale of 4 takes today's 1, the 2 and the 1, nothing of the last; a batch with one unit left is still listed."""
    susu = shop.item("Susu UHT", 6000, 6500)
    susu.tracks_batch = True
    uow.flush()
    gudang = _place(uow, shop.coop, "Gudang uji")
    _receive(shop, shop.gerai, susu, 1, 5000, back=3, batch="HARIINI", expiry=today_of(shop.coop))
    _receive(shop, shop.gerai, susu, 2, 5000, back=3, batch="AWAL", expiry=today_of(shop.coop, -10))
    _receive(shop, shop.gerai, susu, 1, 5000, back=3, batch="TENGAH", expiry=today_of(shop.coop, -20))
    _receive(shop, shop.gerai, susu, 5, 5000, back=3, batch="AKHIR", expiry=today_of(shop.coop, -90))
    _receive(shop, gudang, susu, 7, 5000, back=3, batch="GUDANG", expiry=today_of(shop.coop, -1))
    assert [(b, q) for b, _e, q in stock.batches_on_hand(uow, susu.id, gudang.id)] == [("GUDANG", D(7))]
    on_hand = [(b, q) for b, _e, q in stock.batches_on_hand(uow, susu.id, shop.gerai.id)]
    assert on_hand == [("HARIINI", D(1)), ("AWAL", D(2)), ("TENGAH", D(1)), ("AKHIR", D(5))]
    taken = [(b, q) for b, _e, q in stock.first_expiry_first_out(uow, susu, shop.gerai, today_of(shop.coop), D(4))]
    assert taken == [("HARIINI", D(1)), ("AWAL", D(2)), ("TENGAH", D(1))]
    everything = stock.first_expiry_first_out(uow, susu, shop.gerai, today_of(shop.coop), D(9))
    assert sum(q for _b, _e, q in everything) == D(9)
    with pytest.raises(services.StockShortage):
        stock.first_expiry_first_out(uow, susu, shop.gerai, today_of(shop.coop), D(10))


def test_a_voided_sale_shows_each_unit_back_at_the_cost_it_left_with(uow, shop):
    """3 sold from 10 at an average of Rp11.500, then voided: the stock card's return line says 3 at Rp11.500 a
    unit (Rp34.500), and the average stays Rp11.500."""
    from sqlalchemy import select

    from app.inventory.models import StockMovement

    from .test_services import PENGURUS_OR_ADMIN

    beras = shop.item("Beras", 14000, 15000)
    _receive(shop, shop.gerai, beras, 5, 10000, back=3)
    _receive(shop, shop.gerai, beras, 5, 13000, back=2)
    sale = shop.sell([(beras, 3)], paid=D(45000))
    services.do_void_sale(uow, sale=sale, reason="Pembeli batal", acting_user=PENGURUS_OR_ADMIN)
    uow.flush()
    back = uow.scalars(select(StockMovement).where(StockMovement.item_id == beras.id, StockMovement.quantity_in > 0)
                       .order_by(StockMovement.id.desc())).first()
    assert (back.quantity_in, back.value, back.unit_cost) == (D("3.000"), D("34500.00"), D("11500.0000"))
    assert balance(uow, beras, shop.gerai) == (D("10.000"), D("115000.00"), D("11500.0000"))


def test_a_sale_across_batches_costs_in_the_journal_what_leaves_the_stock_card(uow, shop):
    """1 unit of batch A at Rp1.000 and 2 of batch B at Rp1.001 (average Rp1.000,6667): a sale of 2 takes one of
    each, Rp1.000,67 apiece on the stock card, and credits persediaan Rp2.001,34, the same sum; the unit left is worth
    the Rp1.000,66 that remains. Selling it empties the stock to the cent."""
    from sqlalchemy import select

    from app.inventory.models import StockMovement
    from app.ledger.models import Account, JournalLine

    obat = shop.item("Obat batuk", 1500, 2000)
    obat.tracks_batch = True
    uow.flush()
    _receive(shop, shop.gerai, obat, 1, 1000, back=3, batch="A", expiry=today_of(shop.coop, -10))
    _receive(shop, shop.gerai, obat, 2, 1001, back=3, batch="B", expiry=today_of(shop.coop, -20))
    held = stock.lock_balance(uow, shop.coop.id, obat.id, shop.gerai.id)
    assert stock.issue_values(held, [D(1), D(1)]) == [D("1000.67"), D("1000.67")]
    assert stock.issue_values(held, [D(1), D(2)]) == [D("1000.67"), D("2001.33")]  # the last takes what is left
    sale = shop.sell([(obat, 2)], paid=D(4000))
    uow.flush()
    out = uow.execute(select(StockMovement.batch, StockMovement.value).where(
        StockMovement.source_type == "inv_sale", StockMovement.source_id == sale.id)
        .order_by(StockMovement.id)).all()
    assert [(b, v) for b, v in out] == [("A", D("1000.67")), ("B", D("1000.67"))]
    credited = uow.scalar(select(JournalLine.credit).join(Account, Account.id == JournalLine.account_id).where(
        JournalLine.entry_id == sale.journal_entry_id, Account.code.like("1%"), JournalLine.credit > 0))
    assert credited == D("2001.34")
    assert balance(uow, obat, shop.gerai) == (D("1.000"), D("1000.66"), D("1000.6667"))
    shop.sell([(obat, 1)], paid=D(2000))
    assert balance(uow, obat, shop.gerai) == (D("0.000"), D("0.00"), D("0.0000"))


def _approved_count(session, location, back):
    """A count of ``location`` dated ``back`` days ago, counted as the books say and approved by the Pengurus."""
    from .conftest import PENGURUS

    count = services.do_open_count(session, location=location, count_date=today_of(location.cooperative, back),
                                   acting_user=PETUGAS)
    session.flush()
    session.expire(count)
    services.do_enter_counts(session, count=count, acting_user=PETUGAS,
                             counts={line.id: str(line.book_quantity) for line in count.lines})
    services.do_approve_count(session, count=count, acting_user=PENGURUS)
    assert count.status == "disetujui"
    return count


def test_a_count_fixes_the_past_of_its_own_location_only_and_only_once_approved(uow, shop):
    """Three places (the gerai, a warehouse, a second warehouse made after it), beras at each since day -6. Counts
    approved on day -2 at the gerai and at the second warehouse, and a count of the warehouse still awaiting
    approval: the warehouse's past is not fixed, so a receipt dated day -3 and a sale dated day -1 go through
    there, while the gerai refuses a sale dated day -3."""
    from sqlalchemy import func, select

    from app.core.errors import ValidationFailed
    from app.inventory.models import StockCount

    beras = shop.item("Beras", 14000, 15000)
    gudang = _place(uow, shop.coop, "Gudang uji")
    gudang2 = _place(uow, shop.coop, "Gudang kedua")
    assert shop.gerai.id < gudang.id < gudang2.id
    for place in (shop.gerai, gudang, gudang2):
        _receive(shop, place, beras, 10, 10000, back=6)
    _approved_count(uow, shop.gerai, back=2)
    _approved_count(uow, gudang2, back=2)
    waiting = services.do_open_count(uow, location=gudang, count_date=today_of(shop.coop, 1), acting_user=PETUGAS)
    uow.flush()
    uow.expire(waiting)
    services.do_enter_counts(uow, count=waiting, acting_user=PETUGAS, counts={l.id: "10" for l in waiting.lines})
    assert waiting.status == "dihitung"  # counted, not approved
    # Whatever other cooperatives have counted, the warehouse has no approved count of its own.
    assert uow.scalar(select(func.count(StockCount.id)).where(StockCount.status == "disetujui")) >= 2
    assert services.fixed_until(uow, gudang.id) is None
    assert services.fixed_until(uow, shop.gerai.id) == today_of(shop.coop, 2)
    assert services.fixed_until(uow, gudang2.id) == today_of(shop.coop, 2)

    _receive(shop, gudang, beras, 4, 10000, back=3)
    services.do_sell(uow, location=gudang, member=None, lines=[{"item_id": beras.id, "quantity": 3}],
                     paid=D(45000), sale_date=today_of(shop.coop, 1), idempotency_key="sr-fixed-gudang",
                     acting_user=PETUGAS)
    assert balance(uow, beras, gudang)[0] == D("11.000")
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(beras, 1)], paid=D(15000), back=3)
    assert "stok opname" in str(refused.value)
    assert balance(uow, beras, shop.gerai)[0] == D("10.000")


def test_a_count_surplus_comes_in_at_the_average_cost_times_the_units_found(uow, shop):
    """3 bags of gula at Rp1.250 on the books, 6 counted: the 3 found come in at Rp1.250 each, Rp3.750 in all, and
    the journal posts the same Rp3.750 to persediaan."""
    from .conftest import PENGURUS, entry_lines

    gula = shop.item("Gula", 1500, 1600)
    _receive(shop, shop.gerai, gula, 3, 1250, back=4)
    count = services.do_open_count(uow, location=shop.gerai, count_date=today_of(shop.coop, 1), acting_user=PETUGAS)
    uow.flush()
    uow.expire(count)
    line = count.lines[0]
    services.do_enter_counts(uow, count=count, acting_user=PETUGAS, counts={line.id: "6"})
    services.do_enter_counts(uow, count=count, acting_user=PETUGAS, second=True, counts={line.id: "6"})
    services.do_approve_count(uow, count=count, acting_user=PENGURUS)
    assert (line.difference, line.value) == (D("3.000"), D("3750.00"))
    assert balance(uow, gula, shop.gerai) == (D("6.000"), D("7500.00"), D("1250.0000"))
    assert entry_lines(uow, count.journal_entry_id) == {"114000": (D("3750.00"), 0), "419000": (0, D("3750.00"))}


def test_a_voided_sale_gives_back_its_unit_cost_to_the_sen(uow, shop):
    """3 at Rp1.000 and 1 at Rp1.001 (average Rp1.000,25): one sold and voided comes back on the stock card as 1
    unit at Rp1.000,25, not rounded down to whole rupiah."""
    from sqlalchemy import select

    from app.inventory.models import StockMovement

    from .test_services import PENGURUS_OR_ADMIN

    kopi = shop.item("Kopi", 1500, 2000)
    _receive(shop, shop.gerai, kopi, 3, 1000, back=3)
    _receive(shop, shop.gerai, kopi, 1, 1001, back=3)
    assert balance(uow, kopi, shop.gerai) == (D("4.000"), D("4001.00"), D("1000.2500"))
    sale = shop.sell([(kopi, 1)], paid=D(2000))
    services.do_void_sale(uow, sale=sale, reason="Pembeli batal", acting_user=PENGURUS_OR_ADMIN)
    uow.flush()
    back = uow.scalars(select(StockMovement).where(StockMovement.source_type == "inv_sale_void",
                                                   StockMovement.source_id == sale.id)).one()
    assert (back.quantity_in, back.value, back.unit_cost) == (D("1.000"), D("1000.25"), D("1000.2500"))
    assert balance(uow, kopi, shop.gerai) == (D("4.000"), D("4001.00"), D("1000.2500"))


def test_batches_of_another_item_are_not_offered_for_first_expiry_first_out(uow, shop):
    """Milk made before the yoghurt and cheese made after it, each with batches on the gerai's shelf that expire
    sooner than the yoghurt's: the yoghurt's batches are its own, and a sale of yoghurt takes yoghurt batches."""
    from sqlalchemy import select

    from app.inventory.models import StockMovement

    susu = shop.item("Susu", 6000, 6500)
    yogurt = shop.item("Yoghurt", 8000, 8500)
    keju = shop.item("Keju", 20000, 21000)
    assert susu.id < yogurt.id < keju.id
    for item in (susu, yogurt, keju):
        item.tracks_batch = True
    uow.flush()
    _receive(shop, shop.gerai, susu, 4, 5000, back=3, batch="SUSU1", expiry=today_of(shop.coop, -5))
    _receive(shop, shop.gerai, keju, 4, 18000, back=3, batch="KEJU1", expiry=today_of(shop.coop, -6))
    _receive(shop, shop.gerai, yogurt, 2, 7000, back=3, batch="YOG1", expiry=today_of(shop.coop, -30))
    _receive(shop, shop.gerai, yogurt, 3, 7000, back=3, batch="YOG2", expiry=today_of(shop.coop, -40))
    assert [(b, q) for b, _e, q in stock.batches_on_hand(uow, yogurt.id, shop.gerai.id)] == [
        ("YOG1", D(2)), ("YOG2", D(3))]
    assert [(b, q) for b, _e, q in stock.first_expiry_first_out(uow, yogurt, shop.gerai, today_of(shop.coop),
                                                                 D(3))] == [("YOG1", D(2)), ("YOG2", D(1))]
    with pytest.raises(services.StockShortage) as refused:
        stock.first_expiry_first_out(uow, yogurt, shop.gerai, today_of(shop.coop), D(6))
    assert "tinggal 5 pcs" in str(refused.value)
    sale = shop.sell([(yogurt, 3)], paid=D(25500))
    uow.flush()
    taken = uow.execute(select(StockMovement.item_id, StockMovement.batch, StockMovement.quantity_out).where(
        StockMovement.source_type == "inv_sale", StockMovement.source_id == sale.id)
        .order_by(StockMovement.id)).all()
    assert [tuple(row) for row in taken] == [(yogurt.id, "YOG1", D("2.000")), (yogurt.id, "YOG2", D("1.000"))]
    assert [(b, q) for b, _e, q in stock.batches_on_hand(uow, susu.id, shop.gerai.id)] == [("SUSU1", D(4))]
    assert [(b, q) for b, _e, q in stock.batches_on_hand(uow, keju.id, shop.gerai.id)] == [("KEJU1", D(4))]


@pytest.mark.parametrize("later", [False, True])
def test_the_shortage_message_never_shows_a_negative_stock(uow, shop, later):
    """Books that already stand below zero (written before the guard, or by a caller that skipped it) are shown as
    nothing available, on the day of the issue or on the later day it would go short, never as a minus."""
    garam = shop.item("Garam", 3000, 3500)
    day = today_of(shop.coop, 3)
    short_on = today_of(shop.coop, 1) if later else day
    with pytest.raises(services.StockShortage) as refused:
        stock.check_available(uow, garam, shop.gerai, day, D(1), lowest=(D(-2), short_on))
    text = str(refused.value)
    assert "-" not in text.split("tersedia ")[1].split(" ")[0]
    assert ("(tersedia 0 pcs saat itu)" if later else "tersedia 0 pcs pada ") in text
