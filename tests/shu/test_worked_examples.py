"""More worked examples computed by hand in Decimal: a member who left during the year on the year-end basis (both
leaver rules), an SHU whose parts and shares both round up (the remainders taken back from cadangan), and a named
"other" fund next to jasa modal and jasa usaha. Each time the parts add up to the SHU to the rupiah."""
from datetime import date
from decimal import ROUND_HALF_UP

from app.shu import services

from .conftest import D, PENGURUS, close, make_member, post, save, split


def rp(value):
    return value.quantize(D("1"), rounding=ROUND_HALF_UP)


def shares_of(uow, ws):
    return {s.member.name: s for s in services.member_shares(uow, ws)}


def _leaver_year(uow, coop, year):
    """Joko keeps pokok 100.000 + wajib 300.000 all year; Kartika saved pokok 100.000 + wajib 200.000 in January,
    left on 1 July and took her savings back that day. SHU Rp2.000.000 from members only."""
    joko = make_member(uow, coop, "Joko")
    kartika = make_member(uow, coop, "Kartika", status="keluar", ended_on=date(year, 7, 1))
    save(uow, coop, joko, "pokok", 100_000, date(year, 1, 6))
    save(uow, coop, joko, "wajib", 300_000, date(year, 1, 6))
    save(uow, coop, kartika, "pokok", 100_000, date(year, 1, 6))
    save(uow, coop, kartika, "wajib", 200_000, date(year, 1, 6))
    save(uow, coop, kartika, "pokok", 100_000, date(year, 7, 1), direction="tarik")
    save(uow, coop, kartika, "wajib", 200_000, date(year, 7, 1), direction="tarik")
    post(uow, coop, date(year, 8, 1), [("kas", D(2_000_000), 0), ("411100", 0, D(2_000_000))])
    close(uow, coop, year)
    return joko, kartika


def test_a_leaver_on_the_year_end_basis_counts_her_balance_before_the_exit_for_the_days_she_was_a_member(
        uow, coop, year):
    """Cadangan 40 %, jasa modal 60 % = Rp1.200.000 on pokok + wajib at year end. Kartika's basis is her balance on
    the eve of the exit (300.000; the withdrawal on the exit day does not lower it) times the part of the year she
    was a member: in 2025, 181 of 365 days = 148.767,123288. Joko 400.000. Joko 400.000 / 548.767,123288 x
    1.200.000 = 874.687,968048 -> 874.688; Kartika 325.312,031952 -> 325.312; together 1.200.000, no remainder."""
    _leaver_year(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                         allocations=split(("cadangan", "40"), ("jasa_modal", "60")))
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    served, days = (date(year, 7, 1) - date(year, 1, 1)).days, (date(year, 12, 31) - date(year, 1, 1)).days + 1
    kartika = D(300_000) * served / days
    total, jm = D(400_000) + kartika, D(1_200_000)
    got = shares_of(uow, ws)
    assert got["Kartika"].left_on == date(year, 7, 1) and got["Joko"].left_on is None
    assert got["Kartika"].jm_basis == kartika.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert got["Kartika"].jm_exact == (kartika / total * jm).quantize(D("0.000001"), rounding=ROUND_HALF_UP)
    assert got["Joko"].total_rounded == rp(D(400_000) / total * jm)
    assert got["Kartika"].total_rounded == rp(kartika / total * jm)
    if days == 365:  # the hand-worked figures above
        assert (got["Joko"].total_rounded, got["Kartika"].total_rounded) == (D(874_688), D(325_312))
    assert ws.member_shares_total + ws.cadangan_rounding == jm
    assert ws.cadangan_total + ws.funds_total + ws.member_shares_total == D(2_000_000)


def test_a_leaver_on_the_year_end_basis_gets_nothing_under_the_rule_none(uow, coop, year):
    """Leaver rule "tidak": Kartika is left out of the shares and of the totals; Joko takes the whole jasa modal
    part of Rp1.200.000."""
    _leaver_year(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, leaver_rule="tidak",
                         allocations=split(("cadangan", "40"), ("jasa_modal", "60")))
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    got = shares_of(uow, ws)
    assert set(got) == {"Joko"}
    assert got["Joko"].total_rounded == D(1_200_000) and got["Joko"].jm_basis == D(400_000)
    assert ws.jm_basis_total == D(400_000) and ws.member_count == 1
    assert (ws.cadangan_total, ws.member_shares_total) == (D(800_000), D(1_200_000))


def test_parts_and_shares_that_both_round_up_are_taken_back_from_cadangan(uow, coop, year):
    """SHU Rp1.000.001; cadangan 50 % and jasa modal 50 % are 500.000,50 each, both rounded up to 500.001: one
    rupiah too many, so cadangan keeps 500.000. Lina and Made hold pokok 100.000 each: 250.000,50 each, rounded up
    to 250.001, Rp500.002 for the members: the -Rp1 remainder also comes from cadangan, which ends at 499.999.
    499.999 + 500.002 = 1.000.001."""
    lina, made = make_member(uow, coop, "Lina"), make_member(uow, coop, "Made")
    for m in (lina, made):
        save(uow, coop, m, "pokok", 100_000, date(year, 1, 6))
    post(uow, coop, date(year, 5, 2), [("kas", D(1_000_001), 0), ("411100", 0, D(1_000_001))])
    close(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                         allocations=split(("cadangan", "50"), ("jasa_modal", "50")))
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert [(line.kind, line.amount) for line in ws.lines] == [("cadangan", D(500_001)), ("jasa_modal", D(500_001))]
    assert ws.cadangan_rule == D(500_000) and ws.jm_amount == D(500_001)
    got = shares_of(uow, ws)
    assert {n: (s.jm_exact, s.total_rounded) for n, s in got.items()} == {
        "Lina": (D("250000.500000"), D(250_001)), "Made": (D("250000.500000"), D(250_001))}
    assert (ws.member_shares_total, ws.cadangan_rounding, ws.cadangan_total) == (D(500_002), D(-1), D(499_999))
    assert ws.cadangan_total + ws.funds_total + ws.member_shares_total == D(1_000_001)
    assert services.distribution_lines(ws) == [
        ("shu_belum_dibagi", D(1_000_001), 0, f"SHU tahun buku {year}"), ("cadangan", 0, D(499_999), "Dana cadangan"),
        ("utang_shu", 0, D(500_002), "SHU 2 anggota")]


def test_a_named_fund_beside_jasa_modal_and_jasa_usaha(uow, coop, year, provider):
    """SHU Rp2.000.000 from members: cadangan 25 % = 500.000, jasa modal 30 % = 600.000 on savings 100.000 /
    200.000 / 400.000 (85.714,285714 / 171.428,571429 / 342.857,142857), jasa usaha 30 % = 600.000 on purchases
    1.000.000 / 2.000.000 / none (200.000 / 400.000 / 0), "Dana kesejahteraan RW" 15 % = 300.000. Shares: Nina
    285.714,285714 -> 285.714, Oki 571.428,571429 -> 571.429, Putu 342.857,142857 -> 342.857; 1.200.000."""
    nina, oki, putu = (make_member(uow, coop, n) for n in ("Nina", "Oki", "Putu"))
    for m, pokok in ((nina, 100_000), (oki, 200_000), (putu, 400_000)):
        save(uow, coop, m, "pokok", pokok, date(year, 1, 6))
    post(uow, coop, date(year, 5, 2), [("kas", D(2_000_000), 0), ("411100", 0, D(2_000_000))])
    close(uow, coop, year)
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                         allocations=[("cadangan", None, "25"), ("jasa_modal", None, "30"), ("jasa_usaha", None, "30"),
                                      ("lain", "Dana kesejahteraan RW", "15")])
    provider.set({nina.id: D(1_000_000), oki.id: D(2_000_000)})
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    got = shares_of(uow, ws)
    assert {n: s.total_rounded for n, s in got.items()} == {"Nina": D(285_714), "Oki": D(571_429),
                                                            "Putu": D(342_857)}
    assert got["Oki"].jm_exact == D("171428.571429") and got["Oki"].ju_exact == D("400000.000000")
    assert got["Putu"].ju_exact == 0 and got["Putu"].ju_basis == 0
    assert (ws.member_shares_total, ws.cadangan_rounding) == (D(1_200_000), 0)
    assert (ws.cadangan_total, ws.funds_total) == (D(500_000), D(300_000))
    assert ("dana_shu", 0, D(300_000), "Dana kesejahteraan RW") in services.distribution_lines(ws)


def test_a_closed_year_without_a_rule_is_refused_with_the_reason_and_nothing_is_written(uow, coop, year):
    from sqlalchemy import func, select

    import pytest

    from app.core.errors import DomainError
    from app.shu.models import ShuWorksheet

    post(uow, coop, date(year, 5, 2), [("kas", D(1_000_000), 0), ("411100", 0, D(1_000_000))])
    close(uow, coop, year)
    with pytest.raises(DomainError, match=f"Aturan pembagian SHU tahun buku {year} belum ditetapkan"):
        services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert uow.scalar(select(func.count(ShuWorksheet.id)).where(ShuWorksheet.cooperative_id == coop.id)) == 0
