"""SHU rules: the split must total exactly 100,00 %, no negative part, two decimals at most, cadangan present;
copied forward from last year; frozen once the RAT was held. A refused rule writes nothing."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError, ValidationFailed
from app.shu import services
from app.shu.models import ShuAllocation, ShuRule

from .conftest import D, LURAH, PENGURUS, split

GOOD = [("cadangan", "25"), ("jasa_modal", "20"), ("jasa_usaha", "35"), ("dana_pengurus", "7.5"),
        ("dana_karyawan", "5"), ("dana_pendidikan", "2.5"), ("dana_sosial", "2,5"), ("dana_pembangunan", "2.5")]


def _count(uow, coop):
    return (uow.scalar(select(func.count(ShuRule.id)).where(ShuRule.cooperative_id == coop.id)),
            uow.scalar(select(func.count(ShuAllocation.id)).where(ShuAllocation.cooperative_id == coop.id)))


def test_a_split_of_the_kpri_pattern_with_half_percents_is_kept_as_given(uow, coop, year):
    rule = services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                                allocations=split(*GOOD) + [("lain", "Dana kesehatan anggota", "0")],
                                decision_ref="RAT/2/2025")
    assert [(a.kind, a.percent) for a in rule.allocations] == [(k, D(p.replace(",", "."))) for k, p in GOOD]
    assert sum(a.percent for a in rule.allocations) == D("100.00")
    assert rule.decision_ref == "RAT/2/2025"


@pytest.mark.parametrize("last, shown", [("2.49", "99,99"), ("2.51", "100,01")])
def test_a_split_of_99_99_or_100_01_percent_is_refused_and_nothing_is_written(uow, coop, year, last, shown):
    parts = GOOD[:-1] + [("dana_pembangunan", last)]
    with pytest.raises(ValidationFailed, match=f"tepat 100,00% \\(sekarang {shown}%\\)"):
        services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, allocations=split(*parts))
    assert _count(uow, coop) == (0, 0)


@pytest.mark.parametrize("bad, message", [("-5", "tidak boleh negatif"), ("12.345", "dua angka desimal"),
                                          ("abc", "bukan persentase"), (12.5, "bukan pecahan biner"),
                                          ("101", "lebih dari 100")])
def test_a_negative_or_inexact_part_is_refused(uow, coop, year, bad, message):
    with pytest.raises(ValidationFailed, match=message):
        services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                             allocations=split(("cadangan", "40"), ("jasa_modal", bad), ("jasa_usaha", "60")))
    assert _count(uow, coop) == (0, 0)


def test_a_split_without_cadangan_is_refused(uow, coop, year):
    with pytest.raises(ValidationFailed, match="dana cadangan"):
        services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                             allocations=split(("jasa_modal", "40"), ("jasa_usaha", "60")))


def test_another_allocation_needs_a_name(uow, coop, year):
    with pytest.raises(ValidationFailed, match="Beri nama"):
        services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                             allocations=split(("cadangan", "90"), ("lain", "10")))


def test_only_the_pengurus_sets_the_rule(uow, coop, year):
    with pytest.raises(DomainError, match="Hanya Pengurus"):
        services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=LURAH, allocations=split(*GOOD))


def test_last_years_rule_is_copied_forward_without_its_decision(uow, coop, year):
    services.do_set_rule(uow, cooperative_id=coop.id, year=year - 1, acting_user=PENGURUS, allocations=split(*GOOD),
                         jm_basis="semua", balance_basis="rata_bulanan", decision_ref="RAT-1")
    rule = services.do_copy_rule_forward(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    assert rule.year == year and rule.copied_from_year == year - 1 and rule.decision_ref is None
    assert (rule.jm_basis, rule.balance_basis) == ("semua", "rata_bulanan")
    assert [(a.kind, a.percent) for a in rule.allocations] == [(k, D(p.replace(",", "."))) for k, p in GOOD]
    with pytest.raises(DomainError, match="sudah ada"):
        services.do_copy_rule_forward(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)


def test_the_rule_of_a_year_whose_rat_was_held_cannot_change(uow, coop, year):
    from app.core.dates import local_today

    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, allocations=split(*GOOD))
    rat = services.do_save_rat(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                               held_date=local_today(coop), members_total=10, attendance=6, decision_ref="RAT/1")
    services.do_advance_rat(uow, rat=rat, to_status="dilaksanakan", acting_user=PENGURUS)
    with pytest.raises(DomainError, match="sudah dilaksanakan"):
        services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                             allocations=split(("cadangan", "100")))
    assert services.rule_for(uow, coop.id, year).percent_of("cadangan") == D("25.00")
