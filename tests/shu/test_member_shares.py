"""Who shares in the SHU and on what, stated one fact at a time: members who left before, during, on the last day
of or after the fiscal year; a member part with no basis at all; an SHU of a few rupiah. Amounts worked by hand in
Decimal; each time the parts add up to the SHU to the rupiah."""
import itertools
from datetime import date
from decimal import ROUND_HALF_UP

import pytest

from app.shu import services

from .conftest import D, PENGURUS, close, post, save, split
from .conftest import make_member as _conftest_member

# Serials of this file's own (7000-9999, used again and again: every test here rolls back), so that its many members
# do not run through conftest's finite range in a long-lived pytest process (the mutation runner keeps one for all
# the mutants of a module).
_serials = itertools.cycle(range(7000, 10000))


def make_member(session, coop, name, status="aktif", ended_on=None):
    from . import conftest

    saved, conftest._serial = conftest._serial, iter([next(_serials)])
    try:
        return _conftest_member(session, coop, name, status=status, ended_on=ended_on)
    finally:
        conftest._serial = saved


def rp(value):
    return value.quantize(D("1"), rounding=ROUND_HALF_UP)


def shares_of(uow, ws):
    return {s.member.name: s for s in services.member_shares(uow, ws)}


def compute(uow, coop, year, allocations, **rule):
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, allocations=allocations,
                         **rule)
    uow.expire_all()  # the rule as the next request reads it back from the database
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert ws.cadangan_total + ws.funds_total + ws.member_shares_total == max(ws.shu_total, 0)
    return ws


def _year_with_sales(uow, coop, year, amount=1_000_000):
    post(uow, coop, date(year, 5, 2), [("kas", D(amount), 0), ("411100", 0, D(amount))])
    close(uow, coop, year)


def _leaver_after_the_year(uow, coop, year):
    """Raka saves pokok 100.000 all year; Sari saves pokok 300.000 in January and leaves on 10 February of the next
    year, after the books closed. SHU Rp1.000.000."""
    raka = make_member(uow, coop, "Raka")
    sari = make_member(uow, coop, "Sari", status="keluar", ended_on=date(year + 1, 2, 10))
    save(uow, coop, raka, "pokok", 100_000, date(year, 1, 6))
    save(uow, coop, sari, "pokok", 300_000, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    return raka, sari


def test_a_member_who_left_after_the_year_end_shares_as_a_member_of_the_whole_year_even_under_the_rule_none(
        uow, coop, year):
    """Jasa modal 50 % = Rp500.000 on pokok + wajib at the year end: Sari was a member all year, so the leaver rule
    (here "tidak") does not touch her: 300.000 / 400.000 x 500.000 = 375.000, Raka 125.000; no exit date shown."""
    _leaver_after_the_year(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")), leaver_rule="tidak")
    got = shares_of(uow, ws)
    assert {n: (s.jm_basis, s.total_rounded, s.left_on) for n, s in got.items()} == {
        "Raka": (D(100_000), D(125_000), None), "Sari": (D(300_000), D(375_000), None)}


def test_a_member_who_left_after_the_year_end_counts_her_year_end_balance_in_full(uow, coop, year):
    """The same on the rule "up to the exit": her basis is the 300.000 she held at the year end, not a part of the
    year scaled past 365 days."""
    _leaver_after_the_year(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))
    got = shares_of(uow, ws)
    assert (got["Sari"].jm_basis, got["Sari"].total_rounded, got["Sari"].left_on) == (D(300_000), D(375_000), None)
    assert ws.jm_basis_total == D(400_000)


def _leaver_on_new_years_eve(uow, coop, year):
    """Tono saves pokok 100.000 all year; Umi saves pokok 100.000 in January and leaves on 31 December."""
    tono = make_member(uow, coop, "Tono")
    umi = make_member(uow, coop, "Umi", status="keluar", ended_on=date(year, 12, 31))
    save(uow, coop, tono, "pokok", 100_000, date(year, 1, 6))
    save(uow, coop, umi, "pokok", 100_000, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    return tono, umi


def test_a_member_who_left_on_the_last_day_of_the_year_is_a_leaver_of_that_year(uow, coop, year):
    """Leaver rule "tidak": Umi, gone on 31 December, gets nothing and is not in the totals; Tono takes the whole
    jasa modal part."""
    _leaver_on_new_years_eve(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")), leaver_rule="tidak")
    got = shares_of(uow, ws)
    assert {n: s.total_rounded for n, s in got.items()} == {"Tono": D(500_000)}
    assert ws.jm_basis_total == D(100_000) and ws.member_count == 1


def test_a_member_who_left_on_the_last_day_counts_the_days_before_it(uow, coop, year):
    """Rule "up to the exit", year-end basis: Umi's 100.000 counts for the days before 31 December (364 of 365),
    and her exit date is on her line."""
    _leaver_on_new_years_eve(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))
    start, end = date(year, 1, 1), date(year, 12, 31)
    umi = D(100_000) * (end - start).days / ((end - start).days + 1)
    total = D(100_000) + umi
    got = shares_of(uow, ws)
    assert got["Umi"].left_on == end
    assert got["Umi"].jm_basis == umi.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert got["Umi"].total_rounded == rp(umi / total * D(500_000))
    assert got["Tono"].total_rounded == rp(D(100_000) / total * D(500_000))


def test_a_member_who_left_before_the_year_shares_in_nothing_not_even_jasa_usaha(uow, coop, year, provider):
    """Vina left on 31 December of the year before (her savings still on the books, some purchases still
    attributed to her): she is neither in the shares nor in the totals of either member part. Wati holds pokok
    100.000 and bought for 400.000: she takes jasa modal and jasa usaha whole, Rp300.000 + Rp200.000."""
    wati = make_member(uow, coop, "Wati")
    vina = make_member(uow, coop, "Vina", status="keluar", ended_on=date(year - 1, 12, 31))
    save(uow, coop, wati, "pokok", 100_000, date(year, 1, 6))
    save(uow, coop, vina, "pokok", 100_000, date(year - 1, 12, 1))
    _year_with_sales(uow, coop, year)
    provider.set({wati.id: D(400_000), vina.id: D(600_000)})
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "30"), ("jasa_usaha", "20")),
                 balance_basis="rata_bulanan")
    got = shares_of(uow, ws)
    assert {n: s.total_rounded for n, s in got.items()} == {"Wati": D(500_000)}
    assert (ws.jm_basis_total, ws.ju_basis_total) == (D(100_000), D(400_000))


def test_a_member_who_left_on_new_years_day_keeps_jasa_usaha_for_her_purchases(uow, coop, year, provider):
    """Yuni left on 1 January and bought for 100.000 that morning; Xena holds pokok 100.000 and bought for
    300.000. Rule "up to the exit": Yuni's savings count for no day (no jasa modal), her purchase counts as it
    happened: jasa usaha 40 % = 400.000 split 100.000 / 300.000."""
    xena = make_member(uow, coop, "Xena")
    yuni = make_member(uow, coop, "Yuni", status="keluar", ended_on=date(year, 1, 1))
    save(uow, coop, xena, "pokok", 100_000, date(year, 1, 6))
    save(uow, coop, yuni, "pokok", 100_000, date(year - 1, 12, 1))
    _year_with_sales(uow, coop, year)
    provider.set({xena.id: D(300_000), yuni.id: D(100_000)})
    ws = compute(uow, coop, year, split(("cadangan", "40"), ("jasa_modal", "20"), ("jasa_usaha", "40")))
    got = shares_of(uow, ws)
    assert {n: (s.jm_exact, s.ju_exact, s.total_rounded) for n, s in got.items()} == {
        "Xena": (D(200_000), D(300_000), D(500_000)), "Yuni": (D(0), D(100_000), D(100_000))}
    assert got["Yuni"].left_on == date(year, 1, 1)


def test_jasa_modal_with_nobody_saving_goes_to_cadangan_as_undistributed(uow, coop, year, provider):
    """Nobody holds any simpanan: the jasa modal part (30 % = 300.000) is not shared, it is booked to cadangan as
    undistributed (not as a rounding remainder); jasa usaha (30 %) goes to the buyers, 200.000 / 100.000."""
    a, b = make_member(uow, coop, "Zaki"), make_member(uow, coop, "Ayu")
    _year_with_sales(uow, coop, year)
    provider.set({a.id: D(2_000), b.id: D(1_000)})
    ws = compute(uow, coop, year, split(("cadangan", "40"), ("jasa_modal", "30"), ("jasa_usaha", "30")))
    assert ws.jm_amount == D(300_000) and ws.jm_basis_total == 0
    assert (ws.cadangan_undistributed, ws.cadangan_rounding) == (D(300_000), 0)
    assert ws.cadangan_total == D(400_000) + D(300_000)
    assert {n: (s.jm_exact, s.total_rounded) for n, s in shares_of(uow, ws).items()} == {
        "Zaki": (0, D(200_000)), "Ayu": (0, D(100_000))}
    assert ws.member_shares_total == D(300_000)


def test_an_shu_of_ten_rupiah_still_gives_the_one_rupiah_parts_to_the_members(uow, coop, year, provider):
    """SHU Rp10: cadangan 80 % = 8, jasa modal 10 % = 1, jasa usaha 10 % = 1. Bima, the only member with savings
    and purchases, gets both rupiah; nothing is left undistributed."""
    bima = make_member(uow, coop, "Bima")
    save(uow, coop, bima, "pokok", 100_000, date(year, 1, 6))
    _year_with_sales(uow, coop, year, amount=10)
    provider.set({bima.id: D(50)})
    ws = compute(uow, coop, year, split(("cadangan", "80"), ("jasa_modal", "10"), ("jasa_usaha", "10")))
    assert (ws.jm_amount, ws.ju_amount) == (D(1), D(1))
    got = shares_of(uow, ws)["Bima"]
    assert (got.jm_exact, got.ju_exact, got.total_rounded) == (D(1), D(1), D(2))
    assert (ws.cadangan_undistributed, ws.cadangan_rounding, ws.cadangan_total) == (0, 0, D(8))
    assert "Penjualan gerai (uji)" in ws.ju_source


def test_one_rupiah_parts_with_no_basis_go_to_cadangan_as_undistributed(uow, coop, year):
    """SHU Rp10 again, but nobody saves and no purchase is known: the Rp1 of jasa modal and the Rp1 of jasa usaha
    are both undistributed, in cadangan (8 + 2 = 10), and the worksheet says why jasa usaha was not shared."""
    make_member(uow, coop, "Candra")
    _year_with_sales(uow, coop, year, amount=10)
    ws = compute(uow, coop, year, split(("cadangan", "80"), ("jasa_modal", "10"), ("jasa_usaha", "10")))
    assert (ws.jm_amount, ws.ju_amount) == (D(1), D(1))
    assert (ws.cadangan_undistributed, ws.cadangan_rounding, ws.cadangan_total) == (D(2), 0, D(10))
    assert services.member_shares(uow, ws) == [] and ws.member_count == 0
    assert "Tidak ada data transaksi per anggota" in ws.ju_source


@pytest.mark.parametrize("basis, fani", [("akhir_tahun", D(100_000)), ("rata_bulanan", D(100_000) / 12)])
def test_a_deposit_on_the_last_day_of_the_year_counts_for_that_year(uow, coop, year, basis, fani):
    """Fani pays her pokok of 100.000 on 31 December, Gilang his on 6 January. On the year-end balance both hold
    100.000; on the average of the month-end balances Fani's counts for December only (8.333,33). Jasa modal
    Rp600.000; a split without jasa usaha says nothing about transaction data."""
    fani_m, gilang = make_member(uow, coop, "Fani"), make_member(uow, coop, "Gilang")
    save(uow, coop, fani_m, "pokok", 100_000, date(year, 12, 31))
    save(uow, coop, gilang, "pokok", 100_000, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "40"), ("jasa_modal", "60")), balance_basis=basis)
    got = shares_of(uow, ws)
    total = fani + D(100_000)
    assert got["Fani"].jm_basis == fani.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert {n: s.total_rounded for n, s in got.items()} == {"Fani": rp(fani / total * 600_000),
                                                            "Gilang": rp(D(100_000) / total * 600_000)}
    assert ws.ju_amount == 0 and ws.ju_source is None


def test_a_leaver_paid_back_after_the_exit_counts_what_she_held_the_day_before_leaving(uow, coop, year):
    """Eka holds pokok 100.000, wajib 200.000 and sukarela 500.000 from January, leaves on 1 July, and her pokok and
    wajib are paid back on 15 July. Year-end basis on pokok + wajib, rule "up to the exit": 300.000 (the sukarela
    does not count, the later payout does not lower it) x 181/365 of the year. Dedi holds pokok 100.000."""
    dedi = make_member(uow, coop, "Dedi")
    eka = make_member(uow, coop, "Eka", status="keluar", ended_on=date(year, 7, 1))
    save(uow, coop, dedi, "pokok", 100_000, date(year, 1, 6))
    for kind, amount in (("pokok", 100_000), ("wajib", 200_000), ("sukarela", 500_000)):
        save(uow, coop, eka, kind, amount, date(year, 1, 6))
    save(uow, coop, eka, "pokok", 100_000, date(year, 7, 15), direction="tarik")
    save(uow, coop, eka, "wajib", 200_000, date(year, 7, 15), direction="tarik")
    _year_with_sales(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))
    start, end = date(year, 1, 1), date(year, 12, 31)
    eka_basis = D(300_000) * (date(year, 7, 1) - start).days / ((end - start).days + 1)
    total = D(100_000) + eka_basis
    got = shares_of(uow, ws)
    assert got["Eka"].jm_basis == eka_basis.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert {n: s.total_rounded for n, s in got.items()} == {"Eka": rp(eka_basis / total * 500_000),
                                                            "Dedi": rp(D(100_000) / total * 500_000)}


def test_a_leaver_on_the_monthly_average_counts_only_the_month_ends_before_her_exit(uow, coop, year):
    """Average of the month-end balances, rule "up to the exit": Hana (pokok 120.000 from January) left on 15 April,
    so January to March count and the nine month ends after the exit count as zero: 30.000. Iwan holds 120.000 all
    year. Jasa modal Rp500.000: 100.000 and 400.000."""
    iwan = make_member(uow, coop, "Iwan")
    hana = make_member(uow, coop, "Hana", status="keluar", ended_on=date(year, 4, 15))
    save(uow, coop, iwan, "pokok", 120_000, date(year, 1, 5))
    save(uow, coop, hana, "pokok", 120_000, date(year, 1, 5))
    _year_with_sales(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")), balance_basis="rata_bulanan")
    got = shares_of(uow, ws)
    assert {n: (s.jm_basis, s.total_rounded) for n, s in got.items()} == {
        "Iwan": (D(120_000), D(400_000)), "Hana": (D(30_000), D(100_000))}
    assert got["Hana"].left_on == date(year, 4, 15)


def test_the_non_member_portion_of_the_member_parts_is_rounded_half_up_and_cadangan_keeps_the_rest(uow, coop, year):
    """Revenue from members 6.000.000 and non-members 4.000.000, HPP 6.999.998: SHU Rp3.000.002, from members
    6.000.000 - 4.199.998,80 = 1.800.001 (rounded), from non-members 1.200.001. Cadangan 50 % of the SHU =
    1.500.001; jasa modal 50 % of the members' SHU = 900.000,50 -> 900.001; its non-member portion 600.000,50 ->
    600.001 goes to cadangan. The parts come to one rupiah too many, so cadangan's own part is 1.500.000."""
    joni = make_member(uow, coop, "Joni")
    save(uow, coop, joni, "pokok", 100_000, date(year, 1, 6))
    post(uow, coop, date(year, 4, 30), [("kas", D(10_000_000), 0), ("411100", 0, D(6_000_000)),
                                        ("411200", 0, D(4_000_000))])
    post(uow, coop, date(year, 4, 30), [("511000", D(6_999_998), 0), ("kas", 0, D(6_999_998))])
    close(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))
    assert (ws.shu_total, ws.shu_members, ws.shu_non_members) == (D(3_000_002), D(1_800_001), D(1_200_001))
    assert (ws.cadangan_rule, ws.cadangan_non_member, ws.jm_amount) == (D(1_500_000), D(600_001), D(900_001))
    assert shares_of(uow, ws)["Joni"].total_rounded == D(900_001)
    assert ws.cadangan_total == D(2_100_001)


def test_purchases_only_by_members_left_out_leave_jasa_usaha_undistributed_and_the_worksheet_says_so(
        uow, coop, year, provider):
    """The only purchases known are Vina's, who left the year before: nobody shares jasa usaha (Rp200.000), it is
    undistributed in cadangan, and the worksheet says there is no per-member data rather than naming the source."""
    wati = make_member(uow, coop, "Wati")
    vina = make_member(uow, coop, "Vina", status="keluar", ended_on=date(year - 1, 12, 31))
    save(uow, coop, wati, "pokok", 100_000, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    provider.set({vina.id: D(600_000)})
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "30"), ("jasa_usaha", "20")))
    assert (ws.ju_amount, ws.ju_basis_total, ws.cadangan_undistributed) == (D(200_000), 0, D(200_000))
    assert "Tidak ada data transaksi per anggota" in ws.ju_source and "uji" not in ws.ju_source
    assert {n: s.total_rounded for n, s in shares_of(uow, ws).items()} == {"Wati": D(300_000)}


def test_recomputing_one_years_worksheet_leaves_the_other_years_shares_alone(uow, coop, year):
    """Last year (the cooperative's first) and this year each have a worksheet; computing either again replaces
    only its own shares: last year's Rp300.000 to Kiki and this year's stay where they are."""
    from sqlalchemy import func, select

    from app.shu.models import ShuMemberShare

    kiki = make_member(uow, coop, "Kiki")
    save(uow, coop, kiki, "pokok", 100_000, date(year - 1, 7, 1))
    post(uow, coop, date(year - 1, 8, 1), [("kas", D(600_000), 0), ("411100", 0, D(600_000))])
    close(uow, coop, year - 1)
    _year_with_sales(uow, coop, year)
    last = compute(uow, coop, year - 1, split(("cadangan", "50"), ("jasa_modal", "50")))
    this = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))

    def shares(ws):
        return tuple(uow.execute(select(func.count(), func.sum(ShuMemberShare.total_rounded))
                                 .where(ShuMemberShare.worksheet_id == ws.id)).one())

    assert compute(uow, coop, year - 1, split(("cadangan", "40"), ("jasa_modal", "60"))).id == last.id
    assert (shares(last), shares(this)) == ((1, D(360_000)), (1, D(500_000)))
    assert compute(uow, coop, year, split(("cadangan", "40"), ("jasa_modal", "60"))).id == this.id
    assert (shares(last), shares(this)) == ((1, D(360_000)), (1, D(600_000)))


def test_two_members_who_left_in_the_same_year_each_count_their_own_savings(uow, coop, year):
    """Lia (pokok 100.000) left on 1 April and Mira (pokok 200.000) on 1 October; Nanda holds 100.000 all year.
    Year-end basis, rule "up to the exit": Lia 100.000 x 90/365, Mira 200.000 x 273/365 (in a year of 365 days),
    each from her own balance on the eve of her own exit."""
    lia = make_member(uow, coop, "Lia", status="keluar", ended_on=date(year, 4, 1))
    mira = make_member(uow, coop, "Mira", status="keluar", ended_on=date(year, 10, 1))
    nanda = make_member(uow, coop, "Nanda")
    for m, amount in ((lia, 100_000), (mira, 200_000), (nanda, 100_000)):
        save(uow, coop, m, "pokok", amount, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))
    start, end = date(year, 1, 1), date(year, 12, 31)
    days = (end - start).days + 1
    bases = {"Lia": D(100_000) * (date(year, 4, 1) - start).days / days,
             "Mira": D(200_000) * (date(year, 10, 1) - start).days / days, "Nanda": D(100_000)}
    total = sum(bases.values())
    got = shares_of(uow, ws)
    assert {n: s.jm_basis for n, s in got.items()} == {n: b.quantize(D("0.01"), rounding=ROUND_HALF_UP)
                                                       for n, b in bases.items()}
    assert {n: s.total_rounded for n, s in got.items()} == {n: rp(b / total * 500_000) for n, b in bases.items()}


def test_a_leaver_who_never_saved_gets_jasa_usaha_only_and_one_with_nothing_is_not_listed(uow, coop, year, provider):
    """Rule "up to the exit", year-end basis. Oka left on 1 July without ever saving but bought for 100.000: jasa
    usaha only. Pia left on 1 January holding pokok 100.000 and bought nothing: her savings count for no day, so she
    has no share at all and is not on the worksheet. Qori holds 100.000 and bought for 300.000."""
    oka = make_member(uow, coop, "Oka", status="keluar", ended_on=date(year, 7, 1))
    pia = make_member(uow, coop, "Pia", status="keluar", ended_on=date(year, 1, 1))
    qori = make_member(uow, coop, "Qori")
    save(uow, coop, pia, "pokok", 100_000, date(year - 1, 12, 1))
    save(uow, coop, qori, "pokok", 100_000, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    provider.set({oka.id: D(100_000), qori.id: D(300_000)})
    ws = compute(uow, coop, year, split(("cadangan", "40"), ("jasa_modal", "20"), ("jasa_usaha", "40")))
    got = shares_of(uow, ws)
    assert {n: (s.jm_basis, s.jm_exact, s.ju_exact, s.total_rounded) for n, s in got.items()} == {
        "Oka": (0, 0, D(100_000), D(100_000)), "Qori": (D(100_000), D(200_000), D(300_000), D(500_000))}
    assert ws.member_count == 2 and ws.jm_basis_total == D(100_000)


def test_a_basis_of_one_rupiah_still_counts(uow, coop, year):
    """Rina saved Rp365 and left on 2 January: one day of 365, a basis of Rp1. Sandi holds 99.999. Jasa modal
    Rp500.000: Rina 1 / 100.000 of it, Rp5."""
    rina = make_member(uow, coop, "Rina", status="keluar", ended_on=date(year, 1, 2))
    sandi = make_member(uow, coop, "Sandi")
    save(uow, coop, rina, "pokok", 365, date(year - 1, 12, 1))
    save(uow, coop, sandi, "pokok", 99_999, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))
    days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    rina_basis = D(365) / days
    got = shares_of(uow, ws)
    assert got["Rina"].total_rounded == rp(rina_basis / (rina_basis + 99_999) * 500_000)
    if days == 365:
        assert (got["Rina"].jm_basis, got["Rina"].total_rounded) == (D(1), D(5))


def test_jasa_usaha_is_shared_exactly_and_the_rounding_remainder_goes_to_cadangan(uow, coop, year, provider):
    """Jasa usaha 10 % = Rp100.000 among three members who bought 250.000 each: 33.333,333333 each on the worksheet,
    Rp33.333 paid to each, and the Rp1 left over goes to cadangan (40 % + 1)."""
    members = [make_member(uow, coop, n) for n in ("Tari", "Umar", "Vera")]
    _year_with_sales(uow, coop, year)
    provider.set({m.id: D(250_000) for m in members})
    ws = compute(uow, coop, year, split(("cadangan", "90"), ("jasa_usaha", "10")))
    got = shares_of(uow, ws)
    assert {n: (s.ju_exact, s.total_exact, s.total_rounded) for n, s in got.items()} == {
        n: (D("33333.333333"), D("33333.333333"), D(33_333)) for n in ("Tari", "Umar", "Vera")}
    assert (ws.member_shares_total, ws.cadangan_rounding, ws.cadangan_total) == (D(99_999), D(1), D(900_001))


def test_an_shu_of_fifty_sen_from_members_is_the_members_shu_and_goes_to_cadangan(uow, coop, year):
    """Revenue from members of Rp0,50 and no costs: the SHU of 50 sen is all the members', and a split of
    cadangan 100 % puts the 50 sen in cadangan (it is a surplus, not a loss)."""
    make_member(uow, coop, "Wina")
    _year_with_sales(uow, coop, year, amount=D("0.50"))
    ws = compute(uow, coop, year, split(("cadangan", "100")))
    assert (ws.shu_total, ws.shu_members, ws.shu_non_members) == (D("0.50"), D("0.50"), 0)
    assert (ws.cadangan_total, ws.loss_covered, ws.loss_uncovered) == (D("0.50"), 0, 0)


def test_a_loss_of_fifty_sen_has_no_members_part(uow, coop, year):
    """Beban Rp0,50 and no revenue: a loss of 50 sen, none of it the members' SHU."""
    make_member(uow, coop, "Yosef")
    post(uow, coop, date(year, 1, 11), [("kas", D(1_000), 0), ("313000", 0, D(1_000))])
    post(uow, coop, date(year, 3, 2), [("521000", D("0.50"), 0), ("kas", 0, D("0.50"))])
    close(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "100")))
    assert (ws.shu_total, ws.shu_members, ws.shu_non_members) == (D("-0.50"), 0, D("-0.50"))
    assert (ws.loss_covered, ws.loss_uncovered) == (0, D("0.50"))


def test_a_loss_with_nothing_in_cadangan_stays_uncovered_whatever_other_equity_there_is(uow, coop, year):
    """The cooperative holds hibah and modal (313000) but nothing in cadangan: a loss of Rp2.000.000 is not
    covered at all."""
    make_member(uow, coop, "Zainal")
    post(uow, coop, date(year, 1, 11), [("kas", D(5_000_000), 0), ("313000", 0, D(5_000_000))])
    post(uow, coop, date(year, 3, 2), [("521000", D(2_000_000), 0), ("kas", 0, D(2_000_000))])
    close(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "40"), ("jasa_modal", "60")))
    assert (ws.shu_total, ws.loss_covered, ws.loss_uncovered) == (D(-2_000_000), 0, D(2_000_000))


def test_another_cooperatives_savings_do_not_count(uow, coop, year):
    """A cooperative founded later, with its own saving member: this cooperative's jasa modal goes to its own
    member, whole."""
    from sqlalchemy import select

    from app.cooperatives.models import Cooperative
    from app.cooperatives.services import create_cooperative

    from .conftest import FRESH_CODES

    code = next(c for c in FRESH_CODES if uow.scalar(select(Cooperative.id).where(Cooperative.region_code == c))
                is None)
    other = create_cooperative(code, session=uow, musyawarah_date=date(year - 1, 5, 31), akta_number="18",
                               akta_date=date(year - 1, 6, 20), notary_name="Notaris Uji")
    assert other.id > coop.id
    save(uow, other, make_member(uow, other, "Anwar"), "pokok", 300_000, date(year, 1, 6))
    save(uow, coop, make_member(uow, coop, "Bayu"), "pokok", 100_000, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))
    assert {n: s.total_rounded for n, s in shares_of(uow, ws).items()} == {"Bayu": D(500_000)}
    assert ws.jm_basis_total == D(100_000)


def test_a_member_who_left_on_a_month_end_does_not_count_that_month_end(uow, coop, year):
    """Average of the month-end balances, rule "up to the exit": Cici (pokok 120.000 from January) left on
    30 April, so her balance counts at the ends of January, February and March only: 30.000."""
    cici = make_member(uow, coop, "Cici", status="keluar", ended_on=date(year, 4, 30))
    dodi = make_member(uow, coop, "Dodi")
    save(uow, coop, cici, "pokok", 120_000, date(year, 1, 5))
    save(uow, coop, dodi, "pokok", 120_000, date(year, 1, 5))
    _year_with_sales(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")), balance_basis="rata_bulanan")
    got = shares_of(uow, ws)
    assert {n: (s.jm_basis, s.total_rounded) for n, s in got.items()} == {
        "Cici": (D(30_000), D(100_000)), "Dodi": (D(120_000), D(400_000))}


def test_a_negative_average_balance_gives_no_share(uow, coop, year):
    """Every simpanan on the monthly average: Edo's sukarela of 100.000 was paid in on 20 December, and its
    withdrawal was booked dated 10 November, so his November month end is -100.000 and his average negative: no
    share, not even a negative one, and not in the total. Fitri holds 100.000 all year and takes the part."""
    edo, fitri = make_member(uow, coop, "Edo"), make_member(uow, coop, "Fitri")
    save(uow, coop, fitri, "sukarela", 100_000, date(year, 1, 5))
    save(uow, coop, edo, "sukarela", 100_000, date(year, 12, 20))
    save(uow, coop, edo, "sukarela", 100_000, date(year, 11, 10), direction="tarik")
    _year_with_sales(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")), jm_basis="semua",
                 balance_basis="rata_bulanan")
    assert {n: s.total_rounded for n, s in shares_of(uow, ws).items()} == {"Fitri": D(500_000)}
    assert ws.jm_basis_total == D(100_000)


@pytest.mark.parametrize("part", ["jasa_modal", "jasa_usaha"])
def test_without_one_member_part_its_basis_alone_puts_nobody_on_the_worksheet(uow, coop, year, provider, part):
    """Gani only saves (pokok 100.000), Hesti only buys (500.000). With jasa modal 50 % and no jasa usaha only
    Gani is on the worksheet; with jasa usaha 50 % and no jasa modal only Hesti."""
    gani, hesti = make_member(uow, coop, "Gani"), make_member(uow, coop, "Hesti")
    save(uow, coop, gani, "pokok", 100_000, date(year, 1, 6))
    _year_with_sales(uow, coop, year)
    provider.set({hesti.id: D(500_000)})
    ws = compute(uow, coop, year, split(("cadangan", "50"), (part, "50")))
    who = "Gani" if part == "jasa_modal" else "Hesti"
    assert {n: s.total_rounded for n, s in shares_of(uow, ws).items()} == {who: D(500_000)}
    assert ws.member_count == 1


def test_a_year_that_broke_even_has_nothing_to_allocate(uow, coop, year):
    """Revenue 1.000.000 and beban 1.000.000: SHU zero. No allocation lines, no shares, no loss to cover."""
    xa = make_member(uow, coop, "Xaverius")
    save(uow, coop, xa, "pokok", 100_000, date(year, 1, 6))
    post(uow, coop, date(year, 3, 1), [("kas", D(1_000_000), 0), ("411100", 0, D(1_000_000))])
    post(uow, coop, date(year, 3, 2), [("521000", D(1_000_000), 0), ("kas", 0, D(1_000_000))])
    close(uow, coop, year)
    ws = compute(uow, coop, year, split(("cadangan", "50"), ("jasa_modal", "50")))
    assert ws.shu_total == 0 and list(ws.lines) == []
    assert services.member_shares(uow, ws) == [] and ws.member_count == 0
    assert (ws.loss_covered, ws.loss_uncovered, ws.cadangan_total) == (0, 0, 0)
