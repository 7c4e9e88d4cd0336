"""Savings models: products and effective-dated wajib rates, monthly wajib bills, per-member balances, deposits and
withdrawals (with their receipt numbers and idempotency keys), exit settlements and imported files.

* ``SavingsProduct``: one row per cooperative and kind (pokok / wajib / sukarela), decided by the members' meeting.
  Pokok has one amount for every member, payable in up to ``instalments`` parts; wajib's monthly amount lives in
  ``WajibRate`` rows with ``valid_from`` (first day of a month), so a new rate never rewrites past bills.
* ``WajibBill``: one row per member and month (UNIQUE member, year, month); ``paid_amount`` grows as payments settle
  the oldest bills first.
* ``SavingsBalance``: one row per member and kind, moved only by the services (conditional UPDATE for withdrawals,
  ``CHECK (balance >= 0)`` as backstop).
* ``SavingsTransaction``: immutable once written (a correction is a reversing transaction); receipt number gapless
  per cooperative and year (``ReceiptCounter``), idempotency key UNIQUE per cooperative.
"""
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        UniqueConstraint, column, func, select, table)
from sqlalchemy.orm import column_property, relationship

from app.core.formatting import month_name
from app.core.tenancy import TenantMixin

ZERO = Decimal("0.00")
KINDS = [("pokok", _l("Simpanan pokok")), ("wajib", _l("Simpanan wajib")), ("sukarela", _l("Simpanan sukarela"))]
KIND_LABELS = dict(KINDS)
DIRECTIONS = [("setor", _l("Setoran")), ("tarik", _l("Penarikan"))]
DIRECTION_LABELS = dict(DIRECTIONS)


class SavingsProduct(TenantMixin, Model):
    __tablename__ = "savings_product"

    id = Column(Integer, primary_key=True)
    kind = Column(String(10), nullable=False)
    name = Column(String(80), nullable=False)
    # pokok: the one amount for every member; wajib: informational (the rates hold the amounts); sukarela: minimum
    # deposit (optional).
    amount = Column(Numeric(18, 2), nullable=True)
    instalments = Column(Integer, nullable=False, default=1)
    decided_on = Column(Date, nullable=True)  # date of the members' meeting (musyawarah / RAT)
    decision_ref = Column(String(80), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        UniqueConstraint("cooperative_id", "kind", name="uq_savings_product_coop_kind"),
        CheckConstraint("kind IN ('pokok','wajib','sukarela')", name="ck_savings_product_kind"),
        CheckConstraint("amount IS NULL OR amount > 0", name="ck_savings_product_amount"),
        CheckConstraint("instalments >= 1 AND instalments <= 12", name="ck_savings_product_instalments"),
    )

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    def __repr__(self):
        return self.name or str(self.kind_label)


class WajibRate(TenantMixin, Model):
    """The monthly simpanan wajib from ``valid_from`` (a month's first day) until the next rate starts."""

    __tablename__ = "wajib_rate"

    id = Column(Integer, primary_key=True)
    valid_from = Column(Date, nullable=False)
    amount = Column(Numeric(18, 2), nullable=False)
    decided_on = Column(Date, nullable=True)
    decision_ref = Column(String(80), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        UniqueConstraint("cooperative_id", "valid_from", name="uq_wajib_rate_coop_from"),
        CheckConstraint("amount > 0", name="ck_wajib_rate_amount"),
    )

    def __repr__(self):
        return f"{self.valid_from:%m/%Y}: {self.amount}"


class WajibBill(TenantMixin, Model):
    __tablename__ = "wajib_bill"

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("member.id"), nullable=False)
    year = Column(Integer, nullable=False)
    month = Column(Integer, nullable=False)
    amount = Column(Numeric(18, 2), nullable=False)
    paid_amount = Column(Numeric(18, 2), nullable=False, default=ZERO)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    member = relationship("Member", lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("member_id", "year", "month", name="uq_wajib_bill_member_month"),
        Index("ix_wajib_bill_coop_period", "cooperative_id", "year", "month"),
        # The list, newest first: of a cooperative, of a member (fastpaths001).
        Index("ix_wajib_bill_coop_id", "cooperative_id", "id"),
        Index("ix_wajib_bill_member_id", "member_id", "id"),
        CheckConstraint("amount > 0", name="ck_wajib_bill_amount"),
        CheckConstraint("paid_amount >= 0 AND paid_amount <= amount", name="ck_wajib_bill_paid"),
        CheckConstraint("month >= 1 AND month <= 12", name="ck_wajib_bill_month"),
    )

    @property
    def outstanding(self):
        return (self.amount or ZERO) - (self.paid_amount or ZERO)

    @property
    def period_label(self):
        return f"{month_name(self.month)} {self.year}" if self.month else ""

    @property
    def status_label(self):
        if (self.paid_amount or ZERO) >= (self.amount or ZERO):
            return _l("Lunas")
        return _l("Dibayar sebagian") if self.paid_amount else _l("Belum dibayar")


class SavingsBalance(TenantMixin, Model):
    """A member's balance of one kind; changed only by the services, never below zero."""

    __tablename__ = "savings_balance"

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("member.id"), nullable=False)
    kind = Column(String(10), nullable=False)
    balance = Column(Numeric(18, 2), nullable=False, default=ZERO)
    # wajib only: the part of the balance paid ahead of any bill (applied to the next bills as they are made).
    prepaid = Column(Numeric(18, 2), nullable=False, default=ZERO, server_default="0")

    __table_args__ = (
        UniqueConstraint("member_id", "kind", name="uq_savings_balance_member_kind"),
        CheckConstraint("balance >= 0", name="ck_savings_balance_not_negative"),
        CheckConstraint("prepaid >= 0 AND prepaid <= balance", name="ck_savings_balance_prepaid"),
        CheckConstraint("kind IN ('pokok','wajib','sukarela')", name="ck_savings_balance_kind"),
    )


class ReceiptCounter(Model):
    """Last receipt (kwitansi) number per cooperative and year; taken in the transaction that writes the receipt."""

    __tablename__ = "savings_receipt_counter"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    last_number = Column(Integer, nullable=False, default=0)


class WajibBillRun(Model):
    """A month whose wajib bills were made for a cooperative (by the first deposit, arrears list or passbook of the
    month, or by the board): the lazy monthly run happens once, and the PRIMARY KEY makes it idempotent."""

    __tablename__ = "wajib_bill_run"

    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    month = Column(Integer, primary_key=True, autoincrement=False)
    created_at = Column(DateTime, nullable=False, server_default=func.now())


class ReceiptPrint(Model):
    """How often a receipt was printed: from the second print on it is marked SALINAN (copy). Kept apart from
    the immutable transaction row."""

    __tablename__ = "savings_receipt_print"

    transaction_id = Column(Integer, ForeignKey("savings_transaction.id"), primary_key=True, autoincrement=False)
    print_count = Column(Integer, nullable=False, default=0)
    first_printed_at = Column(DateTime, nullable=False)
    last_printed_at = Column(DateTime, nullable=False)


class SavingsTransaction(TenantMixin, Model):
    __tablename__ = "savings_transaction"
    kkmp_prefix_search = ("receipt_number",)  # app/core/interface.py

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("member.id"), nullable=False)
    kind = Column(String(10), nullable=False)
    direction = Column(String(6), nullable=False)
    amount = Column(Numeric(18, 2), nullable=False)
    tx_date = Column(Date, nullable=False)
    receipt_year = Column(Integer, nullable=False)
    receipt_seq = Column(Integer, nullable=False)
    receipt_number = Column(String(20), nullable=False)
    idempotency_key = Column(String(64), nullable=False)
    journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    settlement_id = Column(Integer, ForeignKey("exit_settlement.id"), nullable=True)
    note = Column(String(255), nullable=True)
    created_by = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, server_default=func.now())
    # A correction (koreksi): the reversing transaction points at the one it reverses (UNIQUE: once only), and the
    # reversed one records when it was reversed (set under a row lock in the reversing transaction).
    reversal_of_id = Column(Integer, ForeignKey("savings_transaction.id", name="fk_savings_tx_reversal_of"), nullable=True)
    reversed_at = Column(DateTime, nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    member = relationship("Member", lazy="joined", innerjoin=True)
    journal_entry = relationship("JournalEntry", lazy="select")
    reversal_of = relationship("SavingsTransaction", remote_side=[id], lazy="select")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "idempotency_key", name="uq_savings_tx_coop_idem"),
        UniqueConstraint("cooperative_id", "receipt_year", "receipt_seq", name="uq_savings_tx_coop_receipt"),
        # Each offered order pages by keyset over (column, id), within a cooperative or across many (fastpaths001).
        Index("ix_savings_tx_coop_id", "cooperative_id", "id"),
        Index("ix_savings_tx_coop_date_id", "cooperative_id", "tx_date", "id"),
        Index("ix_savings_tx_date_id", "tx_date", "id"),
        Index("ix_savings_tx_coop_amount_id", "cooperative_id", "amount", "id"),
        Index("ix_savings_tx_amount_id", "amount", "id"),
        Index("ix_savings_tx_member", "member_id", "tx_date"),
        Index("ix_savings_tx_member_id", "member_id", "id"),  # a member's transactions, newest first
        # "Receipt number starts with" (a LIKE prefix): pattern indexes, as the collation is not C.
        Index("ix_savings_tx_coop_receipt_pat", "cooperative_id", "receipt_number",
              postgresql_ops={"receipt_number": "varchar_pattern_ops"}, info={"dialects": ("postgresql",)}),
        Index("ix_savings_tx_receipt_pat", "receipt_number",
              postgresql_ops={"receipt_number": "varchar_pattern_ops"}, info={"dialects": ("postgresql",)}),
        Index("uq_savings_tx_reversal_of", "reversal_of_id", unique=True),
        CheckConstraint("amount > 0", name="ck_savings_tx_amount"),
        CheckConstraint("kind IN ('pokok','wajib','sukarela')", name="ck_savings_tx_kind"),
        CheckConstraint("direction IN ('setor','tarik')", name="ck_savings_tx_direction"),
    )

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def direction_label(self):
        return DIRECTION_LABELS.get(self.direction, self.direction)

    @property
    def journal_number(self):
        return self.journal_entry.number if self.journal_entry is not None else ""

    @property
    def correction_label(self):
        """'Dibatalkan' on a reversed transaction, 'Koreksi' on the reversing one, '' otherwise (no extra query)."""
        if self.reversed_at is not None:
            return _l("Dibatalkan")
        if self.reversal_of_id is not None:
            return _l("Koreksi")
        return ""


# The journal's two columns the exit settlement list reads (a lightweight table: no import of the ledger's models).
_journal = table("journal_entry", column("id"), column("number"))


class ExitSettlement(TenantMixin, Model):
    """Paying back pokok and wajib to a member who left, less the share of losses the board entered."""

    __tablename__ = "exit_settlement"

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("member.id"), nullable=False, unique=True)
    settle_date = Column(Date, nullable=False)
    pokok = Column(Numeric(18, 2), nullable=False)
    wajib = Column(Numeric(18, 2), nullable=False)
    loss_share = Column(Numeric(18, 2), nullable=False, default=ZERO)
    paid_out = Column(Numeric(18, 2), nullable=False)
    journal_entry_id = Column(Integer, ForeignKey("journal_entry.id"), nullable=True)
    note = Column(String(255), nullable=True)
    created_by = Column(String(100), nullable=True)
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    # The member joined as on the savings list; the journal's number read by a correlated subquery, not by joining
    # the journal: the joined chains (member -> cooperative -> region, journal -> business unit -> cooperative ->
    # region) made a 12-table join in which PostgreSQL no longer reorders the joins (join_collapse_limit), so the
    # page's 25 rows were picked only after every journal entry and member had been joined (180 ms at 900,000
    # journals).
    member = relationship("Member", lazy="joined", innerjoin=True)
    journal_entry = relationship("JournalEntry", lazy="select")
    # Under another name than the list's column: FAB takes a mapped column_property in list_columns for a table
    # column and asks it for ``nullable``.
    kkmp_not_filtered = ("journal_number_read",)
    journal_number_read = column_property(select(_journal.c.number).where(_journal.c.id == journal_entry_id)
                                          .correlate_except(_journal).scalar_subquery())

    __table_args__ = (
        CheckConstraint("loss_share >= 0 AND paid_out >= 0", name="ck_exit_settlement_amounts"),
        # The list's two orders, by keyset within one cooperative and across many (as migration fastpaths001).
        Index("ix_exit_settlement_coop_date_id", "cooperative_id", "settle_date", "id"),
        Index("ix_exit_settlement_date_id", "settle_date", "id"),
        Index("ix_exit_settlement_coop_paid_id", "cooperative_id", "paid_out", "id"),
        Index("ix_exit_settlement_paid_id", "paid_out", "id"),
    )

    @property
    def journal_number(self):
        return self.journal_number_read or ""


class SavingsImport(TenantMixin, Model):
    """A deposits workbook imported into a cooperative; the SHA-256 refuses the same file twice."""

    __tablename__ = "savings_import"

    id = Column(Integer, primary_key=True)
    sha256 = Column(String(64), nullable=False)
    filename = Column(String(255))
    row_count = Column(Integer, nullable=False)
    username = Column(String(100))
    imported_at = Column(DateTime, nullable=False, server_default=func.now())

    __table_args__ = (UniqueConstraint("cooperative_id", "sha256", name="uq_savings_import_coop_sha"),)
