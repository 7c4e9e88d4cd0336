"""SHU (Sisa Hasil Usaha) and RAT models (kkmp-domain.md §1.3-1.4, UU 25/1992 Pasal 45).

* ``ShuRule``: per cooperative and fiscal year, from the AD/ART: the jasa modal basis (pokok + wajib, or every
  simpanan; year-end balance, or the average of the month-end balances), the rule for members who left during the
  year, the quorum of the RAT, and the RAT decision that fixed it. Its ``ShuAllocation`` rows are the named parts in
  percent with two decimals; the service refuses a split that does not sum to exactly 100.00.
* ``ShuWorksheet``: the computed distribution of one closed year (totals, each allocation's amount in
  ``ShuWorksheetLine``), and ``ShuMemberShare`` each member's exact and rounded share, with its payment.
* ``RatMeeting``: the annual members' meeting of a fiscal year and its status (disiapkan -> dilaksanakan ->
  dilaporkan -> diverifikasi by the Sudin); the legal deadline is six months after the year end.
"""
from datetime import date
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import relationship

from app.core.formatting import percent
from app.core.tenancy import TenantMixin

ZERO = Decimal("0.00")

# Allocation kinds: the two member parts, the reserve, and the funds (liabilities spent later).
ALLOCATION_KINDS = [
    ("cadangan", _l("Dana cadangan")),
    ("jasa_modal", _l("Jasa modal (simpanan anggota)")),
    ("jasa_usaha", _l("Jasa usaha (transaksi anggota)")),
    ("dana_pengurus", _l("Dana pengurus")),
    ("dana_karyawan", _l("Dana karyawan")),
    ("dana_pendidikan", _l("Dana pendidikan")),
    ("dana_sosial", _l("Dana sosial")),
    ("dana_pembangunan", _l("Dana pembangunan daerah kerja")),
    ("lain", _l("Lainnya")),
]
ALLOCATION_LABELS = dict(ALLOCATION_KINDS)
MEMBER_KINDS = ("jasa_modal", "jasa_usaha")

JM_BASES = [("pokok_wajib", _l("Simpanan pokok + wajib")), ("semua", _l("Semua simpanan (pokok, wajib, sukarela)"))]
BALANCE_BASES = [("akhir_tahun", _l("Saldo akhir tahun")),
                 ("rata_bulanan", _l("Rata-rata saldo akhir bulan"))]
LEAVER_RULES = [("sampai_keluar", _l("Dapat bagian sampai tanggal keluar")), ("tidak", _l("Tidak dapat bagian"))]
JM_BASIS_LABELS, BALANCE_BASIS_LABELS, LEAVER_LABELS = dict(JM_BASES), dict(BALANCE_BASES), dict(LEAVER_RULES)

WORKSHEET_STATUSES = [("dihitung", _l("Dihitung")), ("dibagikan", _l("Dibagikan (jurnal diposting)"))]
WORKSHEET_STATUS_LABELS = dict(WORKSHEET_STATUSES)
RAT_STATUSES = [("disiapkan", _l("Disiapkan")), ("dilaksanakan", _l("Dilaksanakan")),
                ("dilaporkan", _l("Dilaporkan")), ("diverifikasi", _l("Diverifikasi Sudin"))]
RAT_STATUS_LABELS = dict(RAT_STATUSES)
RAT_ORDER = [s for s, _ in RAT_STATUSES]
PAYMENT_METHODS = [("tunai", _l("Tunai")), ("sukarela", _l("Dikreditkan ke simpanan sukarela"))]
PAYMENT_LABELS = dict(PAYMENT_METHODS)


def percent_text(value):
    """``12,50%``: two decimals and the Indonesian decimal comma, as the rule form takes it."""
    return percent(value, 2)


def rat_deadline(year):
    """Six months after the end of the fiscal year (UU 25/1992 practice: RAT within six months)."""
    return date(int(year) + 1, 6, 30)


class ShuRule(TenantMixin, Model):
    __tablename__ = "shu_rule"

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    jm_basis = Column(String(12), nullable=False, default="pokok_wajib")
    balance_basis = Column(String(12), nullable=False, default="akhir_tahun")
    leaver_rule = Column(String(14), nullable=False, default="sampai_keluar")
    quorum_percent = Column(Numeric(5, 2), nullable=False, default=Decimal("50.00"))
    decision_ref = Column(String(80), nullable=True)
    decided_on = Column(Date, nullable=True)
    copied_from_year = Column(Integer, nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    allocations = relationship("ShuAllocation", back_populates="rule", order_by="ShuAllocation.position",
                               cascade="all, delete-orphan", lazy="select")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", name="uq_shu_rule_coop_year"),
        CheckConstraint("jm_basis IN ('pokok_wajib','semua')", name="ck_shu_rule_jm_basis"),
        CheckConstraint("balance_basis IN ('akhir_tahun','rata_bulanan')", name="ck_shu_rule_balance_basis"),
        CheckConstraint("leaver_rule IN ('sampai_keluar','tidak')", name="ck_shu_rule_leaver"),
        CheckConstraint("quorum_percent > 0 AND quorum_percent <= 100", name="ck_shu_rule_quorum"),
    )

    def percent_of(self, kind):
        return sum((a.percent for a in self.allocations if a.kind == kind), ZERO)

    @property
    def jm_basis_label(self):
        return JM_BASIS_LABELS.get(self.jm_basis, self.jm_basis)

    @property
    def balance_basis_label(self):
        return BALANCE_BASIS_LABELS.get(self.balance_basis, self.balance_basis)

    @property
    def leaver_rule_label(self):
        return LEAVER_LABELS.get(self.leaver_rule, self.leaver_rule)

    @property
    def allocation_text(self):
        return ", ".join(f"{a.name} {percent_text(a.percent)}" for a in self.allocations)

    def __repr__(self):
        return f"SHU {self.year}"


class ShuAllocation(TenantMixin, Model):
    __tablename__ = "shu_allocation"

    id = Column(Integer, primary_key=True)
    rule_id = Column(Integer, ForeignKey("shu_rule.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    kind = Column(String(20), nullable=False)
    name = Column(String(80), nullable=False)
    percent = Column(Numeric(5, 2), nullable=False)

    rule = relationship("ShuRule", back_populates="allocations")

    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="ck_shu_allocation_percent"),
    )

    def __repr__(self):
        return f"{self.name} {self.percent}%"


class ShuReceiptCounter(Model):
    """Last SHU payment receipt number per cooperative and year (gapless, taken in the paying transaction)."""

    __tablename__ = "shu_receipt_counter"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    last_number = Column(Integer, nullable=False, default=0)


class ShuWorksheet(TenantMixin, Model):
    __tablename__ = "shu_worksheet"

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    rule_id = Column(Integer, ForeignKey("shu_rule.id", ondelete="RESTRICT"), nullable=False)
    status = Column(String(10), nullable=False, default="dihitung")
    computed_at = Column(DateTime, nullable=False)
    computed_by = Column(String(100), nullable=True)
    shu_total = Column(Numeric(18, 2), nullable=False)
    shu_members = Column(Numeric(18, 2), nullable=False)
    shu_non_members = Column(Numeric(18, 2), nullable=False)
    jm_amount = Column(Numeric(18, 2), nullable=False, default=ZERO)
    ju_amount = Column(Numeric(18, 2), nullable=False, default=ZERO)
    jm_basis_total = Column(Numeric(18, 2), nullable=False, default=ZERO)
    ju_basis_total = Column(Numeric(18, 2), nullable=False, default=ZERO)
    ju_source = Column(String(255), nullable=True)
    member_shares_total = Column(Numeric(18, 2), nullable=False, default=ZERO)
    member_count = Column(Integer, nullable=False, default=0)
    cadangan_rule = Column(Numeric(18, 2), nullable=False, default=ZERO)
    cadangan_non_member = Column(Numeric(18, 2), nullable=False, default=ZERO)
    cadangan_undistributed = Column(Numeric(18, 2), nullable=False, default=ZERO)
    cadangan_rounding = Column(Numeric(18, 2), nullable=False, default=ZERO)
    cadangan_total = Column(Numeric(18, 2), nullable=False, default=ZERO)
    funds_total = Column(Numeric(18, 2), nullable=False, default=ZERO)
    loss_covered = Column(Numeric(18, 2), nullable=False, default=ZERO)
    loss_uncovered = Column(Numeric(18, 2), nullable=False, default=ZERO)
    distribution_entry_id = Column(Integer, ForeignKey("journal_entry.id", ondelete="RESTRICT"), nullable=True)
    distributed_at = Column(DateTime, nullable=True)
    distributed_by = Column(String(100), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    rule = relationship("ShuRule", lazy="joined")
    lines = relationship("ShuWorksheetLine", order_by="ShuWorksheetLine.position", lazy="selectin",
                         cascade="all, delete-orphan", back_populates="worksheet")
    distribution_entry = relationship("JournalEntry", lazy="select")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", name="uq_shu_worksheet_coop_year"),
        CheckConstraint("status IN ('dihitung','dibagikan')", name="ck_shu_worksheet_status"),
    )

    @property
    def status_label(self):
        return WORKSHEET_STATUS_LABELS.get(self.status, self.status)

    @property
    def is_loss(self):
        return (self.shu_total or ZERO) < 0

    def __repr__(self):
        return f"Kertas kerja SHU {self.year}"


class ShuWorksheetLine(TenantMixin, Model):
    """One allocation of the worksheet: its percent, the base it applies to and the amount."""

    __tablename__ = "shu_worksheet_line"

    id = Column(Integer, primary_key=True)
    worksheet_id = Column(Integer, ForeignKey("shu_worksheet.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    kind = Column(String(20), nullable=False)
    name = Column(String(80), nullable=False)
    percent = Column(Numeric(5, 2), nullable=False)
    base = Column(Numeric(18, 2), nullable=False)
    amount = Column(Numeric(18, 2), nullable=False)

    worksheet = relationship("ShuWorksheet", back_populates="lines")

    @property
    def percent_text(self):
        return percent_text(self.percent)


class ShuMemberShare(TenantMixin, Model):
    """A member's SHU of one worksheet: the bases, the exact parts and the share rounded half-up to the rupiah;
    the payment (cash or credited to simpanan sukarela) once made."""

    __tablename__ = "shu_member_share"

    id = Column(Integer, primary_key=True)
    worksheet_id = Column(Integer, ForeignKey("shu_worksheet.id", ondelete="CASCADE"), nullable=False)
    member_id = Column(Integer, ForeignKey("member.id"), nullable=False)
    jm_basis = Column(Numeric(18, 2), nullable=False, default=ZERO)
    ju_basis = Column(Numeric(18, 2), nullable=False, default=ZERO)
    jm_exact = Column(Numeric(24, 6), nullable=False, default=ZERO)
    ju_exact = Column(Numeric(24, 6), nullable=False, default=ZERO)
    total_exact = Column(Numeric(24, 6), nullable=False, default=ZERO)
    total_rounded = Column(Numeric(18, 2), nullable=False, default=ZERO)
    left_on = Column(Date, nullable=True)
    paid_on = Column(Date, nullable=True)
    payment_method = Column(String(10), nullable=True)
    receipt_number = Column(String(20), nullable=True)
    payment_entry_id = Column(Integer, ForeignKey("journal_entry.id", ondelete="RESTRICT"), nullable=True)
    savings_transaction_id = Column(Integer, ForeignKey("savings_transaction.id"), nullable=True)
    paid_by = Column(String(100), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    member = relationship("Member", lazy="joined", innerjoin=True)
    worksheet = relationship("ShuWorksheet", lazy="select")

    __table_args__ = (
        UniqueConstraint("worksheet_id", "member_id", name="uq_shu_member_share_ws_member"),
        Index("ix_shu_member_share_coop_ws", "cooperative_id", "worksheet_id", "id"),
        CheckConstraint("payment_method IS NULL OR payment_method IN ('tunai','sukarela')",
                        name="ck_shu_member_share_method"),
    )

    @property
    def is_paid(self):
        return self.paid_on is not None

    @property
    def payment_label(self):
        return PAYMENT_LABELS.get(self.payment_method, "") if self.payment_method else _l("Belum dibayar")

    def __repr__(self):
        return f"SHU {self.member.name if self.member else self.member_id}"


class RatMeeting(TenantMixin, Model):
    __tablename__ = "rat_meeting"

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)  # the fiscal year the RAT accounts for
    status = Column(String(14), nullable=False, default="disiapkan")
    planned_date = Column(Date, nullable=True)
    held_date = Column(Date, nullable=True)
    members_total = Column(Integer, nullable=True)
    attendance = Column(Integer, nullable=True)
    decision_ref = Column(String(80), nullable=True)
    chair_name = Column(String(120), nullable=True)
    minutes_taker = Column(String(120), nullable=True)
    minutes = Column(Text, nullable=True)
    reported_on = Column(Date, nullable=True)
    verified_on = Column(Date, nullable=True)
    verified_by = Column(String(100), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", name="uq_rat_meeting_coop_year"),
        CheckConstraint("status IN ('disiapkan','dilaksanakan','dilaporkan','diverifikasi')",
                        name="ck_rat_meeting_status"),
        CheckConstraint("attendance IS NULL OR attendance >= 0", name="ck_rat_meeting_attendance"),
    )

    @property
    def status_label(self):
        return RAT_STATUS_LABELS.get(self.status, self.status)

    @property
    def deadline(self):
        return rat_deadline(self.year)

    def overdue_on(self, today):
        """Late: not held and the deadline has passed, or held after the deadline."""
        if self.held_date is not None:
            return self.held_date > self.deadline
        return today > self.deadline

    @property
    def overdue(self):
        from app.core.dates import local_today

        return self.overdue_on(local_today(self.cooperative))

    @property
    def overdue_label(self):
        return _l("Terlambat") if self.overdue else ""

    def __repr__(self):
        return f"RAT {self.year}"


class RapbLine(TenantMixin, Model):
    """Next year's work plan and budget (RAPB) per account, presented to the RAT."""

    __tablename__ = "rapb_line"

    id = Column(Integer, primary_key=True)
    rat_id = Column(Integer, ForeignKey("rat_meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    account_code = Column(String(6), nullable=False)
    account_name = Column(String(120), nullable=False)
    amount = Column(Numeric(18, 2), nullable=False, default=ZERO)

    __table_args__ = (UniqueConstraint("rat_id", "account_code", name="uq_rapb_line_rat_account"),)
