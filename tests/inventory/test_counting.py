"""Stok opname, supplier payments, transfers and the SHU jasa usaha basis, from the user's side (issue 15 §2, §6,
§7, §8)."""
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError, ValidationFailed
from app.inventory import services
from app.inventory.models import Location, StockMovement

from .conftest import PENGURUS, PETUGAS, balance, entry_lines, make_member, today_of


def _lines(count):
    return {line.item.name: line for line in count.lines}


def _count(uow, shop, back=0):
    count = services.do_open_count(uow, location=shop.gerai, count_date=today_of(shop.coop, back),
                                   acting_user=PETUGAS)
    uow.flush()
    uow.expire(count)
    return count


def test_a_count_posts_its_shortage_and_surplus_at_cost_only_when_the_pengurus_approves(uow, shop):
    """Books: 20 beras at Rp11.500 and 10 gula at Rp4.000. Counted 18 beras (after a second count) and 11 gula:
    the Petugas cannot approve; the Pengurus's approval moves -2 beras (Rp23.000) and +1 gula (Rp4.000) and posts
    Dr beban lain-lain / Cr persediaan Rp23.000 and Dr persediaan / Cr pendapatan lain-lain Rp4.000."""
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    gula = shop.item("Gula", 5000, 5500)
    shop.receive(beras, 10, 10000, back=3)
    shop.receive(beras, 10, 13000, back=3)
    shop.receive(gula, 10, 4000, back=3)
    count = _count(uow, shop, back=1)
    lines = _lines(count)
    assert (lines["Beras"].book_quantity, lines["Gula"].book_quantity) == (D("20.000"), D("10.000"))

    services.do_enter_counts(uow, count=count, acting_user=PETUGAS,
                             counts={lines["Beras"].id: "17", lines["Gula"].id: "11"})
    assert count.status == "dibuka"  # both differ from the books: a second count is asked for
    assert lines["Beras"].needs_second and lines["Beras"].counted is None
    services.do_enter_counts(uow, count=count, acting_user=PETUGAS, second=True,
                             counts={lines["Beras"].id: "18", lines["Gula"].id: "11"})
    assert count.status == "dihitung"
    assert (lines["Beras"].counted, lines["Gula"].counted) == (D("18.000"), D("11.000"))

    with pytest.raises(DomainError):
        services.do_approve_count(uow, count=count, acting_user=PETUGAS)
    assert balance(uow, beras, shop.gerai)[0] == D("20.000")  # nothing posted before the approval

    services.do_approve_count(uow, count=count, acting_user=PENGURUS)
    assert count.status == "disetujui"
    assert balance(uow, beras, shop.gerai)[:2] == (D("18.000"), D("207000.00"))
    assert balance(uow, gula, shop.gerai)[:2] == (D("11.000"), D("44000.00"))
    assert (lines["Beras"].difference, lines["Beras"].value) == (D("-2.000"), D("-23000.00"))
    assert (lines["Gula"].difference, lines["Gula"].value) == (D("1.000"), D("4000.00"))
    assert entry_lines(uow, count.journal_entry_id) == {
        "529000": (D("23000.00"), 0), "114000": (D("4000.00"), D("23000.00")), "419000": (0, D("4000.00"))}


def test_an_approved_count_fixes_the_quantity_at_its_date(uow, shop):
    """After a count approved two days ago, a sale or a receipt dated on or before it is refused; today's sale
    goes through."""
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=5)
    count = _count(uow, shop, back=2)
    services.do_enter_counts(uow, count=count, acting_user=PETUGAS, counts={l.id: "10" for l in count.lines})
    services.do_approve_count(uow, count=count, acting_user=PENGURUS)
    assert count.journal_entry_id is None  # no difference, no journal
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(beras, 1)], paid=D(15000), back=2)
    assert "stok opname" in str(refused.value)
    # An item that never moved at the gerai is refused for the count too, not for want of stock: the count's date
    # is read whatever the movements are.
    gula = shop.item("Gula", 16000, 17000, unit="bungkus")
    with pytest.raises(ValidationFailed) as refused:
        shop.sell([(gula, 1)], paid=D(17000), back=2)
    assert "stok opname" in str(refused.value)
    with pytest.raises(ValidationFailed):
        shop.receive(beras, 1, 10000, back=3)
    assert shop.sell([(beras, 1)], paid=D(15000)).total == D("15000.00")


def test_bad_counts_are_refused_with_a_clear_message_and_nothing_changes(uow, shop):
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=5)
    count = _count(uow, shop, back=1)
    line = count.lines[0]
    for bad, words in (("-1", "negatif"), ("1,5", "bilangan bulat"), ("abc", "angka")):
        with pytest.raises(ValidationFailed) as refused:
            services.do_enter_counts(uow, count=count, acting_user=PETUGAS, counts={line.id: bad})
        assert words in str(refused.value)
    with pytest.raises(ValidationFailed):  # the first count agrees: no second count
        services.do_enter_counts(uow, count=count, acting_user=PETUGAS, counts={line.id: "10"})
        services.do_enter_counts(uow, count=count, acting_user=PETUGAS, counts={line.id: "9"}, second=True)
    with pytest.raises(ValidationFailed):  # one open count per location
        services.do_open_count(uow, location=shop.gerai, count_date=today_of(shop.coop), acting_user=PETUGAS)
    with pytest.raises(DomainError):  # counted but not all lines settled yet is not approvable
        services.do_enter_counts(uow, count=count, acting_user=PETUGAS, counts={line.id: "8"})
        services.do_approve_count(uow, count=count, acting_user=PENGURUS)


def test_a_credit_receipt_is_paid_later_and_never_more_than_is_owed(uow, shop):
    """Rp100.000 bought on credit, Rp60.000 paid by transfer: Dr utang usaha / Cr bank; then at most Rp40.000."""
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    receipt = shop.receive(beras, 10, 10000, back=3)
    shop.sell([(beras, 5)], paid=D(75000), payment_method="qris")  # Rp75.000 in the bank
    payment = services.do_pay_supplier(uow, receipt=receipt, amount="60.000", payment_date=today_of(shop.coop),
                                       method="transfer", idempotency_key="bayar-1", acting_user=PENGURUS)
    assert entry_lines(uow, payment.journal_entry_id) == {"212000": (D("60000.00"), 0), "112000": (0, D("60000.00"))}
    assert services.outstanding(uow, receipt) == D("40000.00")
    again = services.do_pay_supplier(uow, receipt=receipt, amount="60.000", payment_date=today_of(shop.coop),
                                     idempotency_key="bayar-1", acting_user=PENGURUS)
    assert again.id == payment.id
    with pytest.raises(ValidationFailed) as refused:
        services.do_pay_supplier(uow, receipt=receipt, amount="40.001", payment_date=today_of(shop.coop),
                                 idempotency_key="bayar-2", acting_user=PENGURUS)
    assert "Sisa utang" in str(refused.value)
    with pytest.raises(DomainError):
        services.do_pay_supplier(uow, receipt=receipt, amount="1.000", payment_date=today_of(shop.coop),
                                 idempotency_key="bayar-3", acting_user=PETUGAS)
    shop.sell([(beras, 1)], paid=D(15000))
    cash = shop.receive(beras, 1, 10000, payment="tunai")
    with pytest.raises(ValidationFailed):
        services.do_pay_supplier(uow, receipt=cash, amount="1.000", payment_date=today_of(shop.coop),
                                 idempotency_key="bayar-4", acting_user=PENGURUS)


def test_a_transfer_moves_stock_at_its_average_cost_without_a_journal(uow, shop):
    """20 beras worth Rp230.000 in the gudang; 5 moved to the gerai leave Rp172.500 and bring Rp57.500."""
    gudang = Location(cooperative_id=shop.coop.id, name="Gudang uji", kind="gudang")
    uow.add(gudang)
    uow.flush()
    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    gerai, shop.gerai = shop.gerai, gudang
    shop.receive(beras, 10, 10000, back=3)
    shop.receive(beras, 10, 13000, back=3)
    moved = services.do_transfer(uow, source=gudang, target=gerai, lines=[{"item_id": beras.id, "quantity": 5}],
                                 transfer_date=today_of(shop.coop, 1), acting_user=PETUGAS)
    assert balance(uow, beras, gudang)[:2] == (D("15.000"), D("172500.00"))
    assert balance(uow, beras, gerai)[:3] == (D("5.000"), D("57500.00"), D("11500.0000"))
    assert all(m.journal_entry_id is None for pair in moved for m in pair)
    with pytest.raises(services.StockShortage):
        services.do_transfer(uow, source=gerai, target=gudang, lines=[{"item_id": beras.id, "quantity": 6}],
                             transfer_date=today_of(shop.coop), acting_user=PETUGAS)
    with pytest.raises(ValidationFailed):
        services.do_transfer(uow, source=gerai, target=gerai, lines=[{"item_id": beras.id, "quantity": 1}],
                             transfer_date=today_of(shop.coop), acting_user=PETUGAS)


def test_between_cooperatives_the_sender_sells_and_the_receiver_receives_on_credit_in_its_own_books(uow, shop):
    from tests.inventory.conftest import Shop, fresh_coop

    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 10, 10000, back=3)
    kiosk = Shop(uow, fresh_coop(uow))
    beras_kiosk = kiosk.item("Beras", 16000, 17000, unit="bungkus")
    sale = shop.sell([(beras, 4)], paid=D(60000), payment_method="transfer")
    receipt = services.do_receive_from_cooperative(
        uow, location=kiosk.gerai, sender_name=shop.coop.name, sale_number=sale.number,
        lines=[{"item_id": beras_kiosk.id, "quantity": 4, "unit_cost": "15.000"}],
        receipt_date=today_of(kiosk.coop), idempotency_key="antar-1", acting_user=PETUGAS)
    assert (receipt.cooperative_id, receipt.payment, receipt.supplier.name, receipt.supplier_invoice) == \
        (kiosk.coop.id, "kredit", shop.coop.name, sale.number)
    assert balance(uow, beras_kiosk, kiosk.gerai)[:2] == (D("4.000"), D("60000.00"))
    assert balance(uow, beras, shop.gerai)[0] == D("6.000")
    assert entry_lines(uow, receipt.journal_entry_id) == {"114000": (D("60000.00"), 0), "212000": (0, D("60000.00"))}


def test_shu_jasa_usaha_follows_a_members_kiosk_purchases_without_voids_or_public_sales(uow, shop):
    from app.shu.services import member_transactions

    beras = shop.item("Beras", 14000, 15000, unit="bungkus")
    shop.receive(beras, 20, 10000, back=3)
    siti, budi = make_member(uow, shop.coop), make_member(uow, shop.coop)
    shop.sell([(beras, 2)], paid=D(28000), member=siti.id)
    shop.sell([(beras, 1)], paid=D(14000), member=siti.id)
    voided = shop.sell([(beras, 3)], paid=D(42000), member=budi.id)
    services.do_void_sale(uow, sale=voided, reason="salah input", acting_user=PENGURUS)
    shop.sell([(beras, 5)], paid=D(75000))
    today = today_of(shop.coop)
    totals, used = member_transactions(uow, shop.coop.id, today.year, today.replace(month=1, day=1),
                                       today.replace(month=12, day=31))
    assert totals == {siti.id: D("42000.00")}
    assert used == ["Penjualan gerai"]
    assert uow.scalar(select(func.count(StockMovement.id)).where(StockMovement.kind == "batal_jual",
                                                                StockMovement.item_id == beras.id)) == 1
