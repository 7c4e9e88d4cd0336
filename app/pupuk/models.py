"""Subsidised fertiliser (issue 16, kkmp-domain.md §3): farmers and kelompok tani, land per commodity, the
effective-dated eligibility rule, fertiliser types and their dated HET, e-RDKK allocations in versions, and
redemptions (penebusan) at the kiosk.

* ``Farmer``: one national record per NIK (``nik_hmac`` UNIQUE), kept by the cooperative whose e-RDKK lists the
  farmer (its tenant row); the NIK is stored as for members (16 digits, shown masked, an audited reveal).
* ``PupukAllocation``: one row per farmer x type x season (MT I/II/III) x year and *version*; a re-import writes a
  new version and marks the previous one superseded (history kept). Tenant row of the farmer's cooperative.
* ``PupukQuota``: the quota being spent, one row per NIK (HMAC) x type x year x season, across every cooperative
  (not a tenant table, like the LPG monthly cap): ``allocated_kg`` follows the current allocation version,
  ``redeemed_kg`` is taken by one conditional UPDATE (``redeemed + kg <= allocated``), so concurrent kiosks of any
  cooperative never pass the allocation. ``CHECK (redeemed_kg <= allocated_kg)`` is the backstop.
* ``PupukRedemption``: tenant row of the redeeming cooperative (the kiosk's), immutable once posted; a correction is
  a reversal that gives the kilograms back. ``nik`` holds the *proxy's* NIK when someone redeems for the farmer
  (named ``nik`` so that the audit log masks it like every NIK).
"""
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        String, Text, UniqueConstraint, func)
from sqlalchemy.orm import relationship

from app.core.nik import mask_nik
from app.core.tenancy import TenantMixin

KG = Numeric(12, 3)
HA = Numeric(8, 4)
MONEY = Numeric(18, 2)
ZERO = Decimal("0")

SEASONS = [(1, _l("MT I")), (2, _l("MT II")), (3, _l("MT III"))]
SEASON_LABELS = dict(SEASONS)
# A season is a third of the year, as the e-RDKK is re-evaluated every four months: MT I January-April, MT II
# May-August, MT III September-December.
SEASON_MONTHS = {1: (1, 4), 2: (5, 8), 3: (9, 12)}

COMMODITIES = [("padi", _l("Padi")), ("jagung", _l("Jagung")), ("kedelai", _l("Kedelai")),
               ("ubi_kayu", _l("Ubi kayu")), ("cabai", _l("Cabai")), ("bawang_merah", _l("Bawang merah")),
               ("bawang_putih", _l("Bawang putih")), ("tebu", _l("Tebu rakyat")), ("kakao", _l("Kakao")),
               ("kopi", _l("Kopi"))]
COMMODITY_LABELS = dict(COMMODITIES)
PROXY_RELATIONS = [("suami_istri", _l("Suami / istri")), ("anak", _l("Anak")), ("orang_tua", _l("Orang tua")),
                   ("saudara", _l("Saudara")), ("ahli_waris", _l("Ahli waris")), ("kuasa", _l("Penerima kuasa"))]
PROXY_RELATION_LABELS = dict(PROXY_RELATIONS)


def season_label(season):
    return str(SEASON_LABELS.get(season, season or ""))


class PupukType(Model):
    """A subsidised type (national data): Urea, NPK, NPK formula khusus, ZA, Organik; the sack size."""

    __tablename__ = "pupuk_type"

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)
    name = Column(String(60), nullable=False)
    sack_kg = Column(KG, nullable=False, default=Decimal("50"))
    active = Column(Boolean, nullable=False, default=True)

    __table_args__ = (CheckConstraint("sack_kg > 0", name="ck_pupuk_type_sack"),)

    def __repr__(self):
        return self.name or ""


class PupukHet(Model):
    """The HET (Rp/kg) of a type from ``valid_from`` until the next row of the type starts (national data)."""

    __tablename__ = "pupuk_het"

    id = Column(Integer, primary_key=True)
    pupuk_type_id = Column(Integer, ForeignKey("pupuk_type.id"), nullable=False)
    valid_from = Column(Date, nullable=False)
    het_per_kg = Column(MONEY, nullable=False)
    legal_basis = Column(String(120), nullable=True)

    pupuk_type = relationship("PupukType", lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("pupuk_type_id", "valid_from", name="uq_pupuk_het_type_from"),
        CheckConstraint("het_per_kg > 0", name="ck_pupuk_het_positive"),
    )

    @property
    def het_per_sack(self):
        return (Decimal(self.het_per_kg) * Decimal(self.pupuk_type.sack_kg)).quantize(Decimal("0.01"))


class PupukEligibility(Model):
    """Who may receive, from ``valid_from`` (national data): the land limit in hectares and the commodities
    (comma-separated codes of COMMODITIES)."""

    __tablename__ = "pupuk_eligibility"

    id = Column(Integer, primary_key=True)
    valid_from = Column(Date, nullable=False, unique=True)
    max_land_ha = Column(HA, nullable=False)
    commodities = Column(Text, nullable=False)
    legal_basis = Column(String(120), nullable=True)

    __table_args__ = (CheckConstraint("max_land_ha > 0", name="ck_pupuk_eligibility_land"),)

    @property
    def commodity_codes(self):
        return [c for c in (self.commodities or "").split(",") if c]

    @property
    def commodity_names(self):
        return ", ".join(str(COMMODITY_LABELS.get(c, c)) for c in self.commodity_codes)


class Poktan(TenantMixin, Model):
    """A kelompok tani: its ketua and the PPL (penyuluh) who compiles the RDKK with it."""

    __tablename__ = "pupuk_poktan"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    ketua = Column(String(120), nullable=True)
    ppl_name = Column(String(120), nullable=True)
    region_code = Column(String(13), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (UniqueConstraint("cooperative_id", "name", name="uq_pupuk_poktan_coop_name"),)

    def __repr__(self):
        return self.name or ""


class Farmer(TenantMixin, Model):
    __tablename__ = "pupuk_farmer"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    nik = Column(String(16), nullable=False)
    nik_hmac = Column(String(64), nullable=False, unique=True)
    poktan_id = Column(Integer, ForeignKey("pupuk_poktan.id"), nullable=True, index=True)
    region_code = Column(String(13), nullable=False)  # the kelurahan/desa of the farmer's land (RDKK)
    address = Column(String(255), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    poktan = relationship("Poktan", lazy="joined")
    lands = relationship("FarmerLand", lazy="select", order_by="FarmerLand.commodity", back_populates="farmer")

    __table_args__ = (Index("ix_pupuk_farmer_coop_name", "cooperative_id", "name"),)

    @property
    def nik_masked(self):
        return mask_nik(self.nik)

    @property
    def land_total(self):
        return sum((Decimal(x.area_ha) for x in self.lands), Decimal("0"))

    def __repr__(self):
        return self.name or ""


class FarmerLand(TenantMixin, Model):
    __tablename__ = "pupuk_farmer_land"

    id = Column(Integer, primary_key=True)
    farmer_id = Column(Integer, ForeignKey("pupuk_farmer.id"), nullable=False, index=True)
    commodity = Column(String(20), nullable=False)
    area_ha = Column(HA, nullable=False)

    farmer = relationship("Farmer", back_populates="lands")

    __table_args__ = (
        UniqueConstraint("farmer_id", "commodity", name="uq_pupuk_land_farmer_commodity"),
        CheckConstraint("area_ha > 0", name="ck_pupuk_land_area"),
    )

    @property
    def commodity_label(self):
        return COMMODITY_LABELS.get(self.commodity, self.commodity)


class PupukImport(TenantMixin, Model):
    """One e-RDKK file imported (all-or-nothing): who, when, how many rows and allocations, and the file's SHA-256
    (a retried import job finds the file already imported by its earlier attempt; NULL on imports made before)."""

    __tablename__ = "pupuk_import"

    id = Column(Integer, primary_key=True)
    filename = Column(String(200), nullable=True)
    sha256 = Column(String(64), nullable=True)
    rows = Column(Integer, nullable=False, default=0)
    farmers_new = Column(Integer, nullable=False, default=0)
    allocations = Column(Integer, nullable=False, default=0)
    created_by = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())

    # Not UNIQUE: the same e-RDKK file may be imported again on purpose (it rewrites nothing that is unchanged).
    __table_args__ = (Index("ix_pupuk_import_coop_sha", "cooperative_id", "sha256"),)


class PupukAllocation(TenantMixin, Model):
    __tablename__ = "pupuk_allocation"

    id = Column(Integer, primary_key=True)
    farmer_id = Column(Integer, ForeignKey("pupuk_farmer.id"), nullable=False)
    pupuk_type_id = Column(Integer, ForeignKey("pupuk_type.id"), nullable=False)
    year = Column(Integer, nullable=False)
    season = Column(Integer, nullable=False)
    kg = Column(KG, nullable=False)
    version_no = Column(Integer, nullable=False, default=1)
    is_current = Column(Boolean, nullable=False, default=True)
    import_id = Column(Integer, ForeignKey("pupuk_import.id"), nullable=True)
    note = Column(String(255), nullable=True)
    created_by = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    farmer = relationship("Farmer", lazy="joined", innerjoin=True)
    pupuk_type = relationship("PupukType", lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("farmer_id", "pupuk_type_id", "year", "season", "version_no",
                         name="uq_pupuk_allocation_version"),
        Index("ix_pupuk_allocation_current", "farmer_id", "year", "season", "is_current"),
        CheckConstraint("kg >= 0", name="ck_pupuk_allocation_kg"),
        CheckConstraint("season IN (1,2,3)", name="ck_pupuk_allocation_season"),
    )

    @property
    def season_label(self):
        return season_label(self.season)


class PupukQuota(Model):
    """The national quota counter of one NIK x type x year x season (see the module docstring)."""

    __tablename__ = "pupuk_quota"

    nik_hmac = Column(String(64), primary_key=True)
    pupuk_type_id = Column(Integer, ForeignKey("pupuk_type.id"), primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    season = Column(Integer, primary_key=True, autoincrement=False)
    farmer_id = Column(Integer, ForeignKey("pupuk_farmer.id"), nullable=False, index=True)
    home_cooperative_id = Column(Integer, ForeignKey("cooperative.id"), nullable=False)
    allocated_kg = Column(KG, nullable=False, default=ZERO)
    redeemed_kg = Column(KG, nullable=False, default=ZERO)

    __table_args__ = (CheckConstraint("redeemed_kg >= 0 AND redeemed_kg <= allocated_kg",
                                      name="ck_pupuk_quota_within"),)


class PupukItem(TenantMixin, Model):
    """Which inventory item a cooperative keeps a subsidised type as (its stock, cost and persediaan pupuk)."""

    __tablename__ = "pupuk_item"

    id = Column(Integer, primary_key=True)
    pupuk_type_id = Column(Integer, ForeignKey("pupuk_type.id"), nullable=False)
    item_id = Column(Integer, ForeignKey("inv_item.id"), nullable=False, unique=True)

    pupuk_type = relationship("PupukType", lazy="joined", innerjoin=True)
    item = relationship("Item", lazy="joined", innerjoin=True)

    __table_args__ = (UniqueConstraint("cooperative_id", "pupuk_type_id", name="uq_pupuk_item_coop_type"),)


class RedemptionCounter(Model):
    __tablename__ = "pupuk_redemption_counter"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    last_number = Column(Integer, nullable=False, default=0)


class PupukRedemption(TenantMixin, Model):
    __tablename__ = "pupuk_redemption"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False)
    year = Column(Integer, nullable=False)
    seq = Column(Integer, nullable=False)
    redemption_date = Column(Date, nullable=False)
    location_id = Column(Integer, ForeignKey("inv_location.id"), nullable=False)
    # The farmer may be kept by another cooperative: a plain reference (no relationship), name and HMAC copied.
    farmer_id = Column(Integer, ForeignKey("pupuk_farmer.id"), nullable=False, index=True)
    farmer_name = Column(String(120), nullable=False)
    nik_hmac = Column(String(64), nullable=False, index=True)
    pupuk_type_id = Column(Integer, ForeignKey("pupuk_type.id"), nullable=False)
    quota_year = Column(Integer, nullable=False)
    season = Column(Integer, nullable=False)
    kg = Column(KG, nullable=False)
    price_per_kg = Column(MONEY, nullable=False)
    amount = Column(MONEY, nullable=False)
    delivery_fee = Column(MONEY, nullable=False, default=ZERO)
    total = Column(MONEY, nullable=False)
    cost = Column(MONEY, nullable=True)  # at the moving average, filled in once with the stock movement
    remaining_kg = Column(KG, nullable=False)  # the farmer's remaining quota of the type and season after it
    nik = Column(String(16), nullable=True)  # the proxy's NIK (masked in the audit log and on every screen)
    proxy_relation = Column(String(20), nullable=True)
    proxy_name = Column(String(120), nullable=True)
    is_member = Column(Boolean, nullable=False, default=False)
    idempotency_key = Column(String(64), nullable=False)
    journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    reversed_at = Column(DateTime, nullable=True)
    reverse_reason = Column(String(255), nullable=True)
    reverse_journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    created_by = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    location = relationship("Location", lazy="joined", innerjoin=True)
    pupuk_type = relationship("PupukType", lazy="joined", innerjoin=True)
    journal_entry = relationship("JournalEntry", lazy="select", foreign_keys=[journal_entry_id])

    __table_args__ = (
        UniqueConstraint("cooperative_id", "idempotency_key", name="uq_pupuk_redemption_coop_idem"),
        UniqueConstraint("cooperative_id", "year", "seq", name="uq_pupuk_redemption_coop_number"),
        Index("ix_pupuk_redemption_coop_date", "cooperative_id", "redemption_date"),
        Index("ix_pupuk_redemption_quota", "nik_hmac", "pupuk_type_id", "quota_year", "season"),
        # The latest redemption of a type, nationally: a new HET must start after it (rules.do_set_het).
        Index("ix_pupuk_redemption_type_date", "pupuk_type_id", "redemption_date"),
        CheckConstraint("kg > 0 AND price_per_kg > 0 AND amount > 0 AND delivery_fee >= 0 AND total > 0",
                        name="ck_pupuk_redemption_amounts"),
    )

    @property
    def season_label(self):
        return season_label(self.season)

    @property
    def proxy_nik_masked(self):
        return mask_nik(self.nik) if self.nik else ""

    @property
    def proxy_relation_label(self):
        return PROXY_RELATION_LABELS.get(self.proxy_relation, self.proxy_relation or "")

    @property
    def status_label(self):
        return _l("Dikoreksi (dibalik)") if self.reversed_at is not None else _l("Sah")

    @property
    def journal_number(self):
        return self.journal_entry.number if self.journal_entry is not None else ""

    def __repr__(self):
        return self.number or ""
