"""The member rules at the service level: NIK, territory, numbering, status flow, who may do what, one live
membership per NIK, counts by sex."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError, ValidationFailed
from app.members import services
from app.members.models import Member, MemberCounter, MemberStatusEvent, NikRegistry

from .helpers import (CEMOROKANDANG, KEBON_JERUK, SUKABUMI_UTARA, acting_as, coop_id, full_width, make_nik,
                      new_member)


def test_a_nik_typed_with_spaces_dashes_or_full_width_digits_is_stored_as_16_ascii_digits(app):
    nik = make_nik(date(1990, 8, 4), "P")
    spaced = f" {nik[:4]} {nik[4:8]}-{nik[8:12]}.{nik[12:]} "
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        for typed in (spaced, full_width(nik)):
            m = new_member(session, nik=typed, sex="P", born=date(1990, 8, 4))
            services.check_member(m, session)
            assert m.nik == nik and len(m.nik_hmac) == 64
        assert services.nik_hmac(full_width(nik)) == services.nik_hmac(nik)


@pytest.mark.parametrize("bad", ["32730560109", "3273O56010900009", "3173050013900009", "3173053201900009",
                                 "3173051513900009", "3173053601900009", "9973050101900009", ""])
def test_a_malformed_nik_is_refused_with_a_message_on_the_nik_field(app, bad):
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        m = new_member(session, nik=bad)
        with pytest.raises(ValidationFailed) as e:
            services.check_member(m, session)
        assert e.value.field == "nik" and "NIK" in str(e.value)


def test_a_birth_date_or_sex_that_disagrees_with_the_nik_is_refused_on_that_field(app):
    woman = make_nik(date(1990, 8, 4), "P")  # day 44 = 4 + 40
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        m = new_member(session, nik=woman, sex="L", born=date(1990, 8, 4))
        with pytest.raises(ValidationFailed) as e:
            services.check_member(m, session)
        assert e.value.field == "sex" and "perempuan" in str(e.value)
        m = new_member(session, nik=woman, sex="P", born=date(1990, 8, 5))
        with pytest.raises(ValidationFailed) as e:
            services.check_member(m, session)
        assert e.value.field == "birth_date" and "04/08" in str(e.value)
        m = new_member(session, nik=woman, sex="P", born=date(1990, 8, 4))
        assert services.check_member(m, session).sex == "P"


def test_future_birth_or_join_dates_are_refused(app):
    tomorrow = date.today() + timedelta(days=2)
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        m = new_member(session, join_date=tomorrow)
        with pytest.raises(ValidationFailed) as e:
            services.check_member(m, session)
        assert e.value.field == "join_date"
        m = new_member(session, born=tomorrow, nik=make_nik(tomorrow, "L"))
        with pytest.raises(ValidationFailed) as e:
            services.check_member(m, session)
        assert e.value.field in ("birth_date", "nik")


def test_membership_is_territorial_by_ktp_domicile_not_by_nik_prefix(app):
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        # A NIK first issued in Kabupaten Bogor (3201..) of someone living in Kebon Jeruk is fine.
        m = new_member(session, nik=make_nik(date(1985, 3, 12), "L", prefix="320101"))
        services.check_member(m, session)
        # Living in the neighbouring kelurahan is not, even with a Kebon Jeruk NIK prefix.
        m = new_member(session, domicile_code=SUKABUMI_UTARA)
        with pytest.raises(ValidationFailed) as e:
            services.check_member(m, session)
        assert e.value.field == "domicile_code" and "31.73.05.1002" in str(e.value)
        m = new_member(session, domicile_code="3173051001")
        with pytest.raises(ValidationFailed) as e:
            services.check_member(m, session)
        assert e.value.field == "domicile_code"


def test_member_numbers_are_given_at_approval_gapless_per_cooperative_even_after_a_rollback(app):
    with acting_as(app, "pengurus.kebonjeruk") as (session, user):
        cid = coop_id(session, KEBON_JERUK)
        start = session.scalar(select(MemberCounter.last_number).where(MemberCounter.cooperative_id == cid))
        members = []
        for _ in range(3):
            m = services.register_member(session, new_member(session), user)
            assert m.member_number is None and m.status == "permohonan"
            members.append(m)
        session.commit()
        services.do_approve(session, members[0], user)
        session.commit()
        services.do_approve(session, members[1], user)
        session.rollback()  # the second approval is abandoned: its number must be reused
        services.do_approve(session, members[2], user)
        services.do_approve(session, members[1], user)
        session.commit()
        numbers = [m.member_number for m in members]
        assert numbers == [f"A-{start + 1:06d}", f"A-{start + 3:06d}", f"A-{start + 2:06d}"]
        seqs = session.scalars(select(Member.member_seq).where(Member.cooperative_id == cid,
                                                               Member.member_seq.isnot(None))).all()
        assert sorted(seqs) == list(range(1, max(seqs) + 1))


def test_the_status_flow_is_dated_and_each_step_is_in_the_history_and_the_audit_log(app, sysdb):
    from app.core.audit import AuditEvent

    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        m = services.register_member(session, new_member(session), user)
        session.commit()
        member_id = m.id
    with acting_as(app, "pengurus.kebonjeruk") as (session, user):
        m = session.get(Member, member_id)
        services.do_approve(session, m, user, on=date(2025, 10, 5))
        services.do_activate(session, m, user, on=date(2025, 10, 10))
        session.commit()
        with pytest.raises(ValidationFailed):
            services.do_end(session, m, user, "keluar", on=date(2025, 10, 9))  # before it became active
        session.rollback()
        m = session.get(Member, member_id)
        services.do_end(session, m, user, "keluar", on=date(2025, 11, 1), note="Pindah ke Depok")
        session.commit()
    events = sysdb.scalars(select(MemberStatusEvent).where(MemberStatusEvent.member_id == member_id)
                           .order_by(MemberStatusEvent.id)).all()
    assert [(e.to_status, e.on_date, e.username) for e in events] == [
        ("permohonan", date(2025, 10, 1), "sekretaris.kebonjeruk"),
        ("disetujui", date(2025, 10, 5), "pengurus.kebonjeruk"),
        ("aktif", date(2025, 10, 10), "pengurus.kebonjeruk"),
        ("keluar", date(2025, 11, 1), "pengurus.kebonjeruk")]
    row = sysdb.get(Member, member_id)
    assert (row.approved_on, row.active_since, row.ended_on) == (date(2025, 10, 5), date(2025, 10, 10),
                                                                 date(2025, 11, 1))
    audited = sysdb.scalars(select(AuditEvent.after).where(AuditEvent.table_name == "member",
                                                           AuditEvent.record_id == str(member_id))).all()
    assert any('"status": "keluar"' in (a or "") for a in audited)
    assert sysdb.scalar(select(NikRegistry).where(NikRegistry.member_id == member_id)) is None


def test_only_the_pengurus_approves_activates_refuses_and_ends_a_membership(app):
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        m = services.register_member(session, new_member(session), user)
        session.commit()
        for step in (services.do_approve, services.do_reject):
            with pytest.raises(DomainError) as e:
                step(session, m, user)
            assert "Pengurus" in str(e.value)
        with pytest.raises(DomainError):
            services.do_end(session, m, user, "keluar")
        member_id = m.id
    with acting_as(app, "lurah.kebonjeruk") as (session, user):
        with pytest.raises(DomainError):
            services.register_member(session, new_member(session), user)
    with acting_as(app, "pengurus.kebonjeruk") as (session, user):
        m = session.get(Member, member_id)
        with pytest.raises(DomainError):
            services.do_activate(session, m, user)  # not approved yet
        services.do_reject(session, m, user, note="Bukan warga")
        session.commit()
        assert m.status == "ditolak" and m.member_number is None


def test_an_expulsion_needs_a_reason_and_no_step_is_dated_in_the_future(app):
    with acting_as(app, "pengurus.kebonjeruk") as (session, user):
        m = services.register_member(session, new_member(session), user)
        services.do_approve(session, m, user)
        with pytest.raises(ValidationFailed):
            services.do_activate(session, m, user, on=date.today() + timedelta(days=2))
        services.do_activate(session, m, user)
        with pytest.raises(ValidationFailed) as e:
            services.do_end(session, m, user, "diberhentikan")
        assert e.value.field == "end_note"


def test_one_nik_holds_one_live_membership_and_the_refusal_hides_a_cooperative_outside_the_users_area(app):
    nik = make_nik(date(1985, 3, 12), "L")
    with acting_as(app, "sekretaris.cemorokandang") as (session, user):
        services.register_member(session, new_member(session, CEMOROKANDANG, nik=nik), user)
        session.commit()
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        with pytest.raises(ValidationFailed) as e:
            services.register_member(session, new_member(session, nik=full_width(nik)), user)
        assert e.value.field == "nik"
        # the true reason: an application (not an active membership) in another cooperative, not named
        assert str(e.value) == str(services.NIK_APPLIED_ELSEWHERE) and "Cemorokandang" not in str(e.value)
    with acting_as(app, "sekretaris.cemorokandang") as (session, user):
        with pytest.raises(ValidationFailed) as e:  # in their own cooperative: the true reason, naming the holder
            services.register_member(session, new_member(session, CEMOROKANDANG, nik=nik), user)
        assert "sudah terdaftar di koperasi ini: Budi Santoso, status Permohonan" in str(e.value)


def test_the_database_itself_refuses_a_second_live_registry_row_for_one_nik(app, monkeypatch):
    nik = make_nik(date(1985, 3, 12), "L")
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        services.register_member(session, new_member(session, nik=nik), user)
        session.commit()
        # Skip the friendly pre-check, as a concurrent request would: the registry's primary key still refuses.
        monkeypatch.setattr(services, "check_nik_free", lambda member, session=None: None)
        with pytest.raises(ValidationFailed) as e:
            services.register_member(session, new_member(session, nik=nik), user)
        assert e.value.field == "nik" and str(e.value) == str(services.NIK_TAKEN)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Member).where(Member.nik == nik)) == 1


def test_a_member_who_left_may_join_another_cooperative(app):
    nik = make_nik(date(1985, 3, 12), "L")
    with acting_as(app, "pengurus.kebonjeruk") as (session, user):
        m = services.register_member(session, new_member(session, nik=nik), user)
        services.do_approve(session, m, user)
        services.do_activate(session, m, user)
        session.commit()
        services.do_end(session, m, user, "keluar", note="Pindah ke Malang")
        session.commit()
    with acting_as(app, "sekretaris.cemorokandang") as (session, user):
        m2 = services.register_member(session, new_member(session, CEMOROKANDANG, nik=nik), user)
        session.commit()
        assert m2.status == "permohonan"


def test_counts_by_sex_are_per_cooperative_in_the_users_area_and_count_only_active_members(app, sysdb):
    with acting_as(app, "camat.kebonjeruk") as (session, user):
        rows, total = services.counts_by_sex(session)
    codes = {r.region_code for r in rows}
    assert KEBON_JERUK in codes and SUKABUMI_UTARA in codes and CEMOROKANDANG not in codes
    kj = [r for r in rows if r.region_code == KEBON_JERUK][0]
    cid = coop_id(sysdb, KEBON_JERUK)
    expected = {sex: sysdb.scalar(select(func.count()).select_from(Member).where(
        Member.cooperative_id == cid, Member.status == "aktif", Member.sex == sex)) for sex in "LP"}
    assert (kj.men, kj.women, kj.total) == (expected["L"], expected["P"], expected["L"] + expected["P"])
    assert kj.total > 0


def test_the_member_picker_returns_at_most_20_members_of_the_users_area(app, sysdb):
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        data = services.lookup(session, "", 1)
        assert 0 < len(data["results"]) <= 20
        ids = [r["id"] for r in data["results"]]
    own = coop_id(sysdb, KEBON_JERUK)
    assert set(sysdb.scalars(select(Member.cooperative_id).where(Member.id.in_(ids)))) == {own}
    assert all("••••••" in r["text"] for r in data["results"])


def test_correcting_the_nik_of_a_live_member_moves_the_registry_entry_and_frees_the_old_nik(app):
    old, new = make_nik(date(1985, 3, 12), "L"), make_nik(date(1985, 3, 12), "L")
    with acting_as(app, "sekretaris.kebonjeruk") as (session, user):
        m = services.register_member(session, new_member(session, nik=old), user)
        session.commit()
        m.nik = new
        services.update_member(session, m)
        session.commit()
        holders = dict(session.execute(select(NikRegistry.nik_hmac, NikRegistry.member_id)).all())
        assert holders.get(services.nik_hmac(new)) == m.id and services.nik_hmac(old) not in holders
        other = services.register_member(session, new_member(session, nik=old), user)
        session.commit()
        assert other.id != m.id


def test_every_demo_member_has_a_nik_that_agrees_with_birth_date_and_sex_and_lives_in_the_kelurahan(sysdb):
    from app.cooperatives.models import Cooperative
    from app.core.nik import check_nik

    rows = sysdb.execute(select(Member.nik, Member.birth_date, Member.sex, Member.domicile_code,
                                Cooperative.region_code).join(Cooperative, Member.cooperative_id == Cooperative.id)
                         .where(Member.address.notlike("Jl. Uji%"))).all()
    assert len(rows) >= 70
    for nik, born, sex, domicile, code in rows:
        assert check_nik(nik) == nik
        services.cross_check_nik(nik, born, sex)
        assert domicile == code
    for code in (KEBON_JERUK, SUKABUMI_UTARA, CEMOROKANDANG, "64.72.05.1003"):
        assert any(r.region_code == code for r in rows)
