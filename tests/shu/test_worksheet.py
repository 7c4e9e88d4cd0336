"""The SHU worksheet of a closed year, checked against worked examples computed by hand in Decimal (textbook
style: Kurikulum Merdeka "Maju Terus", "Tanjung Pandan Makmur", a loss year). Each time the parts add up to the
SHU to the rupiah."""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.shu import services
from app.shu.models import ShuMemberShare, ShuWorksheet

from .conftest import D, PENGURUS, close, make_member, post, save, split

R = D("1")


def rp(value):
    return value.quantize(R, rounding=ROUND_HALF_UP)


def shares_of(uow, ws):
    return {s.member.name: s for s in services.member_shares(uow, ws)}


def _maju_terus(uow, coop, year):
    """Members A, B, C; sales only to members: revenue 50 jt, HPP 30 jt, beban 10 jt -> SHU 10 jt."""
    a, b, c = (make_member(uow, coop, n) for n in ("Ani", "Budi", "Citra"))
    for m, wajib in ((a, 1_200_000), (b, 600_000), (c, 900_000)):
        save(uow, coop, m, "pokok", 100_000, date(year, 1, 10))
        save(uow, coop, m, "wajib", wajib, date(year, 6, 10))
    save(uow, coop, a, "sukarela", 5_000_000, date(year, 2, 1))  # sukarela does not count on pokok + wajib
    post(uow, coop, date(year, 3, 31), [("kas", D(50_000_000), 0), ("411100", 0, D(50_000_000))])
    post(uow, coop, date(year, 3, 31), [("persediaan", D(30_000_000), 0), ("kas", 0, D(30_000_000))])
    post(uow, coop, date(year, 4, 1), [("511000", D(30_000_000), 0), ("persediaan", 0, D(30_000_000))])
    post(uow, coop, date(year, 5, 1), [("521000", D(10_000_000), 0), ("kas", 0, D(10_000_000))])
    close(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                         allocations=split(("cadangan", "15"), ("jasa_modal", "20"), ("jasa_usaha", "50"),
                                           ("dana_pengurus", "10,00"), ("dana_pendidikan", "5.00")))
    return a, b, c


def test_maju_terus_members_get_jasa_modal_and_jasa_usaha_and_the_rounding_goes_to_cadangan(uow, coop, year,
                                                                                             provider):
    """SHU Rp10.000.000, all from members; jasa modal 20 % on pokok + wajib at year end, jasa usaha 50 % on
    purchases; each member's share rounded half-up, the -Rp1 remainder taken from cadangan."""
    a, b, c = _maju_terus(uow, coop, year)
    provider.set({a.id: D(20_000_000), b.id: D(10_000_000), c.id: D(20_000_000)})
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)

    shu = D(10_000_000)
    jm, ju = shu * D("0.20"), shu * D("0.50")  # 2.000.000 and 5.000.000
    simpanan = {"Ani": D(1_300_000), "Budi": D(700_000), "Citra": D(1_000_000)}
    beli = {"Ani": D(20_000_000), "Budi": D(10_000_000), "Citra": D(20_000_000)}
    exact = {n: simpanan[n] / D(3_000_000) * jm + beli[n] / D(50_000_000) * ju for n in simpanan}
    # Ani 866.666,67 + 2.000.000; Budi 466.666,67 + 1.000.000; Citra 666.666,67 + 2.000.000
    assert {n: rp(v) for n, v in exact.items()} == {"Ani": D(2_866_667), "Budi": D(1_466_667),
                                                     "Citra": D(2_666_667)}
    got = shares_of(uow, ws)
    assert {n: s.total_rounded for n, s in got.items()} == {n: rp(v) for n, v in exact.items()}
    assert got["Ani"].jm_basis == D(1_300_000) and got["Ani"].ju_basis == D(20_000_000)
    assert got["Budi"].jm_exact == D("466666.666667")
    assert ws.shu_total == shu and ws.shu_members == shu and ws.shu_non_members == 0
    assert ws.jm_amount == jm and ws.ju_amount == ju
    assert ws.member_shares_total == D(7_000_001)
    assert ws.cadangan_rounding == D(-1)
    assert ws.cadangan_total == D(1_500_000) - 1
    assert ws.funds_total == D(1_000_000) + D(500_000)
    assert ws.cadangan_total + ws.funds_total + ws.member_shares_total == shu
    assert ws.member_shares_total + ws.cadangan_rounding == jm + ju  # the member part, to the rupiah
    assert "Penjualan gerai (uji)" in ws.ju_source


def _tanjung_pandan(uow, coop, year):
    """Revenue from members 6 jt and non-members 4 jt, HPP 5 jt, beban 2 jt -> SHU 3 jt."""
    a, b = make_member(uow, coop, "Dewi"), make_member(uow, coop, "Eko")
    save(uow, coop, a, "pokok", 100_000, date(year, 1, 10))
    save(uow, coop, a, "wajib", 200_000, date(year, 2, 10))
    save(uow, coop, a, "sukarela", 900_000, date(year, 3, 10))
    save(uow, coop, a, "sukarela", 200_000, date(year, 9, 10), direction="tarik")
    save(uow, coop, b, "pokok", 100_000, date(year, 1, 10))
    save(uow, coop, b, "wajib", 100_000, date(year, 2, 10))
    post(uow, coop, date(year, 4, 30), [("kas", D(10_000_000), 0), ("411100", 0, D(6_000_000)),
                                        ("411200", 0, D(4_000_000))])
    post(uow, coop, date(year, 4, 30), [("511000", D(5_000_000), 0), ("kas", 0, D(5_000_000))])
    post(uow, coop, date(year, 5, 30), [("521000", D(2_000_000), 0), ("kas", 0, D(2_000_000))])
    close(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, jm_basis="semua",
                         allocations=split(("cadangan", "20"), ("jasa_modal", "40"), ("jasa_usaha", "30"),
                                           ("dana_pendidikan", "10")))
    return a, b


def test_tanjung_pandan_only_the_members_shu_is_shared_and_jasa_usaha_without_data_goes_to_cadangan(uow, coop,
                                                                                                  year):
    """SHU Rp3.000.000: Rp1.800.000 from members (costs shared by revenue 60:40); the member parts apply to the
    members' SHU only, their non-member portion goes to cadangan; with no per-member transactions known the jasa
    usaha part stays undistributed, in cadangan, and the worksheet says why."""
    a, b = _tanjung_pandan(uow, coop, year)
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    shu, member = D(3_000_000), D(6_000_000) - D(7_000_000) * D(6) / D(10)
    assert member == D(1_800_000)
    assert (ws.shu_total, ws.shu_members, ws.shu_non_members) == (shu, member, shu - member)
    jm, ju = member * D("0.40"), member * D("0.30")
    assert (ws.jm_amount, ws.ju_amount) == (jm, ju)
    assert ws.cadangan_non_member == (shu - member) * D("0.70")
    assert ws.cadangan_undistributed == ju
    assert "Tidak ada data transaksi per anggota" in ws.ju_source
    # every simpanan at year end: Dewi 100.000 + 200.000 + 700.000, Eko 200.000
    got = shares_of(uow, ws)
    assert got["Dewi"].total_rounded == rp(D(1_000_000) / D(1_200_000) * jm) == D(600_000)
    assert got["Eko"].total_rounded == rp(D(200_000) / D(1_200_000) * jm) == D(120_000)
    assert ws.cadangan_total == shu * D("0.20") + (shu - member) * D("0.70") + ju
    assert ws.funds_total == shu * D("0.10")
    assert ws.cadangan_total + ws.funds_total + ws.member_shares_total == shu


def test_average_of_month_end_balances_and_a_leaver_who_keeps_a_share_up_to_the_exit(uow, coop, year):
    """Jasa modal on the average of the twelve month-end balances: a member who saved from July counts half; a
    member who left on 15 April counts January to March only (leavers rule: share up to the exit date)."""
    a, b = make_member(uow, coop, "Fajar"), make_member(uow, coop, "Gita")
    c = make_member(uow, coop, "Hadi", status="keluar", ended_on=date(year, 4, 15))
    save(uow, coop, a, "pokok", 120_000, date(year, 1, 5))
    save(uow, coop, b, "pokok", 120_000, date(year, 7, 10))
    save(uow, coop, c, "pokok", 120_000, date(year, 1, 5))
    post(uow, coop, date(year, 8, 1), [("kas", D(1_000_000), 0), ("411100", 0, D(1_000_000))])
    close(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, balance_basis="rata_bulanan",
                         allocations=split(("cadangan", "50"), ("jasa_modal", "50")))
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    avg = {"Fajar": D(120_000) * 12 / 12, "Gita": D(120_000) * 6 / 12, "Hadi": D(120_000) * 3 / 12}
    total, jm = sum(avg.values()), D(500_000)
    got = shares_of(uow, ws)
    assert {n: s.jm_basis for n, s in got.items()} == avg
    assert {n: s.total_rounded for n, s in got.items()} == {n: rp(v / total * jm) for n, v in avg.items()}
    assert got["Hadi"].left_on == date(year, 4, 15)
    assert ws.cadangan_total + ws.funds_total + ws.member_shares_total == D(1_000_000)

    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, balance_basis="rata_bulanan",
                         leaver_rule="tidak", allocations=split(("cadangan", "50"), ("jasa_modal", "50")))
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    got = shares_of(uow, ws)
    assert set(got) == {"Fajar", "Gita"}  # leavers rule "none": no share, not in the totals either
    assert got["Fajar"].total_rounded == rp(D(120_000) / D(180_000) * jm) == D(333_333)
    assert got["Gita"].total_rounded == rp(D(60_000) / D(180_000) * jm) == D(166_667)


def test_a_loss_year_gives_no_member_shares_and_is_covered_from_cadangan(uow, coop, year):
    """Revenue 1 jt, beban 3 jt: a loss of Rp2.000.000; cadangan of Rp1.500.000 covers that much, Rp500.000 stays
    uncovered; nobody gets SHU."""
    a = make_member(uow, coop, "Indah")
    save(uow, coop, a, "pokok", 100_000, date(year, 1, 10))
    post(uow, coop, date(year, 1, 11), [("kas", D(5_000_000), 0), ("315000", 0, D(1_500_000)),
                                        ("313000", 0, D(3_500_000))])
    post(uow, coop, date(year, 3, 1), [("kas", D(1_000_000), 0), ("411100", 0, D(1_000_000))])
    post(uow, coop, date(year, 3, 2), [("521000", D(3_000_000), 0), ("kas", 0, D(3_000_000))])
    close(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                         allocations=split(("cadangan", "40"), ("jasa_modal", "60")))
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert ws.shu_total == D(-2_000_000) and ws.is_loss
    assert (ws.shu_members, ws.shu_non_members) == (0, D(-2_000_000))  # no members' part of a loss
    assert (ws.loss_covered, ws.loss_uncovered) == (D(1_500_000), D(500_000))
    assert services.member_shares(uow, ws) == [] and ws.member_shares_total == 0 and ws.member_count == 0
    assert services.distribution_lines(ws) == [("cadangan", D(1_500_000), 0, "Penutupan rugi dari cadangan"),
                                               ("shu_belum_dibagi", 0, D(1_500_000), f"Rugi tahun buku {year}")]


def test_a_year_not_closed_is_refused_with_the_reason_and_nothing_is_written(uow, coop, year):
    post(uow, coop, date(year, 3, 1), [("kas", D(1_000_000), 0), ("411100", 0, D(1_000_000))])
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                         allocations=split(("cadangan", "40"), ("jasa_modal", "60")))
    with pytest.raises(DomainError, match=f"Tahun buku {year} belum ditutup"):
        services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert uow.scalar(select(func.count(ShuWorksheet.id)).where(ShuWorksheet.cooperative_id == coop.id)) == 0


def test_only_the_pengurus_computes_the_worksheet(uow, coop, year):
    from .conftest import SEKRETARIS

    with pytest.raises(DomainError, match="Hanya Pengurus"):
        services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=SEKRETARIS)


def test_recomputing_replaces_the_shares_until_the_distribution_is_posted(uow, coop, year, provider):
    a, b, c = _maju_terus(uow, coop, year)
    provider.set({a.id: D(50_000_000)})
    first = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert shares_of(uow, first)["Ani"].ju_exact == D(5_000_000)
    provider.set({a.id: D(25_000_000), b.id: D(25_000_000)})
    again = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert again.id == first.id
    assert uow.scalar(select(func.count(ShuMemberShare.id)).where(ShuMemberShare.worksheet_id == again.id)) == 3
    assert shares_of(uow, again)["Budi"].ju_exact == D(2_500_000)
    assert uow.scalar(select(func.sum(ShuMemberShare.total_rounded))
                      .where(ShuMemberShare.worksheet_id == again.id)) == again.member_shares_total


def test_recomputing_after_the_split_changed_shows_only_the_new_parts_in_their_order(uow, coop, year, provider):
    """The Pengurus computes, then the board changes the split (no more dana pengurus or pendidikan, cadangan
    30 %) and computes again: the worksheet shows the three new parts, numbered in the order given, with the new
    amounts, and names the rule it used."""
    from app.shu.models import ShuRule, ShuWorksheetLine

    a, b, c = _maju_terus(uow, coop, year)
    provider.set({a.id: D(20_000_000), b.id: D(10_000_000), c.id: D(20_000_000)})
    first = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert len(first.lines) == 5
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                         allocations=split(("jasa_usaha", "50"), ("cadangan", "30"), ("jasa_modal", "20")))
    again = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    uow.expire_all()
    lines = uow.execute(select(ShuWorksheetLine.position, ShuWorksheetLine.kind, ShuWorksheetLine.amount)
                        .where(ShuWorksheetLine.worksheet_id == again.id)
                        .order_by(ShuWorksheetLine.position)).all()
    assert [tuple(r) for r in lines] == [(0, "jasa_usaha", D(5_000_000)), (1, "cadangan", D(3_000_000)),
                                         (2, "jasa_modal", D(2_000_000))]
    rule = uow.scalar(select(ShuRule).where(ShuRule.cooperative_id == coop.id, ShuRule.year == year))
    assert uow.get(type(again), again.id).rule_id == rule.id
    assert again.funds_total == 0 and again.cadangan_total + again.member_shares_total == D(10_000_000)


def test_a_loss_larger_than_what_is_left_of_cadangan_takes_only_what_is_left(uow, coop, year):
    """Cadangan was built to Rp2.000.000 and Rp500.000 of it already used; a loss of Rp3.500.000 takes the
    Rp1.500.000 left, and Rp2.000.000 stays uncovered."""
    a = make_member(uow, coop, "Indah")
    save(uow, coop, a, "pokok", 100_000, date(year, 1, 10))
    post(uow, coop, date(year, 1, 11), [("kas", D(6_000_000), 0), ("315000", 0, D(2_000_000)),
                                        ("313000", 0, D(4_000_000))])
    post(uow, coop, date(year, 1, 12), [("315000", D(500_000), 0), ("313000", 0, D(500_000))])
    post(uow, coop, date(year, 3, 1), [("kas", D(500_000), 0), ("411100", 0, D(500_000))])
    post(uow, coop, date(year, 3, 2), [("521000", D(4_000_000), 0), ("kas", 0, D(4_000_000))])
    close(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                         allocations=split(("cadangan", "40"), ("jasa_modal", "60")))
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert ws.shu_total == D(-3_500_000)
    assert (ws.loss_covered, ws.loss_uncovered) == (D(1_500_000), D(2_000_000))
    assert services.member_shares(uow, ws) == []
