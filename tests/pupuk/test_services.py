"""Fertiliser rules at the service level: who may receive, allocations in versions, redemption at the dated HET
through stock and the ledger, never over quota, a reversal gives the quota back; Decimal throughout."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app.core.errors import DomainError, NotFound, ValidationFailed
from tests.inventory.conftest import balance, entry_lines

from .conftest import NIKS, PETUGAS, SEKRETARIS, Kiosk, fresh_coop, today_of


def test_a_need_of_200_kg_per_ha_at_an_index_of_58_percent_is_exactly_116_kg(uow, kiosk):
    farmer = kiosk.farmer()
    row = kiosk.allocate(farmer, "urea", D("200") * D("0.58"))
    assert row.kg == D("116.000")
    assert row.version_no == 1 and row.is_current


def test_a_farmer_on_more_than_two_hectares_is_refused_with_the_reason(uow, kiosk):
    with pytest.raises(ValidationFailed, match="melebihi batas 2 ha"):
        kiosk.farmer(lands={"padi": "1,5", "jagung": "0,6"})


def test_an_unknown_or_ineligible_commodity_is_refused(uow, kiosk):
    with pytest.raises(ValidationFailed, match="tidak dikenal"):
        kiosk.farmer(lands={"sawit": "1"})


def test_a_malformed_nik_is_refused_and_nothing_is_written(uow, kiosk):
    from app.pupuk.models import Farmer

    with pytest.raises(ValidationFailed, match="16"):
        kiosk.farmer(nik="35730115078000")
    assert uow.scalar(select(Farmer.id).where(Farmer.cooperative_id == kiosk.coop.id)) is None


def test_one_national_record_per_nik_another_cooperative_is_told_of_the_conflict(uow, kiosk):
    from app.pupuk import services

    kiosk.farmer()
    other = Kiosk(uow, fresh_coop(uow), stock=None)
    with pytest.raises(services.FarmerElsewhere, match="koperasi lain"):
        other.farmer()


def test_a_new_allocation_is_a_new_version_and_keeps_the_history(uow, kiosk):
    from app.pupuk.models import PupukAllocation

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    second = kiosk.allocate(farmer, "urea", "190")
    rows = uow.scalars(select(PupukAllocation).where(PupukAllocation.farmer_id == farmer.id)
                       .order_by(PupukAllocation.version_no)).all()
    assert [(r.version_no, r.kg, r.is_current) for r in rows] == [(1, D("116.000"), False), (2, D("190.000"), True)]
    assert second.version_no == 2


def test_an_allocation_cannot_drop_below_what_is_redeemed(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    kiosk.redeem(farmer, "urea", 100)
    with pytest.raises(ValidationFailed, match="tidak boleh kurang dari yang sudah ditebus"):
        kiosk.allocate(farmer, "urea", "90")
    kiosk.allocate(farmer, "urea", "100")


def test_a_redemption_is_priced_at_the_het_of_its_date_and_moves_stock_and_books(uow, kiosk):
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    day = today_of(kiosk.coop)
    het = services.het_on(uow, services.type_of(uow, "urea"), day).het_per_kg
    assert het == (D("1800") if day >= date(2025, 10, 22) else D("2250"))
    r = kiosk.redeem(farmer, "urea", 50)
    assert (r.price_per_kg, r.amount, r.total, r.remaining_kg) == (het, het * 50, het * 50, D("66.000"))
    assert balance(uow, kiosk.items["urea"], kiosk.kiosk)[0] == D("950.000")
    lines = entry_lines(uow, r.journal_entry_id)
    assert lines["111000"] == (het * 50, D(0))           # kas
    assert lines["413400"] == (D(0), het * 50)           # penjualan pupuk bersubsidi kepada non-anggota
    assert lines["513000"] == (D("75000.00"), D(0))      # HPP pupuk at the moving average 1.500
    assert lines["116000"] == (D(0), D("75000.00"))      # persediaan pupuk bersubsidi


def test_the_het_before_22_october_2025_and_from_it(uow, kiosk):
    from app.pupuk import services

    urea = services.type_of(uow, "urea")
    organik = services.type_of(uow, "organik")
    assert services.het_on(uow, urea, date(2025, 10, 21)).het_per_kg == D("2250.00")
    assert services.het_on(uow, urea, date(2025, 10, 22)).het_per_kg == D("1800.00")
    assert services.het_on(uow, organik, date(2025, 10, 22)).het_per_sack == D("25600.00")
    assert services.het_on(uow, services.type_of(uow, "NPK"), date(2025, 10, 22)).het_per_sack == D("92000.00")


def test_a_delivery_fee_is_a_separate_line_never_in_the_het_price(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "npk", "66")
    r = kiosk.redeem(farmer, "npk", 50, delivery_fee="10.000")
    assert r.delivery_fee == D("10000.00") and r.total == r.amount + D("10000")
    assert entry_lines(uow, r.journal_entry_id)["419000"] == (D(0), D("10000.00"))


@pytest.mark.parametrize("kg, message", [("2,5", "kilogram utuh"), ("-5", "lebih dari nol"), ("0", "lebih dari nol"),
                                         ("abc", "angka")])
def test_a_fractional_negative_or_zero_quantity_is_refused(uow, kiosk, kg, message):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(ValidationFailed, match=message):
        kiosk.redeem(farmer, "urea", kg)


def test_above_the_remaining_quota_is_refused_and_the_quota_is_unchanged(uow, kiosk):
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    kiosk.redeem(farmer, "urea", 100)
    with pytest.raises(ValidationFailed, match="melebihi sisa kuota.*sisa 16 kg"):
        kiosk.redeem(farmer, "urea", 17)
    year, season = services.season_of(today_of(kiosk.coop))
    assert services.remaining_of(uow, farmer.nik_hmac, services.type_of(uow, "urea").id, year, season) == D("16")


def test_above_the_stock_is_refused(uow, coop):
    kiosk = Kiosk(uow, coop, stock=D(10))
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(ValidationFailed, match="tidak cukup"):
        kiosk.redeem(farmer, "urea", 11)


def test_a_redemption_dated_on_an_approved_stock_count_of_the_kiosk_is_refused_and_takes_no_quota(uow, kiosk):
    """The kiosk's count approved two days ago fixes its stock up to that date: a redemption dated then is refused
    with the count named, the quota is untouched; one dated today goes through."""
    from app.inventory import services as inv
    from app.pupuk import services

    from .conftest import PENGURUS, same_season_back

    back = same_season_back(kiosk.coop, 2)
    if back == 0:
        pytest.skip("two days ago lies in the previous planting season")
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    count = inv.do_open_count(uow, location=kiosk.kiosk, count_date=today_of(kiosk.coop, back), acting_user=PETUGAS)
    uow.flush()
    uow.expire(count)
    inv.do_enter_counts(uow, count=count, acting_user=PETUGAS,
                        counts={line.id: str(line.book_quantity) for line in count.lines})
    inv.do_approve_count(uow, count=count, acting_user=PENGURUS)
    with pytest.raises(ValidationFailed, match="stok opname"):
        kiosk.redeem(farmer, "urea", 10, back=back)
    year, season = services.season_of(today_of(kiosk.coop))
    urea = services.type_of(uow, "urea").id
    assert services.remaining_of(uow, farmer.nik_hmac, urea, year, season) == D("116")
    assert kiosk.redeem(farmer, "urea", 10).remaining_kg == D("106")


def test_a_date_outside_the_allocation_season_is_refused(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(ValidationFailed, match="tidak punya alokasi"):
        kiosk.redeem(farmer, "za", 10)


def test_a_nik_not_the_farmers_is_refused(uow, kiosk):
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.farmer(nik=NIKS[1], name="Sulastri")
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(ValidationFailed, match="bukan NIK petani ini"):
        services.do_redeem(uow, location=kiosk.kiosk, farmer_id=farmer.id, nik=NIKS[1], pupuk_type="urea", kg=10,
                           idempotency_key="x1", acting_user=PETUGAS)
    with pytest.raises(NotFound, match="tidak terdaftar"):
        services.do_redeem(uow, location=kiosk.kiosk, nik=NIKS[2], pupuk_type="urea", kg=10,
                           idempotency_key="x2", acting_user=PETUGAS)


def test_a_proxy_redemption_records_the_proxys_nik_masked_and_the_relation(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(ValidationFailed, match="hubungan"):
        kiosk.redeem(farmer, "urea", 10, proxy_nik=NIKS[3])
    r = kiosk.redeem(farmer, "urea", 10, proxy_nik=NIKS[3], proxy_relation="anak", proxy_name="Budi")
    assert r.nik == NIKS[3] and r.proxy_nik_masked.endswith("0006") and r.proxy_relation == "anak"


def test_a_reversal_gives_the_quota_and_the_stock_back_once(uow, kiosk):
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 100)
    services.do_reverse_redemption(uow, redemption=r, reason="salah ketik jumlah", acting_user=SEKRETARIS)
    year, season = services.season_of(today_of(kiosk.coop))
    assert services.remaining_of(uow, farmer.nik_hmac, services.type_of(uow, "urea").id, year, season) == D("116")
    assert balance(uow, kiosk.items["urea"], kiosk.kiosk)[0] == D("1000.000")
    with pytest.raises(services.AlreadyReversed):
        services.do_reverse_redemption(uow, redemption=r, reason="sekali lagi", acting_user=SEKRETARIS)
    with pytest.raises(DomainError):
        services.do_reverse_redemption(uow, redemption=r, reason="petugas mencoba", acting_user=PETUGAS)


def test_a_replayed_key_returns_the_first_redemption(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    first = kiosk.redeem(farmer, "urea", 10, key="sama")
    assert kiosk.redeem(farmer, "urea", 10, key="sama").id == first.id


def test_a_cooperative_without_an_operating_pupuk_unit_cannot_redeem(uow, kiosk):
    from app.cooperatives.models import BusinessUnit

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    unit = uow.scalar(select(BusinessUnit).where(BusinessUnit.cooperative_id == kiosk.coop.id,
                                                 BusinessUnit.kind == "pupuk"))
    unit.status = "berhenti"
    with pytest.raises(DomainError, match="titik serah pupuk"):
        kiosk.redeem(farmer, "urea", 10)


def test_another_cooperatives_kiosk_redeems_against_the_same_national_quota(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    other = Kiosk(uow, fresh_coop(uow))
    kiosk.redeem(farmer, "urea", 100)
    with pytest.raises(ValidationFailed, match="sisa 16 kg"):
        other.redeem(farmer, "urea", 20)
    assert other.redeem(farmer, "urea", 16).remaining_kg == D("0")


def test_a_subsidised_item_is_not_sold_at_the_ordinary_counter(uow, kiosk):
    from app.inventory import services as inv

    with pytest.raises(ValidationFailed, match="pupuk bersubsidi"):
        inv.do_sell(uow, location=kiosk.kiosk, lines=[{"item_id": kiosk.items["urea"].id, "quantity": 1}],
                    paid=100000, idempotency_key="c1", acting_user=PETUGAS)


def test_a_het_change_never_reprices_a_past_redemption(uow, kiosk):
    """A new HET row in force from yesterday prices the redemptions from then on; one already made keeps the price,
    amount and journal it was made with."""
    from datetime import timedelta

    from app.pupuk.models import PupukHet, PupukRedemption

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    day = today_of(kiosk.coop)
    first = kiosk.redeem(farmer, "urea", 10)
    old_price, old_total = first.price_per_kg, first.total
    uow.add(PupukHet(pupuk_type_id=services_type(uow).id, valid_from=day - timedelta(days=1),
                     het_per_kg=D("1950"), legal_basis="uji"))
    uow.flush()
    second = kiosk.redeem(farmer, "urea", 10)
    assert second.price_per_kg == D("1950") and second.total == D("19500")
    uow.expire_all()
    again = uow.get(PupukRedemption, first.id)
    assert (again.price_per_kg, again.total) == (old_price, old_total) != (D("1950"), D("19500"))


def services_type(uow):
    from app.pupuk import services

    return services.type_of(uow, "urea")


def test_the_monthly_distributor_report_balances_stock_and_counts_the_farmers_served(uow, kiosk):
    from app.pupuk.reports_monthly import monthly_distributor_report

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    day = today_of(kiosk.coop)
    kiosk.redeem(farmer, "urea", 50)
    kiosk.redeem(farmer, "urea", 6)
    report = monthly_distributor_report(uow, kiosk.coop.id, day.year, day.month)
    urea = next(r for r in report["rows"] if r["pupuk_type"].lower().startswith("urea"))
    assert urea["redeemed_kg"] == D("56.000")
    assert urea["closing_kg"] == balance(uow, kiosk.items["urea"], kiosk.kiosk)[0] == D("944.000")
    # The 1,000 kg came 30 days ago: this month's receipt, or last month's closing stock.
    came = today_of(kiosk.coop, 30)
    this_month = (came.year, came.month) == (day.year, day.month)
    assert (urea["opening_kg"], urea["received_kg"], urea["other_kg"]) == (
        (D(0), D(1000), D(0)) if this_month else (D(1000), D(0), D(0)))
    assert report["farmers_served"] == 1
