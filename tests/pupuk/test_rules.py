"""The national rules, set by Admin only and never rewritten: a new HET version prices the redemptions dated from
its start and leaves every earlier-dated one at the old price; a new eligibility version checks the farmers
registered from its start. Refusals write nothing. Each test works on a fresh fertiliser type of its own, so that
the redemptions of other tests (which date the latest one of Urea) do not matter."""
import itertools
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from app.core.errors import DomainError, ValidationFailed

from .conftest import NIKS, SEKRETARIS, Board, Kiosk, today_of

ADMIN = Board("Admin")
SUDIN = Board("Sudin")
BASIS = "Kepmentan uji 1/2026"
# NIKs of no other test: the PostgreSQL concurrency tests commit farmers with some of conftest's NIKS.
_codes = (f"uji{n}" for n in itertools.count(1))


def new_type(uow, het="2.250", since=None):
    """A fresh active type with its first HET (set by Admin, from ``since``, default 60 days back)."""
    from app.pupuk import services
    from app.pupuk.models import PupukType

    t = PupukType(code=next(_codes), name="Pupuk uji", sack_kg=D("50"))
    uow.add(t)
    uow.flush()
    services.do_set_het(uow, pupuk_type=t.code, valid_from=since or today_of(None, 60), het_per_kg=het,
                        legal_basis=BASIS, acting_user=ADMIN)
    return t


def hets(uow, t):
    from app.pupuk.models import PupukHet

    return uow.execute(select(PupukHet.valid_from, PupukHet.het_per_kg).where(PupukHet.pupuk_type_id == t.id)
                       .order_by(PupukHet.valid_from)).all()


@pytest.fixture()
def fresh(uow, coop):
    """A fresh type (HET Rp2.250/kg from 60 days back), then the kiosk (it stocks every type, this one too) and
    a farmer with 100 kg of it in yesterday's and today's seasons."""
    t = new_type(uow)
    kiosk = Kiosk(uow, coop)
    farmer = kiosk.farmer()
    kiosk.allocate(farmer, t.code, "100", day=today_of(coop, 1))
    kiosk.allocate(farmer, t.code, "100")
    return t, kiosk, farmer


def test_admin_adds_a_het_version_a_later_redemption_is_priced_at_it_an_earlier_dated_one_keeps_the_old(uow, fresh):
    from app.core.audit import AuditEvent
    from app.pupuk import services
    from app.pupuk.models import PupukRedemption

    t, kiosk, farmer = fresh
    today = today_of(kiosk.coop)
    before = kiosk.redeem(farmer, t.code, 10, back=1)
    assert before.price_per_kg == D("2250")
    row = services.do_set_het(uow, pupuk_type=t.code, valid_from=today, het_per_kg="1.800",
                              legal_basis="  Kepmentan 1117/Kpts./SR.310/M/10/2025 ", acting_user=ADMIN)
    assert (row.het_per_kg, row.het_per_sack, row.legal_basis) == (
        D("1800"), D("90000.00"), "Kepmentan 1117/Kpts./SR.310/M/10/2025")
    after = kiosk.redeem(farmer, t.code, 10)
    assert (after.price_per_kg, after.total) == (D("1800"), D("18000"))
    late_entry = kiosk.redeem(farmer, t.code, 5, back=1)  # entered now, dated yesterday: yesterday's HET
    assert (late_entry.price_per_kg, late_entry.total) == (D("2250"), D("11250"))
    uow.expire_all()
    assert uow.get(PupukRedemption, before.id).price_per_kg == D("2250")
    assert hets(uow, t) == [(today_of(None, 60), D("2250")), (today, D("1800"))]  # the old version kept
    audit = uow.scalar(select(AuditEvent).where(AuditEvent.table_name == "pupuk_het",
                                                AuditEvent.record_id == str(row.id)))
    assert audit is not None and audit.action == "create" and '"het_per_kg": "1800.00"' in audit.after


def test_a_het_dated_on_or_before_the_latest_redemption_of_the_type_is_refused_and_nothing_written(uow, fresh):
    from app.pupuk import services

    t, kiosk, farmer = fresh
    today = today_of(kiosk.coop)
    kiosk.redeem(farmer, t.code, 10)
    for day in (today, today - timedelta(days=3)):
        with pytest.raises(ValidationFailed, match="Sudah ada penebusan Pupuk uji pada " + today.strftime("%d/%m/%Y")
                           + " dengan HET lama") as refused:
            services.do_set_het(uow, pupuk_type=t.code, valid_from=day, het_per_kg="1.800", legal_basis=BASIS,
                                acting_user=ADMIN)
        assert refused.value.field == "valid_from"
    assert hets(uow, t) == [(today_of(None, 60), D("2250"))]
    # From tomorrow it is accepted: no redemption was priced on that date yet.
    services.do_set_het(uow, pupuk_type=t.code, valid_from=today + timedelta(days=1), het_per_kg="1.800",
                        legal_basis=BASIS, acting_user=ADMIN)


def test_a_het_not_after_the_latest_version_of_the_type_is_refused(uow):
    from app.pupuk import services

    t = new_type(uow, since=today_of(None) + timedelta(days=30))
    for back in (0, 30):  # before the latest version, and on its very date
        with pytest.raises(ValidationFailed, match="harus berlaku setelah .*HET lama tidak diubah"):
            services.do_set_het(uow, pupuk_type=t.code, valid_from=today_of(None) + timedelta(days=back),
                                het_per_kg="1.900", legal_basis=BASIS, acting_user=ADMIN)
    assert len(hets(uow, t)) == 1


@pytest.mark.parametrize("amount, message", [("0", "HET per kg harus lebih dari nol"),
                                             ("-1.800", "HET per kg tidak boleh negatif"),
                                             ("1.000.001", "HET per kg terlalu besar"),
                                             ("1.800,50", "rupiah utuh"), ("", "HET per kg wajib diisi")])
def test_a_non_positive_or_absurd_het_is_refused_and_nothing_written(uow, amount, message):
    from app.pupuk import services

    t = new_type(uow)
    with pytest.raises(ValidationFailed, match=message):
        services.do_set_het(uow, pupuk_type=t.code, valid_from=today_of(None) + timedelta(days=1),
                            het_per_kg=amount, legal_basis=BASIS, acting_user=ADMIN)
    assert len(hets(uow, t)) == 1


def test_a_het_needs_its_legal_basis(uow):
    from app.pupuk import services

    t = new_type(uow)
    with pytest.raises(ValidationFailed, match="Dasar hukum wajib diisi"):
        services.do_set_het(uow, pupuk_type=t.code, valid_from=today_of(None) + timedelta(days=1),
                            het_per_kg="1.800", legal_basis="  ", acting_user=ADMIN)
    assert len(hets(uow, t)) == 1


@pytest.mark.parametrize("user", [SUDIN, SEKRETARIS, Board("Pengurus")], ids=["Sudin", "Sekretaris", "Pengurus"])
def test_only_admin_sets_a_het(uow, user):
    from app.pupuk import services

    t = new_type(uow)
    with pytest.raises(DomainError, match="Hanya Admin"):
        services.do_set_het(uow, pupuk_type=t.code, valid_from=today_of(None) + timedelta(days=1),
                            het_per_kg="1.800", legal_basis=BASIS, acting_user=user)
    assert len(hets(uow, t)) == 1


@pytest.mark.parametrize("statement", ["UPDATE pupuk_het SET het_per_kg = het_per_kg + 1 WHERE id = :id",
                                       "UPDATE pupuk_het SET valid_from = '2020-01-02' WHERE id = :id",
                                       "DELETE FROM pupuk_het WHERE id = :id"])
def test_the_database_refuses_to_rewrite_or_delete_a_het_version(uow, statement):
    from app.pupuk.models import PupukHet

    row_id = uow.scalar(select(func.min(PupukHet.id)))
    with pytest.raises(DatabaseError, match="immutable"):
        uow.execute(text(statement), {"id": row_id})


# -- eligibility ------------------------------------------------------------------------------------------------

def _start(uow, days=10):
    """A start date ``days`` from today (WIT) that is after every version already stored."""
    from app.core.dates import latest_today
    from app.pupuk.models import PupukEligibility

    latest = uow.scalar(select(func.max(PupukEligibility.valid_from)))
    return max(latest_today() + timedelta(days=days), latest + timedelta(days=1))


def test_a_farmer_registered_from_the_new_eligibility_date_is_checked_against_its_limit_before_it_the_old(
        uow, kiosk):
    from app.pupuk import services

    start = _start(uow)
    row = services.do_set_eligibility(uow, valid_from=start, max_land_ha="1,5", commodities=["jagung", "padi"],
                                      legal_basis=BASIS, acting_user=ADMIN)
    assert (row.max_land_ha, row.commodity_codes) == (D("1.5"), ["padi", "jagung"])
    assert row.commodity_names == "Padi, Jagung"
    eve = start - timedelta(days=1)
    kiosk.farmer(lands={"padi": "1,8"}, day=eve)  # the old rule: 2 ha, ten commodities
    kiosk.farmer(nik=NIKS[1], name="Kopi Lama", lands={"kopi": "1"}, day=eve)
    with pytest.raises(ValidationFailed, match="Luas lahan 1,8 ha melebihi batas 1,5 ha"):
        kiosk.farmer(nik=NIKS[2], name="Baru", lands={"padi": "1,8"}, day=start)
    with pytest.raises(ValidationFailed, match="Kopi tidak termasuk penerima pupuk bersubsidi sejak"):
        kiosk.farmer(nik="3573011203810009", name="Kopi Baru", lands={"kopi": "1"}, day=start)
    assert kiosk.farmer(nik="3573015106830010", name="Dalam Batas", lands={"padi": "1,5"}, day=start).land_total == D("1.5")


def test_an_eligibility_version_is_audited_and_the_old_one_kept(uow):
    from app.core.audit import AuditEvent
    from app.pupuk import services
    from app.pupuk.models import PupukEligibility

    before = uow.execute(select(PupukEligibility.id, PupukEligibility.max_land_ha)).all()
    row = services.do_set_eligibility(uow, valid_from=_start(uow), max_land_ha="2.5", commodities="padi,tebu",
                                      legal_basis=BASIS, acting_user=ADMIN)
    assert row.max_land_ha == D("2.5")
    assert uow.execute(select(PupukEligibility.id, PupukEligibility.max_land_ha)
                       .where(PupukEligibility.id != row.id)).all() == before
    assert uow.scalar(select(AuditEvent.action).where(AuditEvent.table_name == "pupuk_eligibility",
                                                      AuditEvent.record_id == str(row.id))) == "create"


@pytest.mark.parametrize("change, message", [
    ({"valid_from": "past"}, "paling cepat hari ini"),
    ({"valid_from": "latest"}, "harus berlaku setelah .*syarat lama tidak diubah"),
    ({"max_land_ha": "0"}, "lebih dari nol hektare"),
    ({"max_land_ha": "dua"}, "harus berupa angka"),
    ({"max_land_ha": "150"}, "tidak masuk akal"),
    ({"commodities": []}, "paling sedikit satu komoditas"),
    ({"commodities": ["padi", "sawit"]}, "Komoditas sawit tidak dikenal"),
    ({"legal_basis": ""}, "Dasar hukum wajib diisi"),
])
def test_a_wrong_eligibility_version_is_refused_and_nothing_written(uow, change, message):
    from app.core.dates import latest_today
    from app.pupuk import services
    from app.pupuk.models import PupukEligibility

    values = {"valid_from": _start(uow), "max_land_ha": "2", "commodities": ["padi"], "legal_basis": BASIS}
    values.update(change)
    if values["valid_from"] == "past":
        values["valid_from"] = latest_today() - timedelta(days=1)
    elif values["valid_from"] == "latest":  # a version from 20 days on, then another from its very date
        values["valid_from"] = services.do_set_eligibility(
            uow, valid_from=_start(uow, 20), max_land_ha="2", commodities=["padi"], legal_basis=BASIS,
            acting_user=ADMIN).valid_from
    count = uow.scalar(select(func.count()).select_from(PupukEligibility))
    with pytest.raises(ValidationFailed, match=message):
        services.do_set_eligibility(uow, acting_user=ADMIN, **values)
    assert uow.scalar(select(func.count()).select_from(PupukEligibility)) == count


@pytest.mark.parametrize("user", [SUDIN, SEKRETARIS], ids=["Sudin", "Sekretaris"])
def test_only_admin_sets_the_eligibility(uow, user):
    from app.pupuk import services
    from app.pupuk.models import PupukEligibility

    count = uow.scalar(select(func.count()).select_from(PupukEligibility))
    with pytest.raises(DomainError, match="Hanya Admin"):
        services.do_set_eligibility(uow, valid_from=_start(uow), max_land_ha="1", commodities=["padi"],
                                    legal_basis=BASIS, acting_user=user)
    assert uow.scalar(select(func.count()).select_from(PupukEligibility)) == count
