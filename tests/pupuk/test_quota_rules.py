"""The quota and redemption rules one fact at a time, as a kiosk and a secretary meet them: a redemption draws on one
quota counter only (the farmer's, of its type and of the season and year of its date) and its reversal gives back to
that counter alone; allocations are versioned per farmer, type, season and year; the limits of a kilogram or a
hectare figure; the season of every month; who may do what. Every figure worked out by hand, in Decimal."""
import itertools
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, update

from app.core.errors import DomainError, NotFound, ValidationFailed

from .conftest import NIKS, PENGURUS, PETUGAS, SEKRETARIS, Kiosk, fresh_coop, today_of


def _mt2_day(coop):
    """15 June of this year, or of last year while this year's MT II is still ahead: a day of MT II (May-August),
    so the farmer's year has an MT I before it and an MT III after it."""
    today = today_of(coop)
    day = date(today.year, 6, 15)
    return day if day <= today else date(today.year - 1, 6, 15)


def _kiosk_stocked_on(uow, coop, day, kg=D(1000), cost=D(1500)):
    """A kiosk whose 1,000 kg of every type at Rp 1.500/kg came on ``day``."""
    from app.inventory import services as inv
    from app.inventory.models import Supplier

    kiosk = Kiosk(uow, coop, stock=None)
    supplier = uow.scalar(select(Supplier).where(Supplier.cooperative_id == coop.id))
    inv.do_receive_goods(uow, location=kiosk.kiosk, supplier=supplier, payment="kredit",
                         lines=[{"item_id": i.id, "quantity": kg, "unit_cost": cost} for i in kiosk.items.values()],
                         receipt_date=day, idempotency_key=f"pupuk-mt2-{coop.id}", acting_user=PENGURUS)
    return kiosk


def _allocate(uow, farmer, code, year, season, kg, user=SEKRETARIS):
    from app.pupuk import services

    return services.do_set_allocation(uow, farmer=farmer, pupuk_type=code, year=year, season=season, kg=kg,
                                      acting_user=user)


def _quotas(uow, nik_hmac):
    """{(type, year, season): (allocated kg, redeemed kg)} of one NIK's national counters."""
    from app.pupuk.models import PupukQuota, PupukType

    uow.flush()
    rows = uow.execute(select(PupukType.code, PupukQuota.year, PupukQuota.season, PupukQuota.allocated_kg,
                              PupukQuota.redeemed_kg).join(PupukType, PupukType.id == PupukQuota.pupuk_type_id)
                       .where(PupukQuota.nik_hmac == nik_hmac)).all()
    return {(c, y, s): (D(a), D(r)) for c, y, s, a, r in rows}


def _set_redeemed(uow, nik_hmac, code, year, season, kg):
    """What other kiosks redeemed, as the national counter holds it."""
    from app.pupuk import services
    from app.pupuk.models import PupukQuota

    q = PupukQuota.__table__
    uow.execute(update(q).where(q.c.nik_hmac == nik_hmac, q.c.pupuk_type_id == services.type_of(uow, code).id,
                                q.c.year == year, q.c.season == season).values(redeemed_kg=kg))


def _versions(uow, farmer):
    """{(type, year, season): [(version, kg, current)]} of a farmer's allocations."""
    from app.pupuk.models import PupukAllocation, PupukType

    uow.flush()
    out = {}
    for code, y, s, v, kg, cur in uow.execute(
            select(PupukType.code, PupukAllocation.year, PupukAllocation.season, PupukAllocation.version_no,
                   PupukAllocation.kg, PupukAllocation.is_current)
            .join(PupukType, PupukType.id == PupukAllocation.pupuk_type_id)
            .where(PupukAllocation.farmer_id == farmer.id).order_by(PupukAllocation.version_no)):
        out.setdefault((code, y, s), []).append((v, D(kg), bool(cur)))
    return out


# NPK of MT II (year Y) is the counter under test; around it, each with its own figure, the farmer's other types of
# that season (Urea has a lower type id, NPK formula khusus a higher), his other seasons of the year and the same
# season of the years before and after. 40 kg of each was redeemed elsewhere.
AROUND = {("urea", 0, 2): D("150.000"), ("npk_khusus", 0, 2): D("160.000"), ("npk", 0, 1): D("110.000"),
          ("npk", 0, 3): D("120.000"), ("npk", -1, 2): D("130.000"), ("npk", 1, 2): D("140.000")}


def _around(uow, farmer, year, redeemed=D("40.000")):
    for (code, dy, season), kg in AROUND.items():
        _allocate(uow, farmer, code, year + dy, season, kg)
        _set_redeemed(uow, farmer.nik_hmac, code, year + dy, season, redeemed)
    return {(code, year + dy, season): (kg, redeemed) for (code, dy, season), kg in AROUND.items()}


@pytest.fixture()
def mt2(uow, coop):
    """(kiosk, farmer, his neighbour farmer, day, year): the farmer has 100 kg NPK for MT II and the counters
    around it; the neighbour 170 kg NPK for the same MT II, 40 of it redeemed."""
    day = _mt2_day(coop)
    kiosk = _kiosk_stocked_on(uow, coop, day)
    farmer = kiosk.farmer()
    neighbour = kiosk.farmer(nik=NIKS[1], name="Siti Aminah")
    _allocate(uow, neighbour, "npk", day.year, 2, "170")
    _set_redeemed(uow, neighbour.nik_hmac, "npk", day.year, 2, D("40"))
    return kiosk, farmer, neighbour, day, day.year


_keys = itertools.count()


def _redeem(kiosk, farmer, code, kg, day, **kw):
    from app.pupuk import services

    return services.do_redeem(kiosk.session, location=kiosk.kiosk, farmer_id=farmer.id, pupuk_type=code, kg=kg,
                              redemption_date=day, idempotency_key=f"mt2-{next(_keys)}",
                              acting_user=PETUGAS, **kw)


# -- a redemption draws on its own counter only -----------------------------------------------------------------

def test_redeeming_npk_in_mt2_draws_only_his_npk_mt2_counter_not_his_urea_his_mt1_or_mt3_or_another_year(uow, mt2):
    kiosk, farmer, neighbour, day, year = mt2
    around = _around(uow, farmer, year)
    _allocate(uow, farmer, "npk", year, 2, "100")
    r = _redeem(kiosk, farmer, "npk", 30, day)
    assert (r.quota_year, r.season, r.kg, r.remaining_kg) == (year, 2, D("30.000"), D("70.000"))
    assert _quotas(uow, farmer.nik_hmac) == {**around, ("npk", year, 2): (D("100.000"), D("30.000"))}
    assert _quotas(uow, neighbour.nik_hmac) == {("npk", year, 2): (D("170.000"), D("40.000"))}


def test_what_is_left_is_told_from_his_own_counter_and_exactly_the_rest_can_be_redeemed(uow, mt2):
    """100 kg, 30 redeemed: 71 kg is refused naming the 70 left (not the 150 of his Urea, the 110 of his MT I, the
    130 of last year nor the neighbour's 130); 70 kg is taken, leaving 0; then 1 kg more is 'habis'."""
    kiosk, farmer, _neighbour, day, year = mt2
    _around(uow, farmer, year)
    _allocate(uow, farmer, "npk", year, 2, "100")
    _redeem(kiosk, farmer, "npk", 30, day)
    with pytest.raises(ValidationFailed, match=r"Jumlah 71 kg melebihi sisa kuota NPK petani ini untuk MT II "
                                               rf"{year} \(sisa 70 kg\)"):
        _redeem(kiosk, farmer, "npk", 71, day)
    assert _redeem(kiosk, farmer, "npk", 70, day).remaining_kg == D("0.000")
    with pytest.raises(ValidationFailed, match=rf"Kuota NPK petani ini untuk MT II {year} sudah habis \(sisa 0 kg\)"):
        _redeem(kiosk, farmer, "npk", 1, day)
    assert _quotas(uow, farmer.nik_hmac)[("npk", year, 2)] == (D("100.000"), D("100.000"))


def test_without_an_allocation_of_the_type_for_that_season_and_year_he_is_refused_though_he_has_the_others(uow, mt2):
    kiosk, farmer, _neighbour, day, year = mt2
    around = _around(uow, farmer, year)
    with pytest.raises(ValidationFailed, match=rf"tidak punya alokasi NPK untuk MT II {year} \(01/05-"):
        _redeem(kiosk, farmer, "npk", 10, day)
    assert _quotas(uow, farmer.nik_hmac) == around


def test_an_allocation_set_to_zero_is_a_version_of_0_kg_and_nothing_can_be_redeemed(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    zero = kiosk.allocate(farmer, "urea", "0")
    assert (zero.version_no, zero.kg, zero.is_current) == (2, D("0.000"), True)
    with pytest.raises(ValidationFailed, match="tidak punya alokasi Urea"):
        kiosk.redeem(farmer, "urea", 1)


def test_one_kilogram_left_is_told_as_one_left_not_as_none(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    kiosk.redeem(farmer, "urea", 115)
    with pytest.raises(ValidationFailed, match=r"Jumlah 2 kg melebihi sisa kuota Urea.*\(sisa 1 kg\)"):
        kiosk.redeem(farmer, "urea", 2)


def test_half_a_kilogram_left_is_told_as_0_5_left(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "100,5")
    kiosk.redeem(farmer, "urea", 100)
    with pytest.raises(ValidationFailed, match=r"Jumlah 1 kg melebihi sisa kuota Urea.*\(sisa 0,5 kg\)"):
        kiosk.redeem(farmer, "urea", 1)


def test_a_redemption_keeps_its_cost_at_the_moving_average_and_the_proxys_name_as_written(uow, kiosk):
    """30 kg at the moving average Rp 1.500 cost Rp 45.000; the proxy's name with its spaces tidied, cut at 120."""
    from app.pupuk.models import PupukRedemption

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 30, proxy_nik=NIKS[3], proxy_relation="anak", proxy_name="  Budi   Santoso ")
    long = kiosk.redeem(farmer, "urea", 1, proxy_nik=NIKS[3], proxy_relation="anak", proxy_name="B" * 130)
    own = kiosk.redeem(farmer, "urea", 1, proxy_name="Tidak dipakai")
    uow.expire_all()
    r = uow.get(PupukRedemption, r.id)
    assert r.cost == D("45000.00")
    assert r.proxy_name == "Budi Santoso"
    assert uow.get(PupukRedemption, long.id).proxy_name == "B" * 120
    assert uow.get(PupukRedemption, own.id).proxy_name is None  # no proxy: no proxy's name


# -- a reversal gives back to that counter only ------------------------------------------------------------------

def test_a_reversal_gives_the_kilograms_back_to_that_counter_only(uow, mt2):
    from app.pupuk import services

    kiosk, farmer, neighbour, day, year = mt2
    around = _around(uow, farmer, year)
    _allocate(uow, farmer, "npk", year, 2, "100")
    r = _redeem(kiosk, farmer, "npk", 30, day)
    services.do_reverse_redemption(uow, redemption=r, reason="salah petani", acting_user=SEKRETARIS)
    assert _quotas(uow, farmer.nik_hmac) == {**around, ("npk", year, 2): (D("100.000"), D("0.000"))}
    assert _quotas(uow, neighbour.nik_hmac) == {("npk", year, 2): (D("170.000"), D("40.000"))}


def test_a_reversal_never_drives_a_counter_below_zero(uow, kiosk):
    """A counter already lowered below the redemption's kilograms (set by hand) is left as it is; the rest of the
    reversal (stock, journal) goes through."""
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 30)
    year, season = services.season_of(today_of(kiosk.coop))
    _set_redeemed(uow, farmer.nik_hmac, "urea", year, season, D("20"))
    row = services.do_reverse_redemption(uow, redemption=r, reason="salah ketik", acting_user=SEKRETARIS)
    assert row.reversed_at is not None
    assert _quotas(uow, farmer.nik_hmac)[("urea", year, season)] == (D("116.000"), D("20.000"))


@pytest.mark.parametrize("missing", [0, 10 ** 9])
def test_reversing_a_redemption_that_does_not_exist_is_refused(uow, kiosk, missing):
    """There are redemptions with lower and higher ids than the one asked for: none of them is taken instead."""
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10)
    with pytest.raises(NotFound, match="Penebusan tidak ditemukan."):
        services.do_reverse_redemption(uow, redemption=missing, reason="tidak ada", acting_user=SEKRETARIS)
    uow.refresh(r)
    assert r.reversed_at is None


def test_a_reason_of_five_letters_is_enough_and_four_are_refused(uow, kiosk):
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10)
    with pytest.raises(ValidationFailed, match="paling sedikit 5 huruf"):
        services.do_reverse_redemption(uow, redemption=r, reason="  s   al  ", acting_user=SEKRETARIS)
    assert services.do_reverse_redemption(uow, redemption=r.id, reason="salah", acting_user=SEKRETARIS
                                          ).reverse_reason == "salah"


def test_a_long_reason_is_kept_to_255_letters_and_the_journal_says_it_in_200(uow, kiosk):
    from app.ledger.models import JournalEntry
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10)
    reason = "".join(f"{i:03d}" for i in range(100))  # 300 digits, every cut shows
    row = services.do_reverse_redemption(uow, redemption=r, reason=reason, acting_user=SEKRETARIS)
    assert row.reverse_reason == reason[:255]
    original = uow.get(JournalEntry, row.journal_entry_id)
    mirror = uow.get(JournalEntry, row.reverse_journal_entry_id)
    said = f"koreksi penebusan {r.number}: {reason}"[:200]
    assert len(said) == 200 and mirror.description == f"Pembalik {original.number}: {said}"


def test_a_reversal_is_in_the_database_when_the_service_returns(uow, kiosk):
    """A read of the same transaction that does not flush first (a report's raw query) already sees it."""
    from app.pupuk import services
    from app.pupuk.models import PupukRedemption

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10)
    services.do_reverse_redemption(uow, redemption=r, reason="salah ketik", acting_user=SEKRETARIS)
    with uow.no_autoflush:
        reason = uow.execute(select(PupukRedemption.__table__.c.reverse_reason)
                             .where(PupukRedemption.__table__.c.id == r.id)).scalar()
    assert reason == "salah ketik"


# -- allocations: versions per farmer, type, season and year -----------------------------------------------------

def test_versions_are_counted_per_farmer_type_season_and_year_and_the_others_stay_current(uow, kiosk):
    """Around the farmer's NPK MT II, each counter with its version 1: his NPK MT II is version 1 too (not the
    next after one of theirs), then a new figure is his version 2; every other version stays current and every
    other counter keeps its figure."""
    year = today_of(kiosk.coop).year
    farmer = kiosk.farmer()
    neighbour = kiosk.farmer(nik=NIKS[1], name="Siti Aminah")
    _allocate(uow, neighbour, "npk", year, 2, "170")
    around = _around(uow, farmer, year, redeemed=D("0.000"))
    first = _allocate(uow, farmer, "npk", year, 2, "150")  # the same figure as his Urea MT II: still his own
    assert (first.version_no, first.kg, first.pupuk_type.code, first.year, first.season) == (
        1, D("150.000"), "npk", year, 2)
    second = _allocate(uow, farmer, "npk", year, 2, "100")
    assert second.version_no == 2
    expected = {k: [(1, kg, True)] for k, (kg, _r) in around.items()}
    expected[("npk", year, 2)] = [(1, D("150.000"), False), (2, D("100.000"), True)]
    assert _versions(uow, farmer) == expected
    assert _quotas(uow, farmer.nik_hmac) == {**around, ("npk", year, 2): (D("100.000"), D("0.000"))}
    assert _versions(uow, neighbour) == {("npk", year, 2): [(1, D("170.000"), True)]}
    assert _quotas(uow, neighbour.nik_hmac) == {("npk", year, 2): (D("170.000"), D("0.000"))}


def test_the_same_figure_again_answers_with_the_current_version_and_writes_none(uow, kiosk):
    from app.pupuk.models import PupukAllocation

    farmer = kiosk.farmer()
    first = kiosk.allocate(farmer, "urea", "116")
    again = kiosk.allocate(farmer, "urea", "116,000")
    assert again is not None and again.id == first.id and again.version_no == 1
    assert uow.scalar(select(func.count()).select_from(PupukAllocation)
                      .where(PupukAllocation.farmer_id == farmer.id)) == 1


def test_only_the_secretary_or_the_board_sets_an_allocation(uow, kiosk):
    farmer = kiosk.farmer()
    year, season = today_of(kiosk.coop).year, 1
    with pytest.raises(DomainError, match="Hanya Sekretaris atau Pengurus yang dapat menetapkan alokasi"):
        _allocate(uow, farmer, "urea", year, season, "116", user=PETUGAS)
    assert _versions(uow, farmer) == {}
    assert _allocate(uow, farmer, "urea", year, season, "116", user=PENGURUS).version_no == 1


# -- figures: kilograms, hectares, seasons -----------------------------------------------------------------------

@pytest.mark.parametrize("month, season", [(1, 1), (2, 1), (3, 1), (4, 1), (5, 2), (6, 2), (7, 2), (8, 2), (9, 3),
                                           (10, 3), (11, 3), (12, 3)])
def test_mt1_is_january_to_april_mt2_may_to_august_mt3_september_to_december(month, season):
    from app.pupuk.services import season_of

    assert season_of(date(2026, month, 1)) == (2026, season)
    assert season_of(date(2026, month, 28)) == (2026, season)


@pytest.mark.parametrize("text, kg", [("100000", D("100000.000")), ("99.999,999", D("99999.999")),
                                      ("1,234", D("1.234")), ("116", D("116.000"))])
def test_up_to_100000_kg_with_three_decimals_is_accepted(text, kg):
    from app.pupuk.services import parse_kg

    assert parse_kg(text) == kg


@pytest.mark.parametrize("text, message", [("100001", "terlalu besar"), ("100000,001", "terlalu besar"),
                                           ("1,2344", "paling banyak tiga angka"),
                                           ("1,2346", "paling banyak tiga angka"),
                                           ("0,0001", "paling banyak tiga angka")])
def test_above_100000_kg_or_more_than_three_decimals_is_refused(text, message):
    from app.pupuk.services import parse_kg

    with pytest.raises(ValidationFailed, match=message):
        parse_kg(text)


@pytest.mark.parametrize("text", ["2,5", "2,7", "2,2", "2,001"])
def test_a_redemption_takes_whole_kilograms_only(text):
    from app.pupuk.services import parse_kg

    with pytest.raises(ValidationFailed, match="kilogram utuh"):
        parse_kg(text, whole=True)
    assert parse_kg("3", whole=True) == D("3.000")


def test_there_is_no_het_before_the_first_one_and_a_redemption_then_is_refused(uow):
    from app.pupuk import services

    urea = services.type_of(uow, "urea")
    with pytest.raises(ValidationFailed, match="HET Urea untuk tanggal 31/12/2019 belum ditetapkan"):
        services.het_on(uow, urea, date(2019, 12, 31))
    assert services.het_on(uow, urea, date(2020, 1, 1)).het_per_kg == D("2250.00")


# -- the farmer named at the kiosk -------------------------------------------------------------------------------

def test_the_farmer_is_named_by_nik_or_number_and_both_must_agree(uow, kiosk):
    from app.pupuk.services import farmer_facts

    first = kiosk.farmer()
    second = kiosk.farmer(nik=NIKS[1], name="Siti Aminah")
    assert farmer_facts(uow, farmer_id=first.id, nik=NIKS[0]).id == first.id
    assert farmer_facts(uow, farmer_id=f" {second.id} ", nik=NIKS[1]).name == "Siti Aminah"
    assert farmer_facts(uow, farmer_id=str(second.id)).id == second.id
    for farmer_id, nik in ((first.id, NIKS[1]), (second.id, NIKS[0])):
        with pytest.raises(ValidationFailed, match="bukan NIK petani ini"):
            farmer_facts(uow, farmer_id=farmer_id, nik=nik)


@pytest.mark.parametrize("farmer_id", [None, "", "abc", "12a"])
def test_without_a_nik_or_a_farmers_number_the_kiosk_is_asked_to_name_him(uow, farmer_id):
    from app.pupuk.services import farmer_facts

    with pytest.raises(ValidationFailed, match="Sebut petaninya"):
        farmer_facts(uow, farmer_id=farmer_id)


def test_the_farmer_is_named_by_keyword_only_so_a_nik_is_never_taken_for_a_number(uow, kiosk):
    from app.pupuk.services import farmer_facts

    farmer = kiosk.farmer()
    with pytest.raises(TypeError):
        farmer_facts(uow, farmer.id)


# -- farmers: registration and re-registration -------------------------------------------------------------------

def _lands(uow, farmer):
    from app.pupuk.models import FarmerLand

    uow.flush()
    return dict(uow.execute(select(FarmerLand.commodity, FarmerLand.area_ha).where(FarmerLand.farmer_id == farmer.id)
                            ).all())


def test_a_new_farmer_has_his_land_his_poktan_and_his_address(uow, kiosk):
    from app.pupuk import services

    poktan = services.do_save_poktan(uow, coop=kiosk.coop, name="Poktan Sumber Rejeki", acting_user=SEKRETARIS)
    farmer = kiosk.farmer(lands={"padi": "0,5", "jagung": "0,25"}, poktan=poktan.id, address="  Jl.  Mawar  3 ")
    assert _lands(uow, farmer) == {"padi": D("0.5000"), "jagung": D("0.2500")}
    assert (farmer.poktan_id, farmer.address) == (poktan.id, "Jl. Mawar 3")


def test_registering_him_again_updates_his_name_poktan_address_and_land_and_no_one_elses(uow, kiosk):
    from app.pupuk import services

    other = kiosk.farmer(nik=NIKS[1], name="Siti Aminah", lands={"padi": "0,75", "cabai": "0,25"})
    farmer = kiosk.farmer(lands={"padi": "0,5", "kedelai": "0,5"}, address="Jl. Mawar 3")
    later = kiosk.farmer(nik=NIKS[2], name="Wartini", lands={"padi": "0,4"})
    poktan = services.do_save_poktan(uow, coop=kiosk.coop, name="Poktan Baru", acting_user=SEKRETARIS)
    again = kiosk.farmer(name="Sumarno Hadi", lands={"padi": "1", "jagung": "0,3"}, poktan=poktan, address="")
    assert again.id == farmer.id
    assert (again.name, again.poktan_id, again.address) == ("Sumarno Hadi", poktan.id, "Jl. Mawar 3")
    assert _lands(uow, farmer) == {"padi": D("1.0000"), "jagung": D("0.3000")}
    assert _lands(uow, other) == {"padi": D("0.7500"), "cabai": D("0.2500")}
    assert _lands(uow, later) == {"padi": D("0.4000")}
    kept = kiosk.farmer(name="Sumarno Hadi", lands={"padi": "1"})  # no poktan named: he stays in his
    assert kept.poktan_id == poktan.id


def test_a_nik_kept_by_a_newer_cooperative_is_refused_in_an_older_one_too(uow, kiosk):
    from app.pupuk import services

    newer = Kiosk(uow, fresh_coop(uow), stock=None)
    assert newer.coop.id > kiosk.coop.id
    newer.farmer()
    with pytest.raises(services.FarmerElsewhere, match="koperasi lain"):
        kiosk.farmer()


@pytest.mark.parametrize("area, message", [("-0,5", "lebih dari nol hektare"), ("-1", "lebih dari nol hektare"),
                                           ("-2", "lebih dari nol hektare"), ("0", "lebih dari nol hektare"),
                                           ("0,12345", "paling banyak empat angka")])
def test_a_negative_zero_or_too_finely_measured_area_is_refused(uow, kiosk, area, message):
    with pytest.raises(ValidationFailed, match=message):
        kiosk.farmer(lands={"padi": area})


def test_exactly_two_hectares_is_within_the_limit(uow, kiosk):
    farmer = kiosk.farmer(lands={"padi": "1,5", "jagung": "0,5"})
    assert sum(_lands(uow, farmer).values()) == D("2.0000")


def test_an_unknown_commodity_is_named_in_its_first_40_letters(uow, kiosk):
    name = "".join(f"{i:02d}" for i in range(25))  # 50 digits
    with pytest.raises(ValidationFailed) as refused:
        kiosk.farmer(lands={name: "1"})
    assert str(refused.value) == f"Komoditas {name[:40]} tidak dikenal."


def test_a_two_letter_name_is_a_name_and_one_letter_is_not(uow, kiosk):
    assert kiosk.farmer(name=" Ah ").name == "Ah"
    with pytest.raises(ValidationFailed, match="Nama petani wajib diisi"):
        kiosk.farmer(nik=NIKS[1], name="A")


def test_a_long_address_is_kept_to_255_letters_and_a_long_name_to_120(uow, kiosk):
    address = "".join(f"{i:03d}" for i in range(100))
    name = "".join(f"{i:03d}" for i in range(50))
    farmer = kiosk.farmer(address=address, name=name)
    assert (farmer.address, farmer.name) == (address[:255], name[:120])
    again = kiosk.farmer(address=address[1:], name=name[1:])
    assert (again.address, again.name) == (address[1:256], name[1:121])
