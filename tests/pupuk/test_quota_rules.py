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


def _trio(kiosk):
    """Three farmers registered in the order of their NIK digests (the national counters' first key): the middle
    one is the farmer under test, so another NIK's counters lie on either side of his, by digest and by id."""
    from app.pupuk.services import hmac_of

    low, mid, high = sorted(NIKS[:3], key=hmac_of)
    below = kiosk.farmer(nik=low, name="Siti Aminah")
    farmer = kiosk.farmer(nik=mid, name="Sumarno")
    above = kiosk.farmer(nik=high, name="Wartini")
    return farmer, [below, above]


@pytest.fixture()
def mt2(uow, coop):
    """(kiosk, farmer, his two neighbour farmers, day, year): the neighbours each have 170 kg NPK for the MT II of
    ``day``, 40 of it redeemed."""
    day = _mt2_day(coop)
    kiosk = _kiosk_stocked_on(uow, coop, day)
    farmer, neighbours = _trio(kiosk)
    for n in neighbours:
        _allocate(uow, n, "npk", day.year, 2, "170")
        _set_redeemed(uow, n.nik_hmac, "npk", day.year, 2, D("40"))
    return kiosk, farmer, neighbours, day, day.year


def _neighbours_untouched(uow, neighbours, year, redeemed=D("40.000")):
    for n in neighbours:
        assert _quotas(uow, n.nik_hmac) == {("npk", year, 2): (D("170.000"), redeemed)}


_keys = itertools.count()


def _redeem(kiosk, farmer, code, kg, day, **kw):
    from app.pupuk import services

    return services.do_redeem(kiosk.session, location=kiosk.kiosk, farmer_id=farmer.id, pupuk_type=code, kg=kg,
                              redemption_date=day, idempotency_key=f"mt2-{next(_keys)}",
                              acting_user=PETUGAS, **kw)


# -- a redemption draws on its own counter only -----------------------------------------------------------------

def test_redeeming_npk_in_mt2_draws_only_his_npk_mt2_counter_not_his_urea_his_mt1_or_mt3_or_another_year(uow, mt2):
    kiosk, farmer, neighbours, day, year = mt2
    around = _around(uow, farmer, year)
    _allocate(uow, farmer, "npk", year, 2, "100")
    r = _redeem(kiosk, farmer, "npk", 30, day)
    assert (r.quota_year, r.season, r.kg, r.remaining_kg) == (year, 2, D("30.000"), D("70.000"))
    assert _quotas(uow, farmer.nik_hmac) == {**around, ("npk", year, 2): (D("100.000"), D("30.000"))}
    _neighbours_untouched(uow, neighbours, year)


def test_what_is_left_is_told_from_his_own_counter_and_exactly_the_rest_can_be_redeemed(uow, mt2):
    """100 kg, 30 redeemed: 71 kg is refused naming the 70 left (not the 150 of his Urea, the 110 of his MT I, the
    130 of last year nor a neighbour's 130); 70 kg is taken, leaving 0; then 1 kg more is 'habis'."""
    kiosk, farmer, _neighbours, day, year = mt2
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
    kiosk, farmer, _neighbours, day, year = mt2
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
    """40 kg then 30 kg redeemed: reversing the 30 leaves 40 on his counter (not 10, not 70), nothing changes on
    any other counter; reversing the 40 then leaves 0."""
    from app.pupuk import services

    kiosk, farmer, neighbours, day, year = mt2
    around = _around(uow, farmer, year)
    _allocate(uow, farmer, "npk", year, 2, "100")
    first = _redeem(kiosk, farmer, "npk", 40, day)
    r = _redeem(kiosk, farmer, "npk", 30, day)
    services.do_reverse_redemption(uow, redemption=r, reason="salah petani", acting_user=SEKRETARIS)
    assert _quotas(uow, farmer.nik_hmac) == {**around, ("npk", year, 2): (D("100.000"), D("40.000"))}
    _neighbours_untouched(uow, neighbours, year)
    services.do_reverse_redemption(uow, redemption=first, reason="salah petani", acting_user=SEKRETARIS)
    assert _quotas(uow, farmer.nik_hmac) == {**around, ("npk", year, 2): (D("100.000"), D("0.000"))}


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
    farmer, neighbours = _trio(kiosk)
    for n in neighbours:
        _allocate(uow, n, "npk", year, 2, "170")
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
    for n in neighbours:
        assert _versions(uow, n) == {("npk", year, 2): [(1, D("170.000"), True)]}
    _neighbours_untouched(uow, neighbours, year, redeemed=D("0.000"))


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


# -- more of the same rules, each from its other side -------------------------------------------------------------

def test_what_is_left_of_a_counter_he_does_not_have_is_0_not_that_of_his_next_type_season_or_year(uow, mt2):
    from app.pupuk import services

    _kiosk, farmer, _neighbours, _day, year = mt2
    _around(uow, farmer, year)
    npk = services.type_of(uow, "npk").id
    assert services.remaining_of(uow, farmer.nik_hmac, npk, year, 2) == D("0")
    assert services.remaining_of(uow, farmer.nik_hmac, npk, year, 3) == D("80.000")
    assert services.remaining_of(uow, farmer.nik_hmac, services.type_of(uow, "urea").id, year, 2) == D("110.000")
    assert services.remaining_of(uow, farmer.nik_hmac, npk, year + 1, 2) == D("100.000")


@pytest.mark.parametrize("verb", ["do_set_allocation", "do_register_farmer", "do_import_rdkk", "do_redeem",
                                  "do_reverse_redemption", "farmer_facts"])
def test_the_verbs_take_their_figures_by_name_only_never_by_position(uow, kiosk, verb):
    """A kilogram figure can never land in the season's place: every argument after the session is named."""
    import inspect

    from app.pupuk import services

    function = getattr(services, verb)
    named = len(inspect.signature(function).parameters) - 1
    with pytest.raises(TypeError, match="takes 1 positional argument"):
        function(uow, *([None] * named))


def test_an_allocation_names_its_farmer_by_number_too_and_an_unknown_one_is_refused(uow, kiosk):
    from app.pupuk.models import Farmer

    farmer = kiosk.farmer()
    year = today_of(kiosk.coop).year
    assert _allocate(uow, farmer.id, "urea", year, 1, "116").farmer_id == farmer.id
    assert _allocate(uow, str(farmer.id), "urea", year, 2, "90").farmer_id == farmer.id
    missing = (uow.scalar(select(func.max(Farmer.id))) or 0) + 1000
    for unknown in (missing, str(missing), "abc", "", None):
        with pytest.raises(ValidationFailed, match="Petani tidak ditemukan"):
            _allocate(uow, unknown, "urea", year, 3, "50")


def test_an_allocations_note_is_kept_and_a_blank_one_is_none(uow, kiosk):
    from app.pupuk import services

    farmer = kiosk.farmer()
    year = today_of(kiosk.coop).year
    noted = services.do_set_allocation(uow, farmer=farmer, pupuk_type="urea", year=year, season=1, kg="116",
                                       acting_user=SEKRETARIS, note="surat dinas 12/2026")
    blank = services.do_set_allocation(uow, farmer=farmer, pupuk_type="urea", year=year, season=2, kg="116",
                                       acting_user=SEKRETARIS, note="")
    assert (noted.note, blank.note) == ("surat dinas 12/2026", None)


def test_every_verb_has_written_its_rows_when_it_returns(uow, kiosk):
    """Nothing is left pending for the caller's commit: the new allocation, the farmer and his land, the
    redemption's cost and journal link are in the database (the page reads their numbers at once)."""
    from app.pupuk import services

    def clean():
        return not (uow.new or uow.dirty or uow.deleted)

    farmer = kiosk.farmer(lands={"padi": "0,5"})
    assert clean() and farmer.id is not None
    again = kiosk.farmer(lands={"jagung": "0,5"}, name="Sumarno Hadi")
    assert clean() and again.id == farmer.id
    row = kiosk.allocate(farmer, "urea", "116")
    assert clean() and row.id is not None
    r = kiosk.redeem(farmer, "urea", 10)
    assert clean() and r.journal_entry_id is not None
    services.do_reverse_redemption(uow, redemption=r, reason="salah ketik", acting_user=SEKRETARIS)
    assert clean()


def test_each_type_is_priced_at_its_own_het(uow, kiosk):
    """A new NPK HET from yesterday: NPK is priced at it; Urea (a lower type number) and NPK formula khusus (a
    higher one) keep theirs."""
    from datetime import timedelta

    from app.pupuk import services
    from app.pupuk.models import PupukHet

    day = today_of(kiosk.coop)
    before = {c: services.het_on(uow, services.type_of(uow, c), day).het_per_kg for c in ("urea", "npk_khusus")}
    uow.add(PupukHet(pupuk_type_id=services.type_of(uow, "npk").id, valid_from=day - timedelta(days=1),
                     het_per_kg=D("1999"), legal_basis="uji"))
    uow.flush()
    assert services.het_on(uow, services.type_of(uow, "npk"), day).het_per_kg == D("1999")
    assert {c: services.het_on(uow, services.type_of(uow, c), day).het_per_kg for c in before} == before


@pytest.mark.parametrize("text, kg", [("0,5", D("0.500")), ("0,001", D("0.001")), ("0", None)])
def test_an_allocation_may_be_less_than_a_kilogram(text, kg):
    from app.pupuk.services import parse_kg

    if kg is None:
        assert parse_kg(text, allow_zero=True) == D("0.000")
    else:
        assert parse_kg(text) == kg


@pytest.mark.parametrize("text", ["-0,5", "-1", "-0,001"])
def test_a_negative_figure_is_refused_also_where_zero_is_allowed(text):
    from app.pupuk.services import parse_kg

    with pytest.raises(ValidationFailed, match="lebih dari nol"):
        parse_kg(text, allow_zero=True)


def test_a_farmer_named_by_nik_alone_is_found_and_an_unknown_number_is_not(uow, kiosk):
    from app.pupuk.services import farmer_facts

    farmer = kiosk.farmer()
    assert farmer_facts(uow, nik=NIKS[0]).id == farmer.id
    assert farmer_facts(uow, nik=NIKS[0], farmer_id="").id == farmer.id
    for unknown in (0, -1):
        with pytest.raises(NotFound, match="Petani tidak ditemukan"):
            farmer_facts(uow, farmer_id=unknown)


@pytest.mark.parametrize("area, message", [("abc", "harus berupa angka"), ("1,2,3", "harus berupa angka"),
                                           ("0,12346", "paling banyak empat angka")])
def test_an_area_that_is_no_number_or_too_fine_is_refused(uow, kiosk, area, message):
    with pytest.raises(ValidationFailed, match=message):
        kiosk.farmer(lands={"padi": area})


def test_a_commodity_the_rule_in_force_leaves_out_is_refused_naming_the_rules_date(uow, kiosk):
    from datetime import timedelta

    from app.pupuk.models import PupukEligibility

    day = today_of(kiosk.coop)
    uow.add(PupukEligibility(valid_from=day - timedelta(days=3), max_land_ha=D("2"), commodities="padi,jagung",
                             legal_basis="uji"))
    uow.flush()
    with pytest.raises(ValidationFailed, match="Komoditas Kopi tidak termasuk penerima pupuk bersubsidi sejak"):
        kiosk.farmer(lands={"padi": "0,5", "kopi": "0,5"})
    assert kiosk.farmer(lands={"jagung": "0,5"}).id is not None


@pytest.mark.parametrize("lands", [{}, None])
def test_a_farmer_without_any_land_is_refused(uow, kiosk, lands):
    from app.pupuk import services

    with pytest.raises(ValidationFailed, match="Isi paling sedikit satu lahan"):
        services.do_register_farmer(uow, coop=kiosk.coop, nik=NIKS[0], name="Sumarno", lands=lands,
                                    acting_user=SEKRETARIS)


def test_only_the_secretary_or_the_board_registers_a_farmer(uow, kiosk):
    from app.pupuk import services
    from app.pupuk.models import Farmer

    with pytest.raises(DomainError, match="Hanya Sekretaris atau Pengurus yang dapat mendaftarkan"):
        services.do_register_farmer(uow, coop=kiosk.coop, nik=NIKS[0], name="Sumarno", lands={"padi": "0,5"},
                                    acting_user=PETUGAS)
    assert uow.scalar(select(Farmer.id).where(Farmer.cooperative_id == kiosk.coop.id)) is None


@pytest.mark.parametrize("nik", [None, "", "   "])
def test_a_farmer_without_a_nik_is_refused_as_such(uow, kiosk, nik):
    with pytest.raises(ValidationFailed, match="NIK petani wajib diisi"):
        kiosk.farmer(nik=nik)


def test_registering_him_again_with_a_kelurahan_moves_his_land_there_and_without_one_keeps_it(uow, kiosk):
    farmer = kiosk.farmer(region_code="31.74.04.1002")
    assert farmer.region_code == "31.74.04.1002"
    assert kiosk.farmer(region_code="31.74.04.1004").region_code == "31.74.04.1004"
    assert kiosk.farmer(region_code="31.74.04.1001").region_code == "31.74.04.1001"
    assert kiosk.farmer().region_code == "31.74.04.1001"


def test_registering_him_again_with_less_land_lowers_it(uow, kiosk):
    farmer = kiosk.farmer(lands={"padi": "1,5", "jagung": "0,5"})
    kiosk.farmer(lands={"padi": "0,75", "jagung": "1"})
    assert _lands(uow, farmer) == {"padi": D("0.7500"), "jagung": D("1.0000")}


def _big_coop(uow):
    """A cooperative numbered 5000: its id is no small cached integer, so its farmers' cooperative is compared as a
    number, never as the same object."""
    from sqlalchemy import event

    from app.cooperatives.models import Cooperative

    def numbered(_mapper, _connection, target):
        target.id = 5000

    event.listen(Cooperative, "before_insert", numbered)
    try:
        coop = fresh_coop(uow)
    finally:
        event.remove(Cooperative, "before_insert", numbered)
    assert coop.id == 5000
    return coop


def test_a_cooperative_numbered_in_the_thousands_registers_and_imports_its_own_farmers_again(uow):
    from app.pupuk import services

    from .conftest import rdkk_file

    kiosk = Kiosk(uow, _big_coop(uow), stock=None)
    farmer = kiosk.farmer()
    assert kiosk.farmer(name="Sumarno Hadi").id == farmer.id
    year, season = services.season_of(today_of(kiosk.coop))
    row = [NIKS[0], "Sumarno", "Poktan Sumber Makmur", "", "padi", "0,5", str(year), str(season), "100", "", "", "",
           ""]
    result = services.do_import_rdkk(uow, coop=kiosk.coop, filename="rdkk.xlsx", data=rdkk_file([row]),
                                     acting_user=SEKRETARIS)
    assert result.ok and result.conflicts == [] and result.allocations == 1


# -- the kiosk's redemption, from its other sides -----------------------------------------------------------------

def test_only_petugas_sekretaris_or_pengurus_record_a_redemption(uow, kiosk):
    from tests.savings.conftest import Board

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(DomainError, match="Hanya Petugas, Sekretaris atau Pengurus"):
        from app.pupuk import services

        services.do_redeem(uow, location=kiosk.kiosk, farmer_id=farmer.id, pupuk_type="urea", kg=10,
                           idempotency_key="pengawas-1", acting_user=Board("Pengawas"))


def test_an_inactive_farmer_is_refused(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    farmer.active = False
    uow.flush()
    with pytest.raises(ValidationFailed, match="Petani Sumarno tidak aktif"):
        kiosk.redeem(farmer, "urea", 10)


def test_a_proxy_with_the_farmers_own_nik_is_refused_and_any_other_nik_is_a_proxy(uow, kiosk):
    """Proxies whose NIK digests lie on either side of the farmer's are both accepted."""
    from app.pupuk.services import hmac_of

    low, mid, high = sorted(NIKS[:3], key=hmac_of)
    farmer = kiosk.farmer(nik=mid)
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(ValidationFailed, match="NIK kuasa sama dengan NIK petani"):
        kiosk.redeem(farmer, "urea", 10, proxy_nik=mid, proxy_relation="anak")
    for other in (low, high):
        assert kiosk.redeem(farmer, "urea", 10, proxy_nik=other, proxy_relation="anak").nik == other


@pytest.mark.parametrize("fee", [0, "0", "", None])
def test_no_delivery_fee_is_no_fee(uow, kiosk, fee):
    from tests.inventory.conftest import entry_lines

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10, delivery_fee=fee)
    assert r.delivery_fee == D("0.00") and r.total == r.amount
    assert "419000" not in entry_lines(uow, r.journal_entry_id)


def test_a_delivery_fee_of_one_rupiah_is_its_own_line(uow, kiosk):
    from tests.inventory.conftest import entry_lines

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10, delivery_fee="1")
    assert entry_lines(uow, r.journal_entry_id)["419000"] == (D(0), D("1.00"))


def test_a_fee_typed_on_the_form_is_read_as_rupiah_as_people_write_them_the_api_as_a_machine_number(uow, kiosk):
    """'5000.00' is no way to write rupiah on the form; the API's '5000.00' is Rp 5.000."""
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(ValidationFailed, match="tulis jumlah rupiah"):
        kiosk.redeem(farmer, "urea", 10, delivery_fee="5000.00")
    assert kiosk.redeem(farmer, "urea", 10, delivery_fee="5000.00", api=True).delivery_fee == D("5000.00")


def test_an_unknown_payment_method_is_refused(uow, kiosk):
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    with pytest.raises(ValidationFailed, match="Pilih cara bayar"):
        kiosk.redeem(farmer, "urea", 10, payment_method="cek")


@pytest.mark.parametrize("method, account", [("tunai", "111000"), ("qris", "112000"), ("transfer", "112000")])
def test_cash_goes_to_kas_and_qris_or_a_transfer_to_the_bank(uow, kiosk, method, account):
    """The method as a browser sends it (a string of its own, not the code's literal)."""
    from tests.inventory.conftest import entry_lines

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10, payment_method="".join(list(method)))
    lines = entry_lines(uow, r.journal_entry_id)
    assert lines[account] == (r.total, D(0))
    assert ({"111000", "112000"} - {account}).pop() not in lines


def test_a_redemption_dated_on_an_approved_stock_count_is_refused(uow, kiosk):
    from app.inventory import services as inv

    farmer = kiosk.farmer()
    back = 2 if today_of(kiosk.coop, 2).month == today_of(kiosk.coop).month else 0
    kiosk.allocate(farmer, "urea", "116", day=today_of(kiosk.coop, back))
    count = inv.do_open_count(uow, location=kiosk.kiosk, count_date=today_of(kiosk.coop, back), acting_user=PETUGAS)
    uow.flush()
    uow.expire(count)
    inv.do_enter_counts(uow, count=count, acting_user=PETUGAS, counts={l.id: "1000" for l in count.lines})
    inv.do_approve_count(uow, count=count, acting_user=PENGURUS)
    with pytest.raises(ValidationFailed, match="stok opname"):
        kiosk.redeem(farmer, "urea", 10, back=back)


def test_a_redemption_of_stock_that_cost_one_rupiah_books_its_cost_of_one_rupiah(uow, coop):
    from tests.inventory.conftest import entry_lines

    kiosk = Kiosk(uow, coop, cost=D(1))
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 1)
    lines = entry_lines(uow, r.journal_entry_id)
    assert lines["513000"] == (D("1.00"), D(0)) and lines["116000"] == (D(0), D("1.00"))


def test_the_stock_movement_of_a_redemption_names_its_journal(uow, kiosk):
    from app.inventory.models import StockMovement

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10)
    out = uow.scalar(select(StockMovement).where(StockMovement.source_type == "pupuk_redemption",
                                                 StockMovement.source_id == r.id))
    assert out.journal_entry_id == r.journal_entry_id is not None


def test_the_journal_of_a_redemption_names_the_redemption_as_its_source(uow, kiosk):
    """The ledger shows and searches a journal by its source (Sumber, ID sumber): the one of a redemption is found
    under pupuk_redemption and the redemption's id, as the redemption and its stock movement name that journal."""
    from app.ledger.models import JournalEntry

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10)
    found = uow.execute(select(JournalEntry.id, JournalEntry.source_type, JournalEntry.source_id)
                        .where(JournalEntry.id == r.journal_entry_id)).one()
    assert (found.source_type, found.source_id) == ("pupuk_redemption", str(r.id))
    assert uow.scalars(select(JournalEntry.id).where(JournalEntry.source_type == "pupuk_redemption",
                                                     JournalEntry.source_id == str(r.id))).all() == [r.journal_entry_id]


def test_the_journal_says_the_redemption_in_200_characters(uow, coop):
    """A type of 60 letters and a farmer of 120: the description is cut at 200."""
    from app.ledger.models import JournalEntry
    from app.pupuk.models import PupukHet, PupukType

    long_type = PupukType(code="uji_panjang", name="P" * 60, sack_kg=D("50"), active=True)
    uow.add(long_type)
    uow.flush()
    uow.add(PupukHet(pupuk_type_id=long_type.id, valid_from=date(2020, 1, 1), het_per_kg=D("1000"),
                     legal_basis="uji"))
    kiosk = Kiosk(uow, coop)
    farmer = kiosk.farmer(name="F" * 120)
    kiosk.allocate(farmer, "uji_panjang", "116")
    r = kiosk.redeem(farmer, "uji_panjang", 100)
    said = f"Penebusan pupuk {r.number} {'P' * 60} 100 kg ({'F' * 120})"
    assert len(said) > 200 and uow.get(JournalEntry, r.journal_entry_id).description == said[:200]


def test_a_petugas_cannot_reverse_a_redemption(uow, kiosk):
    from app.pupuk import services

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10)
    with pytest.raises(DomainError, match="Hanya Sekretaris atau Pengurus yang dapat mengoreksi"):
        services.do_reverse_redemption(uow, redemption=r, reason="salah ketik", acting_user=PETUGAS)
    assert r.reversed_at is None


def test_a_redemption_reversed_meanwhile_is_not_reversed_again_though_the_pages_copy_is_stale(uow, kiosk):
    """Another clerk's reversal has marked the row; this session's copy, read before, still shows it open: the
    reversal reads the row afresh and refuses."""
    from app.core.audit import utcnow
    from app.pupuk import services
    from app.pupuk.models import PupukRedemption

    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 10)
    # The page has read the whole row from the database, open (a row just written leaves its unset columns
    # unloaded, and any later read would fill those in: no stale copy yet).
    uow.refresh(r)
    assert r.reversed_at is None
    t = PupukRedemption.__table__
    uow.execute(update(t).where(t.c.id == r.id).values(reversed_at=utcnow(), reverse_reason="di kios lain"))
    assert r.reversed_at is None  # and its copy still says so
    with pytest.raises(services.AlreadyReversed):
        services.do_reverse_redemption(uow, redemption=r.id, reason="salah ketik", acting_user=SEKRETARIS)


def test_pupuk_found_at_a_stock_count_and_never_bought_is_redeemed_without_a_cost_line(uow, coop):
    """10 kg of Urea counted at a kiosk that never received any: a surplus at no cost (no purchase to take a cost
    from). Redeeming 5 kg books the sale (kas, penjualan) and no HPP/persediaan line of Rp 0."""
    from app.inventory import services as inv
    from tests.inventory.conftest import entry_lines

    kiosk = Kiosk(uow, coop, stock=None)
    count = inv.do_open_count(uow, location=kiosk.kiosk, count_date=today_of(coop, 1), acting_user=PETUGAS)
    uow.flush()
    uow.expire(count)
    urea = kiosk.items["urea"].id
    inv.do_enter_counts(uow, count=count, acting_user=PETUGAS,
                        counts={line.id: ("10" if line.item_id == urea else "0") for line in count.lines})
    inv.do_enter_counts(uow, count=count, acting_user=PETUGAS, second=True,
                        counts={line.id: "10" for line in count.lines if line.item_id == urea})
    inv.do_approve_count(uow, count=count, acting_user=PENGURUS)
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, "urea", "116")
    r = kiosk.redeem(farmer, "urea", 5)
    assert r.cost == D("0.00")
    assert set(entry_lines(uow, r.journal_entry_id)) == {"111000", "413400"}
