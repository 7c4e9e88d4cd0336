"""The KKMP registry: one cooperative per kelurahan, its legal steps, business units and organs."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, String,
                        UniqueConstraint, func)
from sqlalchemy.orm import relationship

from app.core.tenancy import TenantMixin
from app.regions.models import Region  # noqa: F401  (the relationship below names it)

# The legal path of a KKMP (kkmp-domain.md §2.2), in order. Each step is done when all its fields are filled.
LEGAL_STEPS = [
    ("musyawarah", _l("Musyawarah kelurahan khusus"), ("musyawarah_date", "musyawarah_ba_number")),
    ("akta", _l("Akta notaris"), ("akta_number", "akta_date", "notary_name")),
    ("ahu", _l("Badan hukum (AHU)"), ("ahu_number",)),
    ("nib", _l("NIB"), ("nib",)),
    ("npwp", _l("NPWP"), ("npwp",)),
    ("bank", _l("Rekening bank"), ("bank_name", "bank_account_number")),
    ("simkopdes", _l("SIMKOPDES"), ("simkopdes_registered_on",)),
    ("operating", _l("Beroperasi"), ("operating_since",)),
]

STAGE_LABELS = {"none": _l("Belum musyawarah")}
STAGE_LABELS.update({key: label for key, label, _ in LEGAL_STEPS})

# The seven official gerai (Inpres 9/2025) and the add-ons cooperatives commonly run.
UNIT_KINDS = [
    ("kantor", _l("Kantor koperasi")),
    ("sembako", _l("Gerai sembako")),
    ("simpan_pinjam", _l("Unit simpan pinjam")),
    ("klinik", _l("Klinik")),
    ("apotek", _l("Apotek")),
    ("pergudangan", _l("Pergudangan / cold storage")),
    ("logistik", _l("Logistik")),
    ("lpg", _l("Pangkalan LPG 3 kg")),
    ("pupuk", _l("Titik serah pupuk")),
    ("air", _l("Air isi ulang")),
    ("rpk", _l("Agen RPK (Bulog)")),
]
UNIT_KIND_LABELS = dict(UNIT_KINDS)

UNIT_STATUSES = [
    ("rencana", _l("Rencana")),
    ("persiapan", _l("Persiapan")),
    ("beroperasi", _l("Beroperasi")),
    ("berhenti", _l("Berhenti")),
]
UNIT_STATUS_LABELS = dict(UNIT_STATUSES)

ORGANS = [("pengurus", _l("Pengurus")), ("pengawas", _l("Pengawas"))]
ORGAN_LABELS = dict(ORGANS)
POSITIONS = [
    ("ketua", _l("Ketua")),
    ("wakil_ketua_usaha", _l("Wakil Ketua Bidang Usaha")),
    ("wakil_ketua_anggota", _l("Wakil Ketua Bidang Keanggotaan")),
    ("sekretaris", _l("Sekretaris")),
    ("bendahara", _l("Bendahara")),
    ("anggota", _l("Anggota")),
]
POSITION_LABELS = dict(POSITIONS)
GENDERS = [("L", _l("Laki-laki")), ("P", _l("Perempuan"))]
GENDER_LABELS = dict(GENDERS)


class Cooperative(Model):
    __tablename__ = "cooperative"

    @property
    def audit_owner(self):
        """(cooperative id, region code) for the audit log: a cooperative owns its own audit rows."""
        return self.id, self.region_code

    id = Column(Integer, primary_key=True)
    region_code = Column(String(13), ForeignKey("region.code"), nullable=False, unique=True)
    # Denormalised from region_code so that scope lookups (city, kecamatan) are plain indexed equality.
    province_code = Column(String(2), nullable=False, index=True)
    city_code = Column(String(5), nullable=False, index=True)
    district_code = Column(String(8), nullable=False, index=True)
    name = Column(String(150), nullable=False)
    is_pilot = Column(Boolean, nullable=False, default=False)
    address = Column(String(255))

    musyawarah_date = Column(Date)
    musyawarah_ba_number = Column(String(60))
    akta_number = Column(String(40))
    akta_date = Column(Date)
    notary_name = Column(String(120))
    ahu_number = Column(String(40), unique=True)
    ahu_date = Column(Date)
    nib = Column(String(13), unique=True)
    npwp = Column(String(16), unique=True)
    bank_name = Column(String(60))
    bank_account_number = Column(String(20))
    simkopdes_registered_on = Column(Date)
    operating_since = Column(Date)
    # The member-age rule as data (UU 25/1992, AD/ART): the KTP age 17 unless the AD/ART asks more; a married
    # (or once married) person may join younger (app.members.services.check_member_age).
    member_min_age = Column(Integer, nullable=False, default=17, server_default="17")

    created_at = Column(DateTime, nullable=False, server_default=func.now())
    updated_at = Column(DateTime, nullable=False, server_default=func.now(), onupdate=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (CheckConstraint("member_min_age BETWEEN 17 AND 99", name="ck_cooperative_member_min_age"),)

    region = relationship("Region", lazy="joined", innerjoin=True)
    # Read-only collections for the registry page; units and organ members are written through their own views.
    units = relationship("BusinessUnit", lazy="select", viewonly=True, order_by="BusinessUnit.id")
    organ_members = relationship("OrganMember", lazy="select", viewonly=True, order_by="OrganMember.id")

    def __repr__(self):
        return self.name or f"Koperasi #{self.id}"

    __str__ = __repr__

    # -- derived legal stage ------------------------------------------------------------------------------------
    def step_done(self, fields):
        return all(getattr(self, f) not in (None, "") for f in fields)

    @property
    def legal_steps(self):
        return [(key, label, self.step_done(fields)) for key, label, fields in LEGAL_STEPS]

    @property
    def progress(self):
        """(stage, readiness %): both from ``services.legal_progress``, so they always agree."""
        from .services import legal_progress

        return legal_progress(self)

    @property
    def stage(self):
        """The furthest step reached without a gap: a coop with a bank account but no AHU is still at akta."""
        return self.progress[0]

    @property
    def stage_label(self):
        return STAGE_LABELS[self.stage]

    @property
    def readiness(self):
        """Share of the legal steps reached in order (the stage's), in whole percent."""
        return self.progress[1]

    readiness_bar = readiness


class BusinessUnit(TenantMixin, Model):
    __tablename__ = "business_unit"

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    status = Column(String(12), nullable=False, default="rencana")
    started_on = Column(Date)
    notes = Column(String(255))
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        UniqueConstraint("cooperative_id", "kind", name="uq_business_unit_coop_kind"),
        CheckConstraint("kind IN ('kantor','sembako','simpan_pinjam','klinik','apotek','pergudangan','logistik',"
                        "'lpg','pupuk','air','rpk')", name="ck_business_unit_kind"),
        CheckConstraint("status IN ('rencana','persiapan','beroperasi','berhenti')", name="ck_business_unit_status"),
    )

    @property
    def kind_label(self):
        return UNIT_KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return UNIT_STATUS_LABELS.get(self.status, self.status)

    def __repr__(self):
        return str(self.kind_label)


class OrganMember(TenantMixin, Model):
    """A member of the pengurus (board) or pengawas (supervisory board)."""

    __tablename__ = "organ_member"

    id = Column(Integer, primary_key=True)
    organ = Column(String(10), nullable=False)
    position = Column(String(24), nullable=False)
    name = Column(String(120), nullable=False)
    # Personal data (UU PDP): shown masked; the full number only through an audited reveal.
    nik = Column(String(16), nullable=True)
    gender = Column(String(1), nullable=False)
    term_start = Column(Date, nullable=False)
    term_end = Column(Date, nullable=False)
    is_lurah = Column(Boolean, nullable=False, default=False)
    phone = Column(String(20))
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        CheckConstraint("organ IN ('pengurus','pengawas')", name="ck_organ_member_organ"),
        CheckConstraint("gender IN ('L','P')", name="ck_organ_member_gender"),
        CheckConstraint("term_end >= term_start", name="ck_organ_member_term"),
    )

    @property
    def nik_masked(self):
        from app.core.nik import mask_nik
        return mask_nik(self.nik)

    @property
    def organ_label(self):
        return ORGAN_LABELS.get(self.organ, self.organ)

    @property
    def position_label(self):
        return POSITION_LABELS.get(self.position, self.position)

    @property
    def gender_label(self):
        return GENDER_LABELS.get(self.gender, self.gender)

    def __repr__(self):
        return self.name
