"""Ledger models: chart of accounts, purpose mapping, journal entries and lines, monthly periods, counters.

* ``Account``: one row per cooperative and 6-digit code, copied from the KKMP template (``chart.py``) when the
  cooperative is created; Pengurus may add accounts and deactivate unused ones. ``journal_line.account_id`` is
  ``ON DELETE RESTRICT``: an account with postings cannot be deleted, whatever the path.
* ``AccountPurpose``: a cooperative's override of the default purpose -> account code mapping (``chart.py``).
* ``JournalEntry``/``JournalLine``: posted entries are immutable (ORM guard in ``guards.py``; database triggers in
  the migration). A correction is a reversing entry referencing the original (``reverses_id``, unique).
* ``Period``: one row per cooperative and month, created on first use; ``closed`` refuses postings dated in it.
* ``JournalCounter``: the gapless per-cooperative-per-year entry number, taken by an atomic upsert in the posting
  transaction (a rolled-back posting rolls its number back too). Not a tenant model: only ``services`` touches it,
  through Core statements, after the posting was validated for the user's scope.
"""
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import relationship

from app.core.tenancy import TenantMixin

from .chart import KIND_LABELS, NORMAL_BALANCE

ZERO = Decimal("0.00")

ENTRY_TYPES = [("umum", _l("Jurnal umum")), ("pembalik", _l("Jurnal pembalik")),
               ("penutup", _l("Jurnal penutup")), ("pembuka", _l("Jurnal pembuka"))]
ENTRY_TYPE_LABELS = dict(ENTRY_TYPES)
PERIOD_STATUS_LABELS = {"open": _l("Terbuka"), "closed": _l("Ditutup")}
MEMBER_FLAG_LABELS = {"anggota": _l("Dari anggota"), "non_anggota": _l("Dari non-anggota")}


class Account(TenantMixin, Model):
    __tablename__ = "account"

    id = Column(Integer, primary_key=True)
    code = Column(String(6), nullable=False)
    name = Column(String(120), nullable=False)
    kind = Column(String(12), nullable=False)
    normal_balance = Column(String(1), nullable=False)  # D (debit) / K (kredit)
    is_header = Column(Boolean, nullable=False, default=False)
    is_active = Column(Boolean, nullable=False, default=True)
    member_flag = Column(String(12), nullable=True)  # anggota / non_anggota on revenue sub-accounts
    is_system = Column(Boolean, nullable=False, default=False)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        UniqueConstraint("cooperative_id", "code", name="uq_account_coop_code"),
        CheckConstraint("length(code) = 6", name="ck_account_code_length"),
        CheckConstraint("kind IN ('aset','kewajiban','ekuitas','pendapatan','hpp','beban')", name="ck_account_kind"),
        CheckConstraint("normal_balance IN ('D','K')", name="ck_account_normal_balance"),
        CheckConstraint("member_flag IS NULL OR member_flag IN ('anggota','non_anggota')",
                        name="ck_account_member_flag"),
    )

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def normal_balance_label(self):
        return "Debit" if self.normal_balance == "D" else "Kredit"

    @property
    def member_flag_label(self):
        return MEMBER_FLAG_LABELS.get(self.member_flag, "") if self.member_flag else ""

    @property
    def expected_normal_balance(self):
        return NORMAL_BALANCE[self.kind]

    def __repr__(self):
        return f"{self.code} {self.name}"


class AccountPurpose(TenantMixin, Model):
    """A cooperative's own account for a posting purpose (e.g. simpanan wajib as a liability)."""

    __tablename__ = "account_purpose"

    id = Column(Integer, primary_key=True)
    purpose = Column(String(40), nullable=False)
    account_code = Column(String(6), nullable=False)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (UniqueConstraint("cooperative_id", "purpose", name="uq_account_purpose_coop_purpose"),)

    def __repr__(self):
        return f"{self.purpose} -> {self.account_code}"


class JournalCounter(Model):
    """Last entry number used per cooperative and year (gapless numbering)."""

    __tablename__ = "journal_counter"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), primary_key=True)
    year = Column(Integer, primary_key=True)
    last_number = Column(Integer, nullable=False, default=0)


class JournalEntry(TenantMixin, Model):
    __tablename__ = "journal_entry"
    kkmp_prefix_search = ("number",)  # app/core/interface.py

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False)
    year = Column(Integer, nullable=False)
    seq = Column(Integer, nullable=False)
    entry_date = Column(Date, nullable=False)
    description = Column(String(255), nullable=False)
    reference = Column(String(60), nullable=True)
    business_unit_id = Column(Integer, ForeignKey("business_unit.id"), nullable=True)
    source_type = Column(String(40), nullable=True)
    source_id = Column(String(40), nullable=True)
    reverses_id = Column(Integer, ForeignKey("journal_entry.id", ondelete="RESTRICT"), nullable=True, unique=True)
    entry_type = Column(String(10), nullable=False, default="umum")
    status = Column(String(10), nullable=False, default="posted")
    posted_at = Column(DateTime, nullable=False)  # UTC, naive
    posted_by_id = Column(Integer, nullable=True)
    posted_by = Column(String(100), nullable=True)
    total = Column(Numeric(18, 2), nullable=False)

    business_unit = relationship("BusinessUnit", lazy="joined")
    reverses = relationship("JournalEntry", remote_side=[id], lazy="select")
    lines = relationship("JournalLine", back_populates="entry", order_by="JournalLine.line_no", lazy="select",
                         passive_deletes="all")

    # Posted entries never change; the constant satisfies code that reads a row version.
    version = 1

    __table_args__ = (
        UniqueConstraint("cooperative_id", "number", name="uq_journal_entry_coop_number"),
        UniqueConstraint("cooperative_id", "year", "seq", name="uq_journal_entry_coop_year_seq"),
        # Each offered order pages by keyset over (column, id), within a cooperative or across many (fastpaths001).
        Index("ix_journal_entry_coop_id", "cooperative_id", "id"),
        Index("ix_journal_entry_coop_date_id", "cooperative_id", "entry_date", "id"),
        Index("ix_journal_entry_date_id", "entry_date", "id"),
        Index("ix_journal_entry_number_id", "number", "id"),
        # "Number starts with" (a LIKE prefix): pattern indexes, as the collation is not C.
        Index("ix_journal_entry_coop_number_pat", "cooperative_id", "number",
              postgresql_ops={"number": "varchar_pattern_ops"}, info={"dialects": ("postgresql",)}),
        Index("ix_journal_entry_number_pat", "number", postgresql_ops={"number": "varchar_pattern_ops"}, info={"dialects": ("postgresql",)}),
        Index("ix_journal_entry_source", "cooperative_id", "source_type", "source_id"),
        CheckConstraint("status IN ('posted')", name="ck_journal_entry_status"),
        CheckConstraint("entry_type IN ('umum','pembalik','penutup','pembuka')", name="ck_journal_entry_type"),
        CheckConstraint("total > 0", name="ck_journal_entry_total"),
    )

    @property
    def entry_type_label(self):
        return ENTRY_TYPE_LABELS.get(self.entry_type, self.entry_type)

    def __repr__(self):
        return self.number


class JournalLine(TenantMixin, Model):
    __tablename__ = "journal_line"

    id = Column(Integer, primary_key=True)
    entry_id = Column(Integer, ForeignKey("journal_entry.id", ondelete="RESTRICT"), nullable=False, index=True)
    line_no = Column(Integer, nullable=False)
    account_id = Column(Integer, ForeignKey("account.id", ondelete="RESTRICT"), nullable=False)
    debit = Column(Numeric(18, 2), nullable=False, default=ZERO)
    credit = Column(Numeric(18, 2), nullable=False, default=ZERO)
    memo = Column(String(255), nullable=True)

    entry = relationship("JournalEntry", back_populates="lines", lazy="joined")
    account = relationship("Account", lazy="joined")

    version = 1

    __table_args__ = (
        Index("ix_journal_line_coop_account", "cooperative_id", "account_id"),
        Index("ix_journal_line_coop_id", "cooperative_id", "id"),  # the list of lines, in posting order
        CheckConstraint("debit >= 0 AND credit >= 0", name="ck_journal_line_not_negative"),
        CheckConstraint("(debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)", name="ck_journal_line_one_side"),
    )

    @property
    def entry_date(self):
        return self.entry.entry_date if self.entry is not None else None

    def __repr__(self):
        return f"{self.entry} #{self.line_no}"


class Period(TenantMixin, Model):
    """A month of a cooperative's books: open, or closed by the Pengurus (reopened only by Sudin or Admin)."""

    __tablename__ = "ledger_period"

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    month = Column(Integer, nullable=False)
    status = Column(String(10), nullable=False, default="open")
    closed_at = Column(DateTime, nullable=True)  # UTC, naive
    closed_by = Column(String(100), nullable=True)
    reopened_at = Column(DateTime, nullable=True)
    reopened_by = Column(String(100), nullable=True)
    reopen_reason = Column(Text, nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", "month", name="uq_ledger_period_coop_year_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_ledger_period_month"),
        CheckConstraint("status IN ('open','closed')", name="ck_ledger_period_status"),
    )

    @property
    def label(self):
        return f"{self.month:02d}/{self.year}"

    @property
    def status_label(self):
        return PERIOD_STATUS_LABELS.get(self.status, self.status)

    def __repr__(self):
        return self.label


class LedgerYear(TenantMixin, Model):
    """A closed financial year: its closing entry, the SHU carried to 317000, who closed it."""

    __tablename__ = "ledger_year"

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    start_date = Column(Date, nullable=False)
    shu = Column(Numeric(18, 2), nullable=False)
    closed_at = Column(DateTime, nullable=False)
    closed_by = Column(String(100), nullable=True)
    closing_entry_id = Column(Integer, ForeignKey("journal_entry.id", ondelete="RESTRICT"), nullable=True)
    transfer_entry_id = Column(Integer, ForeignKey("journal_entry.id", ondelete="RESTRICT"), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (UniqueConstraint("cooperative_id", "year", name="uq_ledger_year_coop_year"),)


from . import guards  # noqa: E402,F401  (ORM guards and the chart-on-create hook, for every session)
