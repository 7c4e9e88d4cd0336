"""Inventory services from the user's side: what the stock, its value and the books say after receipts and sales."""
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.errors import NotFound, ValidationFailed
from app.inventory import services
from app.inventory.models import Sale, StockMovement

from .conftest import LURAH, PETUGAS, Shop, balance, entry_lines, fresh_coop, make_member, today_of


def test_receipts_set_the_moving_average_and_a_sale_costs_the_average(uow, shop):
    """10 bought at Rp10.000 and 10 at Rp13.000 average Rp11.500; selling 4 costs Rp46.000 (HPP), leaves 16 worth
    Rp184.000, and the journal is Dr kas / Cr penjualan non-anggota and Dr HPP / Cr persediaan."""
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    first = shop.receive(beras, 10, 10000, back=5)
    shop.receive(beras, 10, 13000, back=3)
    assert balance(uow, beras, shop.gerai) == (D("20.000"), D("230000.00"), D("11500.0000"))
    assert entry_lines(uow, first.journal_entry_id) == {"114000": (D("100000.00"), 0), "212000": (0, D("100000.00"))}

    sale = shop.sell([(beras, 4)], paid=D(100000))
    assert (sale.total, sale.paid, sale.change) == (D("60000.00"), D("100000.00"), D("40000.00"))
    assert balance(uow, beras, shop.gerai) == (D("16.000"), D("184000.00"), D("11500.0000"))
    assert entry_lines(uow, sale.journal_entry_id) == {
        "111000": (D("60000.00"), 0), "411200": (0, D("60000.00")),
        "511000": (D("46000.00"), 0), "114000": (0, D("46000.00"))}


def test_selling_the_last_unit_takes_the_whole_remaining_value_so_no_sen_stays_behind(uow, shop):
    """3 pieces worth Rp10 (average Rp3,3333) sold one by one cost Rp3,33, Rp3,33 and then the Rp3,34 left."""
    gula = shop.item("Gula", 5000, 5500)
    shop.receive(gula, 1, 4, back=2)
    shop.receive(gula, 2, 3, back=2)
    assert balance(uow, gula, shop.gerai) == (D("3.000"), D("10.00"), D("3.3333"))
    costs = [shop.sell([(gula, 1)], paid=D(5500)).lines[0].cost for _ in range(3)]
    assert costs == [D("3.33"), D("3.33"), D("3.34")]
    assert balance(uow, gula, shop.gerai)[:2] == (D("0.000"), D("0.00"))


def test_a_member_pays_the_member_price_and_the_revenue_is_booked_as_from_members(uow, shop):
    minyak = shop.item("Minyak goreng", 14500, 15700, unit="botol")
    shop.receive(minyak, 12, 14000, back=1)
    member = make_member(uow, shop.coop)
    sale = shop.sell([(minyak, 2)], paid=D(29000), member=member.id)
    assert sale.total == D("29000.00")
    assert entry_lines(uow, sale.journal_entry_id)["411100"] == (0, D("29000.00"))


def test_a_backdated_sale_is_refused_when_the_stock_would_go_negative_on_a_later_day(uow, shop):
    """5 received 10 days ago, 5 sold 2 days ago: a sale dated 6 days ago would leave -1 two days ago. Refused,
    nothing written; the present stock and every cost stay as they were."""
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 5, 10000, back=10)
    shop.sell([(beras, 5)], paid=D(75000), back=2)
    moves = uow.scalar(select(func.count(StockMovement.id)).where(StockMovement.item_id == beras.id))
    sales = uow.scalar(select(func.count(Sale.id)).where(Sale.cooperative_id == shop.coop.id))
    with pytest.raises(services.StockShortage) as refused:
        shop.sell([(beras, 1)], paid=D(15000), back=6)
    assert "akan minus pada" in str(refused.value) and today_of(shop.coop, 2).strftime("%d/%m/%Y") in str(refused.value)
    assert uow.scalar(select(func.count(StockMovement.id)).where(StockMovement.item_id == beras.id)) == moves
    assert uow.scalar(select(func.count(Sale.id)).where(Sale.cooperative_id == shop.coop.id)) == sales
    # A later receipt makes room again from its own date on, not before it.
    shop.receive(beras, 3, 12000, back=1)
    with pytest.raises(services.StockShortage):
        shop.sell([(beras, 1)], paid=D(15000), back=6)
    shop.sell([(beras, 3)], paid=D(45000))
    assert balance(uow, beras, shop.gerai)[:2] == (D("0.000"), D("0.00"))


def test_a_backdated_receipt_does_not_rewrite_the_cost_of_a_later_sale(uow, shop):
    """Costs follow posting order: the cost of a sale already posted never changes."""
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=5)
    sale = shop.sell([(beras, 5)], paid=D(75000), back=1)
    shop.receive(beras, 5, 16000, back=4)
    assert sale.lines[0].cost == D("50000.00")
    assert balance(uow, beras, shop.gerai) == (D("10.000"), D("130000.00"), D("13000.0000"))


def test_selling_more_than_on_hand_is_refused_with_what_is_there(uow, shop):
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 2, 10000, back=1)
    with pytest.raises(services.StockShortage) as refused:
        shop.sell([(beras, 3)], paid=D(45000))
    assert "tersedia 2 bungkus" in str(refused.value)


def test_a_price_above_the_het_in_force_is_refused_and_one_at_the_het_is_sold(uow, shop):
    minyak = shop.item("MinyaKita", 15700, 16000, unit="botol")
    shop.receive(minyak, 10, 14000, back=1)
    shop.het(minyak, 15700)
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(minyak, 1)], paid=D(16000))
    assert "melebihi HET" in str(refused.value)
    assert shop.sell([(minyak, 1)], paid=D(15700), member=make_member(uow, shop.coop).id).total == D("15700.00")


def test_a_het_that_ended_no_longer_applies_and_the_city_row_wins_over_the_province(uow, shop):
    lpg = shop.item("LPG 3 kg", 18000, 19000, unit="tabung", category="lpg_3kg")
    shop.het(lpg, 15000, valid_to=today_of(shop.coop, 20))  # ended
    shop.het(lpg, 16000, margin=3000, region=shop.coop.city_code)
    shop.het(lpg, 14000)  # the province's own row is less specific than the city's
    assert services.het_for(uow, lpg, shop.coop.region_code, today_of(shop.coop)).het == D("16000.00")
    shop.receive(lpg, 5, 15000, back=1)
    nik = shop.coop.region_code.replace(".", "")[:6] + "4508900001"
    sale = shop.sell([(lpg, 1)], paid=D(19000), buyer_nik=nik, buyer_segment="rumah_tangga")
    assert sale.total == D("19000.00") and sale.lpg_tubes == 1


def test_lpg_needs_the_buyers_nik_and_segment_and_stores_the_nik_masked_for_display(uow, shop):
    lpg = shop.item("LPG 3 kg", 18000, 18000, unit="tabung", category="lpg_3kg")
    shop.receive(lpg, 5, 15000, back=1)
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(lpg, 1)], paid=D(18000))
    assert "NIK" in str(refused.value)
    with pytest.raises(ValidationFailed):
        shop.sell([(lpg, 1)], paid=D(18000), buyer_nik="123", buyer_segment="rumah_tangga")
    nik = shop.coop.region_code.replace(".", "")[:6] + "4508900002"
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(lpg, 1)], paid=D(18000), buyer_nik=nik, buyer_segment="usaha_mikro")
    assert "NIB" in str(refused.value)
    sale = shop.sell([(lpg, 1)], paid=D(18000), buyer_nik=" ".join([nik[:6], nik[6:12], nik[12:]]),
                     buyer_segment="rumah_tangga")
    assert sale.nik == nik and sale.buyer_nik_masked.endswith("0002") and nik not in sale.buyer_nik_masked


def test_the_lpg_monthly_cap_counts_every_cooperative_and_a_void_gives_the_tubes_back(app, uow, shop,
                                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "LPG_MONTHLY_CAP", 3)
    lpg = shop.item("LPG 3 kg", 18000, 18000, unit="tabung", category="lpg_3kg")
    shop.receive(lpg, 10, 15000, back=1)
    other = Shop(uow, fresh_coop(uow))
    lpg2 = other.item("LPG 3 kg", 18000, 18000, unit="tabung", category="lpg_3kg")
    other.receive(lpg2, 10, 15000, back=1)
    nik = "3174044508900003"
    buyer = dict(buyer_nik=nik, buyer_segment="rumah_tangga")
    first = shop.sell([(lpg, 2)], paid=D(36000), **buyer)
    with pytest.raises(ValidationFailed) as refused:
        other.sell([(lpg2, 2)], paid=D(36000), **buyer)
    assert "sudah membeli 2 tabung" in str(refused.value) and "sisa 1" in str(refused.value)
    other.sell([(lpg2, 1)], paid=D(18000), **buyer)
    with pytest.raises(ValidationFailed):
        shop.sell([(lpg, 1)], paid=D(18000), **buyer)
    services.do_void_sale(uow, sale=first, reason="Salah input pembeli", acting_user=PENGURUS_OR_ADMIN)
    assert services.lpg_used(uow, first.nik_hmac, today_of(shop.coop)) == 1
    shop.sell([(lpg, 2)], paid=D(36000), **buyer)


class _Admin:
    id = None
    username = "uji.admin"
    roles = [type("R", (), {"name": "Pengurus"})()]


PENGURUS_OR_ADMIN = _Admin()


def test_replaying_an_idempotency_key_returns_the_first_sale_and_moves_stock_once(uow, shop):
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=1)
    first = shop.sell([(beras, 2)], paid=D(30000), key="sama")
    again = shop.sell([(beras, 2)], paid=D(30000), key="sama")
    assert again.id == first.id
    assert balance(uow, beras, shop.gerai)[0] == D("8.000")


def test_a_void_puts_the_goods_back_at_their_cost_and_reverses_the_journal_once(uow, shop):
    from app.ledger.models import JournalEntry

    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=3)
    sale = shop.sell([(beras, 4)], paid=D(60000), back=1)
    shop.receive(beras, 6, 13000, back=1)  # the average moved on after the sale
    voided = services.do_void_sale(uow, sale=sale, reason="Pembeli batal", acting_user=PENGURUS_OR_ADMIN)
    assert voided.voided_at is not None and voided.total == D("60000.00")  # the sale itself is unchanged
    assert balance(uow, beras, shop.gerai) == (D("16.000"), D("178000.00"), D("11125.0000"))
    reversal = uow.get(JournalEntry, voided.void_journal_entry_id)
    assert reversal.reverses_id == sale.journal_entry_id
    assert entry_lines(uow, reversal.id)["114000"] == (D("40000.00"), 0)
    with pytest.raises(services.AlreadyVoided):
        services.do_void_sale(uow, sale=sale, reason="Sekali lagi", acting_user=PENGURUS_OR_ADMIN)
    with pytest.raises(Exception):
        services.do_void_sale(uow, sale=sale, reason="Petugas mencoba", acting_user=PETUGAS)


@pytest.mark.parametrize("quantity, words", [(0, "lebih dari nol"), (-2, "lebih dari nol"),
                                             ("1,5", "bilangan bulat"), ("dua", "angka")])
def test_zero_negative_fractional_or_garbled_quantities_of_pieces_are_refused(uow, shop, quantity, words):
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=1)
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(beras, quantity)], paid=D(50000))
    assert words in str(refused.value)
    assert balance(uow, beras, shop.gerai)[0] == D("10.000")


def test_a_weighed_item_may_be_sold_in_fractions(uow, shop):
    beras = shop.item("Beras curah", 12000, 13000, unit="kg")
    shop.receive(beras, 10, 11000, back=1)
    assert shop.sell([(beras, "1,5")], paid=D(19500)).total == D("19500.00")


def test_paid_short_future_dates_closed_periods_inactive_and_foreign_items_are_refused(uow, shop):
    from app.ledger.services import close_period

    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=1)
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(beras, 2)], paid=D(29999))
    assert "Pembayaran kurang" in str(refused.value)
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(beras, 1)], paid=D(15000), back=-1)
    assert "masa depan" in str(refused.value)
    old = shop.item("Beras lama", 14000, 15000, unit="bungkus", active=False)
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(old, 1)], paid=D(15000))
    assert "tidak aktif" in str(refused.value)
    other = Shop(uow, fresh_coop(uow))
    foreign = other.item("Beras tetangga", 14000, 15000, unit="bungkus")
    with pytest.raises(NotFound):
        shop.sell([(foreign, 1)], paid=D(15000))
    day = today_of(shop.coop, 40)
    close_period(uow, shop.coop.id, day.year, day.month)
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(beras, 1)], paid=D(15000), back=40)
    assert "sudah ditutup" in str(refused.value)
    assert balance(uow, beras, shop.gerai)[0] == D("10.000")


def test_an_unknown_barcode_is_refused_and_a_known_one_finds_its_item(uow, shop):
    beras = shop.item("Beras", 14000, 15000, unit="bungkus", barcode="899000111")
    assert services.item_by_barcode(uow, shop.coop.id, "899000111").id == beras.id
    with pytest.raises(NotFound) as refused:
        services.item_by_barcode(uow, shop.coop.id, "000")
    assert "tidak dikenal" in str(refused.value)


def test_a_lurah_can_neither_sell_nor_receive(uow, shop):
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    with pytest.raises(Exception) as refused:
        services.do_receive_goods(uow, location=shop.gerai, lines=[{"item_id": beras.id, "quantity": 1,
                                                                    "unit_cost": 1000}],
                                  receipt_date=today_of(shop.coop), payment="tunai", idempotency_key="x",
                                  acting_user=LURAH)
    assert "Petugas" in str(refused.value)


def test_a_cash_purchase_cannot_overdraw_kas(uow, shop):
    """Dr persediaan / Cr kas through the one posting path: the ledger's own kas-never-negative rule holds."""
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    with pytest.raises(Exception) as refused:
        shop.receive(beras, 10, 10000, back=1, payment="tunai")
    assert "111000" in str(refused.value)


def test_reconcile_finds_the_stock_equal_to_its_movements_and_to_persediaan_and_catches_a_tampered_balance(uow,
                                                                                                      shop):
    from app.inventory.models import StockBalance
    from app.inventory.services.reconcile import reconcile

    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=3)
    sale = shop.sell([(beras, 4)], paid=D(60000), back=1)
    shop.receive(beras, 6, 13000, back=1)
    services.do_void_sale(uow, sale=sale, reason="Pembeli batal", acting_user=PENGURUS_OR_ADMIN)
    shop.sell([(beras, 5)], paid=D(75000))
    uow.flush()
    assert reconcile(uow, [shop.coop.id]) == []
    row = uow.scalar(select(StockBalance).where(StockBalance.item_id == beras.id))
    row.value += D("1.00")
    uow.flush()
    found = {what for what, *_rest in reconcile(uow, [shop.coop.id])}
    assert found == {"stock_balance", "persediaan"}


def test_a_line_may_name_its_item_by_barcode_and_an_unknown_barcode_is_refused(uow, shop):
    beras = shop.item("Beras", 14000, 15000, unit="bungkus", barcode="899000222")
    shop.receive(beras, 5, 10000, back=1)
    sale = services.do_sell(uow, location=shop.gerai, lines=[{"barcode": "899000222", "quantity": 2}],
                            paid=D(30000), idempotency_key="by-barcode", acting_user=PETUGAS)
    assert sale.total == D("30000.00")
    with pytest.raises(NotFound) as refused:
        services.do_sell(uow, location=shop.gerai, lines=[{"barcode": "123", "quantity": 1}], paid=D(15000),
                         idempotency_key="bad-barcode", acting_user=PETUGAS)
    assert "Barcode 123 tidak dikenal" in str(refused.value)


def test_a_member_of_another_cooperative_is_not_found(uow, shop):
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 5, 10000, back=1)
    stranger = make_member(uow, fresh_coop(uow))
    with pytest.raises(NotFound):
        shop.sell([(beras, 1)], paid=D(15000), member=stranger.id)


def test_batches_are_sold_first_expiry_first_out_and_an_expired_batch_never(uow, shop):
    """A tracked item: the batch expiring first goes first; an expired batch is not sold; a void puts each
    batch back; the expiry alert lists what is on hand and expires soon."""
    from app.inventory.models import Item

    susu = shop.item("Susu UHT", 6000, 6500, unit="pcs")
    susu.tracks_batch = True
    uow.flush()
    day = today_of(shop.coop)
    supplier = _supplier(uow, shop.coop)

    def receive(batch, qty, expiry):
        return services.do_receive_goods(uow, location=shop.gerai, payment="kredit", supplier=supplier,
                                         receipt_date=today_of(shop.coop, 5), acting_user=PETUGAS,
                                         lines=[{"item_id": susu.id, "quantity": qty, "unit_cost": 5000,
                                                 "batch": batch, "expiry": expiry}], idempotency_key=f"b-{batch}")
    with pytest.raises(ValidationFailed) as refused:
        receive("TANPA", 1, None)
    assert "batch" in str(refused.value)
    receive("LAMA", 3, today_of(shop.coop, 1))        # expired yesterday
    receive("AWAL", 2, today_of(shop.coop, -10))
    receive("AKHIR", 5, today_of(shop.coop, -90))
    sale = shop.sell([(susu, 4)], paid=D(26000))
    left = {b: q for b, _e, q in services.batches_on_hand(uow, susu.id, shop.gerai.id)}
    assert left == {"LAMA": D("3.000"), "AKHIR": D("3.000")}
    with pytest.raises(services.StockShortage) as refused:
        shop.sell([(susu, 4)], paid=D(26000))
    assert "belum kedaluwarsa" in str(refused.value) and "tinggal 3" in str(refused.value)
    soon = {r.batch for r in services.expiring(uow, day + timedelta(days=30)) if r.item_id == susu.id}
    assert soon == {"LAMA"}
    services.do_void_sale(uow, sale=sale, reason="Pembeli batal", acting_user=PENGURUS_OR_ADMIN)
    left = {b: q for b, _e, q in services.batches_on_hand(uow, susu.id, shop.gerai.id)}
    assert left == {"LAMA": D("3.000"), "AWAL": D("2.000"), "AKHIR": D("5.000")}
    assert uow.get(Item, susu.id).tracks_batch


def _supplier(session, coop):
    from app.inventory.models import Supplier

    row = Supplier(cooperative_id=coop.id, name="Agen susu", kind="distributor")
    session.add(row)
    session.flush()
    return row


def test_the_ledger_alone_cannot_reverse_a_sales_journal_so_stock_and_books_never_part(uow, shop):
    from app.ledger.guards import LedgerError
    from app.ledger.services import reverse_entry

    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    receipt = shop.receive(beras, 3, 10000, back=1)
    sale = shop.sell([(beras, 1)], paid=D(15000))
    for entry_id in (sale.journal_entry_id, receipt.journal_entry_id):
        with pytest.raises(LedgerError):
            reverse_entry(uow, entry_id, today_of(shop.coop), "Koreksi dari pembukuan")
