"""Who may write where, below the views (app/core/scope.py): bulk ORM statements, ORM deletes and updates by a user
who may read a row but not write it, and who may register a new cooperative where. Each test runs as a demo user
inside a request context, in a transaction that is rolled back. (A Sudin registers cooperatives below the screens,
by the services and the CLI: the screens give only Admin the add form.)"""
import pytest
from sqlalchemy import delete, func, insert, select, update

from app.cooperatives.models import Cooperative
from app.core.scope import TenantScopeError
from app.members.models import Member
from app.savings.models import WajibRate

from tests.conftest import acting_as

OWN, SIBLING, OTHER_CITY = "31.73.05.1001", "31.73.05.1002", "35.73.03.1010"


def coop_id(sysdb, code):
    return sysdb.scalar(select(Cooperative.id).where(Cooperative.region_code == code))


def member_of(sysdb, code):
    return sysdb.scalar(select(Member).where(Member.cooperative_id == coop_id(sysdb, code)).order_by(Member.id))


def codes_with_prefix(sysdb, prefix):
    return sorted(c for c in sysdb.scalars(select(Cooperative.region_code)) if (c + ".").startswith(prefix + "."))


# -- what each official sees --------------------------------------------------------------------------------------

@pytest.mark.parametrize("username,area", [("sudin.jakbar", "31.73"), ("camat.kebonjeruk", "31.73.05"),
                                           ("lurah.kebonjeruk", "31.73.05.1001"),
                                           ("sekretaris.lempake", "64.72.05.1003")])
def test_each_official_sees_exactly_the_cooperatives_of_their_own_area(app, sysdb, username, area):
    expected = codes_with_prefix(sysdb, area)
    assert expected
    with acting_as(app, username) as session:
        assert sorted(session.scalars(select(Cooperative.region_code))) == expected


def test_an_official_of_a_whole_province_sees_the_cooperatives_of_that_province(app, sysdb):
    expected = codes_with_prefix(sysdb, "31")
    with acting_as(app, "camat.kebonjeruk", scope_region_code="31") as session:
        assert sorted(session.scalars(select(Cooperative.region_code))) == expected


def test_a_deactivated_account_sees_nothing_even_of_its_own_cooperative(app, sysdb):
    with acting_as(app, "sekretaris.kebonjeruk", active=False) as session:
        assert session.scalars(select(Cooperative.id)).all() == []
        assert session.scalars(select(Member.id)).all() == []


# -- bulk ORM statements ------------------------------------------------------------------------------------------

def test_a_secretary_cannot_move_a_member_to_another_cooperative_with_a_bulk_update(app, sysdb):
    member = member_of(sysdb, OWN)
    other = coop_id(sysdb, OTHER_CITY)
    with acting_as(app, "sekretaris.kebonjeruk") as session:
        with pytest.raises(TenantScopeError):
            session.execute(update(Member).where(Member.id == member.id).values(cooperative_id=other))
    sysdb.expire_all()
    assert sysdb.get(Member, member.id).cooperative_id == coop_id(sysdb, OWN)


def test_a_secretary_cannot_bulk_insert_rows_into_another_cooperative(app, sysdb):
    from datetime import date
    from decimal import Decimal

    other = coop_id(sysdb, OTHER_CITY)
    with acting_as(app, "sekretaris.kebonjeruk") as session:
        with pytest.raises(TenantScopeError, match=rf"\[{other}\]"):   # the log names the cooperative
            session.execute(insert(WajibRate).values(cooperative_id=other, valid_from=date(2031, 1, 1),
                                                     amount=Decimal(1)))
        with pytest.raises(TenantScopeError):
            session.execute(insert(WajibRate), [{"cooperative_id": other, "valid_from": date(2031, 1, 1),
                                                 "amount": Decimal(1)}])


def test_a_bulk_update_by_a_secretary_changes_only_her_own_cooperatives_rows(app, sysdb):
    own, sibling = coop_id(sysdb, OWN), coop_id(sysdb, SIBLING)
    own_count = sysdb.scalar(select(func.count(Member.id)).where(Member.cooperative_id == own))
    with acting_as(app, "sekretaris.kebonjeruk") as session:
        result = session.execute(update(Member).values(address="Jl. Massal 1"))
        assert result.rowcount == own_count
        session.execute(update(Member).where(Member.cooperative_id == sibling).values(address="Jl. Massal 2"))
        assert session.scalar(select(func.count(Member.id)).where(Member.address == "Jl. Massal 1")) == own_count


def test_a_lurah_who_may_read_but_not_write_changes_nothing_with_a_bulk_update_or_delete(app, sysdb):
    own = coop_id(sysdb, OWN)
    with acting_as(app, "lurah.kebonjeruk") as session:
        assert session.scalar(select(func.count(Member.id)).where(Member.cooperative_id == own)) > 0
        assert session.execute(update(Member).values(address="Jl. Lurah")).rowcount == 0
        assert session.execute(delete(Member).where(Member.cooperative_id == own)).rowcount == 0
        with pytest.raises(TenantScopeError):
            session.execute(update(Member).where(Member.cooperative_id == own).values(cooperative_id=own))


# -- ORM unit of work ------------------------------------------------------------------------------------------

def test_a_lurah_cannot_delete_a_member_of_her_kelurahan_through_the_orm(app, sysdb):
    member = member_of(sysdb, OWN)
    with acting_as(app, "lurah.kebonjeruk") as session:
        row = session.get(Member, member.id)
        assert row is not None  # she may read it
        session.delete(row)
        with pytest.raises(TenantScopeError):
            session.flush()
    sysdb.expire_all()
    assert sysdb.get(Member, member.id) is not None


def test_a_lurah_cannot_change_a_member_of_her_kelurahan_through_the_orm(app, sysdb):
    member = member_of(sysdb, OWN)
    with acting_as(app, "lurah.kebonjeruk") as session:
        session.get(Member, member.id).address = "Jl. Diubah Lurah"
        with pytest.raises(TenantScopeError):
            session.flush()


def test_reading_rows_and_flushing_without_changes_is_not_a_write(app, sysdb):
    member = member_of(sysdb, OWN)
    with acting_as(app, "lurah.kebonjeruk") as session:
        row = session.get(Member, member.id)
        row.address = row.address  # assigning the same value changes nothing
        session.flush()


def test_a_secretary_cannot_add_a_row_to_another_cooperative_through_the_orm(app, sysdb):
    from datetime import date
    from decimal import Decimal

    other = coop_id(sysdb, OTHER_CITY)
    with acting_as(app, "sekretaris.kebonjeruk") as session:
        session.add(WajibRate(cooperative_id=other, valid_from=date(2031, 1, 1), amount=Decimal(1)))
        with pytest.raises(TenantScopeError, match=rf"cooperative\(s\) {other} outside"):
            session.flush()


def test_a_secretary_adds_rows_to_her_own_cooperative_through_the_orm(app, sysdb):
    from datetime import date
    from decimal import Decimal

    with acting_as(app, "sekretaris.kebonjeruk") as session:
        session.add(WajibRate(cooperative_id=coop_id(sysdb, OWN), valid_from=date(2031, 1, 1), amount=Decimal(1)))
        session.flush()


# -- registering a cooperative ----------------------------------------------------------------------------------

def test_a_sudin_registers_a_cooperative_in_a_kelurahan_of_his_city(app, sysdb):
    from app.cooperatives.services import create_cooperative

    with acting_as(app, "sudin.jakbar") as session:
        coop = create_cooperative("31.73.01.1002", session=session)
        assert coop.id is not None and coop.city_code == "31.73"


@pytest.mark.parametrize("code", ["35.73.03.1011",   # Arjowinangun, Malang: another province
                                  "31.74.01.1001"])  # Jakarta Selatan: same province, another city
def test_a_sudin_cannot_register_a_cooperative_outside_his_city(app, sysdb, code):
    from app.cooperatives.services import create_cooperative

    with acting_as(app, "sudin.jakbar") as session:
        with pytest.raises(TenantScopeError):
            create_cooperative(code, session=session)
    assert coop_id(sysdb, code) is None


def test_a_camat_cannot_register_a_cooperative_even_in_his_own_district(app, sysdb):
    from app.cooperatives.services import create_cooperative

    with acting_as(app, "camat.kebonjeruk") as session:
        with pytest.raises(TenantScopeError):
            create_cooperative("31.73.05.1007", session=session)


# -- who writes at all ------------------------------------------------------------------------------------------

def test_the_admin_sees_every_cooperative_and_writes_in_any(app, sysdb):
    from datetime import date
    from decimal import Decimal

    with acting_as(app, "admin") as session:
        assert sorted(session.scalars(select(Cooperative.region_code))) == sorted(
            sysdb.scalars(select(Cooperative.region_code)))
        session.add(WajibRate(cooperative_id=coop_id(sysdb, OTHER_CITY), valid_from=date(2031, 1, 1),
                              amount=Decimal(1)))
        session.flush()
        session.execute(update(Member).where(Member.cooperative_id == coop_id(sysdb, OTHER_CITY))
                        .values(address="Jl. Admin"))


def test_an_account_with_neither_a_cooperative_nor_a_region_sees_nothing(app, sysdb):
    with acting_as(app, "sekretaris.kebonjeruk", scope_cooperative_id=None) as session:
        assert session.scalars(select(Cooperative.id)).all() == []


def test_a_board_member_given_a_region_instead_of_a_cooperative_reads_it_but_writes_nothing(app, sysdb):
    member = member_of(sysdb, OWN)
    with acting_as(app, "pengurus.kebonjeruk", scope_cooperative_id=None, scope_region_code="31.73.05") as session:
        assert sorted(session.scalars(select(Cooperative.region_code))) == codes_with_prefix(sysdb, "31.73.05")
        session.get(Member, member.id).address = "Jl. Pengurus Wilayah"
        with pytest.raises(TenantScopeError):
            session.flush()


def test_a_camat_cannot_change_a_member_in_his_district(app, sysdb):
    member = member_of(sysdb, SIBLING)
    with acting_as(app, "camat.kebonjeruk") as session:
        session.get(Member, member.id).address = "Jl. Camat"
        with pytest.raises(TenantScopeError):
            session.flush()


def test_a_board_member_edits_his_own_cooperatives_record_but_not_a_sibling_of_the_district(app, sysdb):
    with acting_as(app, "pengurus.kebonjeruk") as session:
        session.get(Cooperative, coop_id(sysdb, OWN)).address = "Jl. Kebon Jeruk Raya 1"
        session.flush()
        assert session.get(Cooperative, coop_id(sysdb, SIBLING)) is None


def test_a_sudin_edits_a_cooperative_of_his_city(app, sysdb):
    with acting_as(app, "sudin.jakbar") as session:
        session.get(Cooperative, coop_id(sysdb, SIBLING)).address = "Jl. Sudin 1"
        session.flush()


def test_a_row_that_names_no_cooperative_is_refused_for_a_scoped_user(app, sysdb):
    from datetime import date
    from decimal import Decimal

    with acting_as(app, "sekretaris.kebonjeruk") as session:
        session.add(WajibRate(valid_from=date(2031, 1, 1), amount=Decimal(1)))
        with pytest.raises(TenantScopeError, match=r"cooperative\(s\) \? outside"):
            session.flush()


def test_a_cooperative_without_a_kelurahan_is_refused_for_a_sudin(app, sysdb):
    with acting_as(app, "sudin.jakbar") as session:
        session.add(Cooperative(name="Koperasi Tanpa Wilayah"))
        with pytest.raises(TenantScopeError):
            session.flush()


def test_bulk_writes_are_checked_however_the_cooperative_is_given(app, sysdb):
    from datetime import date
    from decimal import Decimal

    other, own = coop_id(sysdb, OTHER_CITY), coop_id(sysdb, OWN)
    member = member_of(sysdb, OWN)
    with acting_as(app, "sekretaris.kebonjeruk") as session:
        with pytest.raises(TenantScopeError):   # keyed by the column object
            session.execute(update(Member).where(Member.id == member.id).values({Member.cooperative_id: other}))
        with pytest.raises(TenantScopeError):   # one parameter set
            session.execute(insert(WajibRate), {"cooperative_id": other, "valid_from": date(2031, 1, 1),
                                                "amount": Decimal(1)})
        # Inside her own cooperative the same statements go through.
        session.execute(insert(WajibRate).values(cooperative_id=own, valid_from=date(2031, 1, 1),
                                                 amount=Decimal(1)))
        session.execute(update(Member).where(Member.id == member.id).values({Member.cooperative_id: own}))


def test_a_deliberate_unscoped_lookup_sees_every_cooperative_and_nothing_else_does(app, sysdb):
    from app.core.scope import unscoped

    everyone = sorted(sysdb.scalars(select(Cooperative.id)))
    with acting_as(app, "lurah.kebonjeruk") as session:
        assert sorted(session.scalars(select(Cooperative.id), execution_options=unscoped())) == everyone
        assert session.scalars(select(Cooperative.id)).all() == [coop_id(sysdb, OWN)]


def test_a_change_is_caught_among_unchanged_and_unscoped_rows_in_the_same_flush(app, sysdb):
    """The session hands its pending rows over in no fixed order: many untouched-in-effect rows of a table outside
    the scope (regions) and of her own kelurahan's members surround the one real change, so a check that stopped
    at the first such row would miss it."""
    from app.regions.models import Region

    own = coop_id(sysdb, OWN)
    with acting_as(app, "lurah.kebonjeruk") as session:
        for region in session.scalars(select(Region).order_by(Region.code).limit(40)):
            region.name = region.name                           # not a cooperative's row, unchanged
        rows = session.scalars(select(Member).where(Member.cooperative_id == own).order_by(Member.id).limit(40)).all()
        for row in rows[:-1]:
            row.address = row.address                          # touched, unchanged
        rows[-1].address = "Jl. Diubah Diam-diam"
        with pytest.raises(TenantScopeError):
            session.flush()


def test_cli_jobs_in_system_scope_write_anywhere(app, sysdb):
    from datetime import date
    from decimal import Decimal

    from app.core.scope import system_scope

    with acting_as(app, "lurah.kebonjeruk") as session, system_scope():
        session.add(WajibRate(cooperative_id=coop_id(sysdb, OTHER_CITY), valid_from=date(2031, 1, 1),
                              amount=Decimal(1)))
        session.flush()


# -- every row of a flush is checked, and a refusal names what it refused ------------------------------------------

def test_a_row_for_another_cooperative_is_refused_also_after_a_row_of_a_table_that_names_no_cooperative(app, sysdb):
    """The check goes through every new row of the flush: a row of a table outside the scope (a region) added
    first does not let the secretary's wajib rate for a cooperative of another city through behind it."""
    from datetime import date
    from decimal import Decimal

    from app.regions.models import Region

    other = coop_id(sysdb, OTHER_CITY)
    with acting_as(app, "sekretaris.kebonjeruk") as session:
        session.add(Region(code="99.98", name="Wilayah Uji", level=2, kind="kota"))
        session.add(WajibRate(cooperative_id=other, valid_from=date(2031, 1, 1), amount=Decimal(1)))
        with pytest.raises(TenantScopeError, match=rf"cooperative\(s\) {other} outside"):
            session.flush()
    assert sysdb.scalar(select(func.count(WajibRate.id)).where(WajibRate.cooperative_id == other,
                                                               WajibRate.valid_from == date(2031, 1, 1))) == 0


def test_a_sudins_refused_removal_of_another_citys_cooperative_is_logged_against_that_cooperative(app, sysdb,
                                                                                                    monkeypatch):
    """A Sudin registers cooperatives in his city; removing one of another city is refused, and the security log
    names the cooperative he tried to remove (its record and its cooperative), so a supervisor reading the log
    knows which one."""
    from app.core.scope import unscoped
    from app.core.security_log import SecurityEvent

    monkeypatch.setitem(app.config, "KKMP_SECURITY_LOG_PER_MINUTE", 100000)
    other = coop_id(sysdb, OTHER_CITY)
    with acting_as(app, "sudin.jakbar") as session:
        target = session.execute(select(Cooperative).where(Cooperative.id == other),
                                 execution_options=unscoped()).scalar_one()
        session.delete(target)
        with pytest.raises(TenantScopeError, match=rf"cooperative\(s\) {other} outside"):
            session.flush()
        session.rollback()
        app.process_response(app.response_class("refused", status=403))
    sysdb.rollback()
    row = sysdb.scalars(select(SecurityEvent).where(SecurityEvent.username == "sudin.jakbar",
                                                    SecurityEvent.kind == "scope_write")
                        .order_by(SecurityEvent.id.desc())).first()
    assert (row.table_name, row.record_id, row.cooperative_id) == ("cooperative", str(other), other)
    assert coop_id(sysdb, OTHER_CITY) == other
