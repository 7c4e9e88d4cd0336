"""After the RAT: the distribution journal through the ledger, payments (cash with an SHU receipt, or credited to
simpanan sukarela with a savings receipt), the unpaid list; the RAT status flow, quorum and deadline."""
import re
from datetime import date

import pytest

from app.core.dates import local_today
from app.core.errors import DomainError, ValidationFailed
from app.ledger.models import JournalEntry
from app.shu import services
from app.shu.models import RatMeeting, rat_deadline

from .conftest import D, PENGURUS, SEKRETARIS, SUDIN, balance_of
from .test_worksheet import _maju_terus


def _held(uow, coop, year, attendance=2, members=3):
    rat = services.do_save_rat(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                               held_date=local_today(coop), members_total=members, attendance=attendance,
                               decision_ref=f"KEP-RAT/{year}/01", chair_name="Ketua Uji")
    return services.do_advance_rat(uow, rat=rat, to_status="dilaksanakan", acting_user=PENGURUS)


def test_the_distribution_posts_cadangan_utang_shu_and_the_funds_from_shu_belum_dibagi(uow, coop, year, provider):
    a, b, c = _maju_terus(uow, coop, year)
    provider.set({a.id: D(20_000_000), b.id: D(10_000_000), c.id: D(20_000_000)})
    services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    with pytest.raises(DomainError, match="setelah RAT"):
        services.do_distribute(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    _held(uow, coop, year)
    ws = services.do_distribute(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    entry = uow.get(JournalEntry, ws.distribution_entry_id)
    assert entry.source_type == "shu_distribution" and entry.entry_date == local_today(coop)
    assert sorted((l.account.code, l.debit, l.credit, l.memo) for l in entry.lines) == sorted([
        ("317000", D(10_000_000), D(0), f"SHU tahun buku {year}"),
        ("315000", D(0), D(1_499_999), "Dana cadangan"),
        ("213000", D(0), D(7_000_001), "SHU 3 anggota"),
        ("214000", D(0), D(1_000_000), "Dana pengurus"),
        ("214000", D(0), D(500_000), "Dana pendidikan")])
    assert balance_of(uow, coop.id, "317000") == 0
    uow.expire_all()  # the worksheet as the next request reads it
    with pytest.raises(DomainError, match=re.escape(f"(jurnal {entry.number}); kertas kerjanya tidak dapat dihitung")):
        services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    with pytest.raises(DomainError, match="sudah dibagikan"):
        services.do_distribute(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)

    shares = {s.member.name: s for s in services.member_shares(uow, ws)}
    today = local_today(coop)
    kas_before = balance_of(uow, coop.id, "111000")
    paid = services.do_pay_share(uow, share=shares["Ani"], method="tunai", pay_date=today, acting_user=SEKRETARIS)
    assert paid.receipt_number == f"SHU-{today.year}-000001"
    assert balance_of(uow, coop.id, "111000") == kas_before - D(2_866_667)
    from app.savings.services import balances

    before = balances(uow, b.id)["sukarela"]
    credited = services.do_pay_share(uow, share=shares["Budi"], method="sukarela", pay_date=today,
                                     acting_user=PENGURUS)
    assert balances(uow, b.id)["sukarela"] == before + D(1_466_667)
    assert credited.receipt_number.startswith(f"KW-{today.year}-")
    assert balance_of(uow, coop.id, "213000") == -D(2_666_667)  # Citra's share is still owed
    assert [s.member.name for s in services.unpaid_shares(uow, coop.id, year)] == ["Citra"]
    with pytest.raises(DomainError, match="sudah dibayarkan"):
        services.do_pay_share(uow, share=shares["Ani"], method="tunai", pay_date=today, acting_user=PENGURUS)


def test_shares_cannot_be_paid_before_the_distribution(uow, coop, year, provider):
    a, b, c = _maju_terus(uow, coop, year)
    provider.set({a.id: D(1)})
    ws = services.do_compute_worksheet(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS)
    share = services.member_shares(uow, ws)[0]
    with pytest.raises(DomainError, match="setelah pembagiannya diposting"):
        services.do_pay_share(uow, share=share, method="tunai", pay_date=local_today(coop), acting_user=PENGURUS)


def test_the_rat_needs_its_quorum_and_only_the_sudin_verifies(uow, coop, year):
    services.do_set_rule(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, quorum_percent="66.67",
                         allocations=[("cadangan", None, "100")])
    rat = services.do_save_rat(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS,
                               held_date=local_today(coop), members_total=3, attendance=2, decision_ref="KEP/1")
    with pytest.raises(ValidationFailed, match="Kuorum RAT tidak tercapai: hadir 66,66%, disyaratkan 66,67%"):
        services.do_advance_rat(uow, rat=rat, to_status="dilaksanakan", acting_user=PENGURUS)
    services.do_save_rat(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, attendance=3)
    services.do_advance_rat(uow, rat=rat, to_status="dilaksanakan", acting_user=PENGURUS)
    with pytest.raises(DomainError, match="tidak dapat diubah dari"):
        services.do_advance_rat(uow, rat=rat, to_status="diverifikasi", acting_user=SUDIN)
    services.do_advance_rat(uow, rat=rat, to_status="dilaporkan", acting_user=PENGURUS)
    with pytest.raises(DomainError, match="Hanya Sudin"):
        services.do_advance_rat(uow, rat=rat, to_status="diverifikasi", acting_user=PENGURUS)
    services.do_advance_rat(uow, rat=rat, to_status="diverifikasi", acting_user=SUDIN)
    assert rat.status == "diverifikasi" and rat.verified_by == "uji.sudin"
    with pytest.raises(DomainError, match="sudah dilaporkan"):
        services.do_save_rat(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, minutes="ubah")


def test_a_rat_held_in_the_fiscal_year_or_in_the_future_is_refused(uow, coop, year):
    from datetime import timedelta

    for day, message in ((date(year, 12, 31), "sesudah tahun buku"),
                         (local_today(coop) + timedelta(days=1), "masa depan")):
        with pytest.raises(ValidationFailed, match=message):
            services.do_save_rat(uow, cooperative_id=coop.id, year=year, acting_user=PENGURUS, held_date=day)


def test_the_rat_deadline_is_six_months_after_the_year_end_and_late_is_flagged(uow, coop, year):
    rat = RatMeeting(cooperative=coop, cooperative_id=coop.id, year=year, status="disiapkan")
    assert rat.deadline == rat_deadline(year) == date(year + 1, 6, 30)
    assert rat.overdue_on(date(year + 1, 6, 30)) is False
    assert rat.overdue_on(date(year + 1, 7, 1)) is True
    rat.held_date = date(year + 1, 3, 20)
    assert rat.overdue_on(date(year + 2, 1, 1)) is False
    rat.held_date = date(year + 1, 7, 2)
    assert rat.overdue_on(date(year + 1, 7, 3)) is True
