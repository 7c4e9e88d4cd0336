"""Member models: the member register of a cooperative, its status history, the national NIK registry, the gapless
member-number counter and the record of imported files.

* ``Member`` is a tenant row (``cooperative_id``). The NIK is stored normalised (16 ASCII digits) and shown
  masked; ``nik_hmac`` (HMAC-SHA256 of the NIK) serves exact search and uniqueness.
* ``NikRegistry`` holds one row per NIK with a live (not ended) membership anywhere in the country. Its primary key
  is the HMAC, so the database itself refuses a second live membership, also under concurrent entry. It is keyed
  by NIK, not by cooperative, so that it can be distributed by ``nik_hmac`` (Citus) separately from the tenant
  tables (reliability.md §4.3).
* ``MemberCounter`` is one row per cooperative; the member number is taken by ``UPDATE ... RETURNING`` in the
  transaction that approves the member, so a rolled-back approval leaves no gap.
"""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint, func)
from sqlalchemy.orm import relationship, validates

from app.core.tenancy import TenantMixin

# Status flow (kkmp-domain.md §2.5; issue 5): permohonan -> disetujui -> aktif -> keluar / meninggal /
# diberhentikan. An application may also be refused (ditolak).
STATUSES = [
    ("permohonan", _l("Permohonan")),
    ("disetujui", _l("Disetujui")),
    ("aktif", _l("Aktif")),
    ("keluar", _l("Keluar")),
    ("meninggal", _l("Meninggal")),
    ("diberhentikan", _l("Diberhentikan")),
    ("ditolak", _l("Ditolak")),
]
STATUS_LABELS = dict(STATUSES)
ENDED = ("keluar", "meninggal", "diberhentikan", "ditolak")
LIVE = ("permohonan", "disetujui", "aktif")
END_STATUSES = ("keluar", "meninggal", "diberhentikan")

SEXES = [("L", _l("Laki-laki")), ("P", _l("Perempuan"))]
SEX_LABELS = dict(SEXES)

# Status perkawinan as printed on the KTP. Kawin, cerai hidup and cerai mati count as "married" for the age rule.
MARITAL_STATUSES = [("belum_kawin", _l("Belum kawin")), ("kawin", _l("Kawin")), ("cerai_hidup", _l("Cerai hidup")),
                    ("cerai_mati", _l("Cerai mati"))]
MARITAL_LABELS = dict(MARITAL_STATUSES)
EVER_MARRIED = ("kawin", "cerai_hidup", "cerai_mati")


def name_key_of(name):
    """What a name search compares: case-folded, with runs of spaces made one."""
    return " ".join((name or "").casefold().split())


class Member(TenantMixin, Model):
    __tablename__ = "member"
    # How the big list searches text (app/core/interface.py): the name over its trigram index, the member number
    # by prefix over its pattern index.
    kkmp_text_search = ("name",)
    kkmp_prefix_search = ("member_number",)

    id = Column(Integer, primary_key=True)
    # Given when the Pengurus approves: gapless per cooperative, e.g. "A-000123".
    member_seq = Column(Integer, nullable=True)
    member_number = Column(String(12), nullable=True)
    # Personal data (UU PDP): 16 ASCII digits, shown masked; the full number only through an audited reveal.
    nik = Column(String(16), nullable=False)
    nik_hmac = Column(String(64), nullable=False, index=True)
    name = Column(String(120), nullable=False)
    # The name as searched: case-folded, spaces collapsed (name_key_of). A plain LIKE on it is about four times
    # cheaper than ILIKE on the name, and it rides in the (name, id) index, so a search walks only the index.
    name_key = Column(String(120), nullable=False, default="", server_default="")
    sex = Column(String(1), nullable=False)
    birth_date = Column(Date, nullable=False)
    address = Column(String(255), nullable=False)
    rt = Column(String(3), nullable=False)
    rw = Column(String(3), nullable=False)
    # Domicile kelurahan from the KTP: must be the cooperative's own kelurahan (membership is territorial).
    domicile_code = Column(String(13), nullable=False)
    phone = Column(String(20))
    occupation = Column(String(80))
    marital_status = Column(String(12), nullable=True)  # MARITAL_STATUSES; NULL = not recorded
    join_date = Column(Date, nullable=False)
    status = Column(String(14), nullable=False, default="permohonan")
    approved_on = Column(Date)
    active_since = Column(Date)
    ended_on = Column(Date)
    end_note = Column(String(255))
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    history = relationship("MemberStatusEvent", lazy="select", viewonly=True,
                           order_by="MemberStatusEvent.id")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "member_seq", name="uq_member_coop_seq"),
        # Every offered order of the register pages by keyset over (column, id): within one cooperative through
        # (cooperative_id, column, id), across a city or the country through (column, id) (migration fastpaths001).
        Index("ix_member_coop_name_id", "cooperative_id", "name", "id"),
        Index("ix_member_coop_join_id", "cooperative_id", "join_date", "id"),
        Index("ix_member_join_id", "join_date", "id"),
        # "Member number starts with" (a LIKE prefix): a pattern index, as the database's collation is not C.
        Index("ix_member_coop_number_pat", "cooperative_id", "member_number",
              postgresql_ops={"member_number": "varchar_pattern_ops"}, info={"dialects": ("postgresql",)}),
        Index("ix_member_number_pat", "member_number", postgresql_ops={"member_number": "varchar_pattern_ops"},
              info={"dialects": ("postgresql",)}),
        # The register in name order for the whole country or a city: keyset pages and searches (app/core/paging).
        Index("ix_member_name_id", "name", "id", postgresql_include=["name_key", "cooperative_id", "status"]),
        # Rare names found without reading the register (PostgreSQL's pg_trgm; migration h1members002).
        Index("ix_member_name_key_trgm", "name_key", postgresql_using="gin",
              postgresql_ops={"name_key": "gin_trgm_ops"}, info={"dialects": ("postgresql",)}),
        Index("ix_member_coop_number", "cooperative_id", "member_number"),
        Index("ix_member_coop_status_sex", "cooperative_id", "status", "sex"),
        CheckConstraint("sex IN ('L','P')", name="ck_member_sex"),
        CheckConstraint("marital_status IS NULL OR marital_status IN ('belum_kawin','kawin','cerai_hidup',"
                        "'cerai_mati')", name="ck_member_marital_status"),
        CheckConstraint("status IN ('permohonan','disetujui','aktif','keluar','meninggal','diberhentikan',"
                        "'ditolak')", name="ck_member_status"),
    )

    @validates("name")
    def _keep_name_key(self, key, value):
        self.name_key = name_key_of(value)
        return value

    @property
    def nik_masked(self):
        from app.core.nik import mask_nik
        return mask_nik(self.nik)

    @property
    def birth_year(self):
        """The part of the birth date every reader may see (app/core/nik.py)."""
        return self.birth_date.year if self.birth_date else None

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def marital_label(self):
        return MARITAL_LABELS.get(self.marital_status, "") if self.marital_status else ""

    @property
    def sex_label(self):
        return SEX_LABELS.get(self.sex, self.sex)

    @property
    def rt_rw(self):
        return f"{self.rt}/{self.rw}" if self.rt and self.rw else ""

    @property
    def is_ended(self):
        return self.status in ENDED

    def __repr__(self):
        return f"{self.member_number} {self.name}" if self.member_number else (self.name or f"Anggota #{self.id}")

    __str__ = __repr__


class MemberStatusEvent(TenantMixin, Model):
    """One dated step of a member's status flow (also in the audit log, with who and when in UTC)."""

    __tablename__ = "member_status_event"

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("member.id"), nullable=False, index=True)
    from_status = Column(String(14), nullable=True)
    to_status = Column(String(14), nullable=False)
    on_date = Column(Date, nullable=False)
    note = Column(String(255))
    user_id = Column(Integer, nullable=True)
    username = Column(String(100), nullable=True)
    recorded_at = Column(DateTime, nullable=False, server_default=func.now())

    member = relationship("Member", lazy="select")

    @property
    def to_label(self):
        return STATUS_LABELS.get(self.to_status, self.to_status)

    @property
    def from_label(self):
        return STATUS_LABELS.get(self.from_status, self.from_status or "")


class NikRegistry(Model):
    """National registry: at most one live membership per NIK (primary key on the HMAC of the NIK)."""

    __tablename__ = "nik_registry"

    nik_hmac = Column(String(64), primary_key=True)
    member_id = Column(Integer, ForeignKey("member.id"), nullable=False, unique=True)
    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())

    member = relationship("Member", lazy="select")


class MemberCounter(Model):
    """Last member number given out per cooperative (the row lock serialises approvals of one cooperative)."""

    __tablename__ = "member_counter"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), primary_key=True, autoincrement=False)
    last_number = Column(Integer, nullable=False, default=0)


class MemberImport(TenantMixin, Model):
    """A members workbook imported into a cooperative; the SHA-256 refuses the same file twice."""

    __tablename__ = "member_import"

    id = Column(Integer, primary_key=True)
    sha256 = Column(String(64), nullable=False)
    filename = Column(String(255))
    row_count = Column(Integer, nullable=False)
    username = Column(String(100))
    imported_at = Column(DateTime, nullable=False, server_default=func.now())

    __table_args__ = (UniqueConstraint("cooperative_id", "sha256", name="uq_member_import_coop_sha"),)
