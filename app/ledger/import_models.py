"""Record of each xlsx workbook imported into the books (saldo awal or buku kas).

One row per successful import, written in the same transaction as its journal entries. The SHA-256 of the file is
unique per cooperative: the same workbook imported twice is refused (idempotency), whichever import it went to.
The journal entries created point back here with ``source_type`` = ``kind`` and ``source_id`` = this row's id.
"""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Date, DateTime, Integer, String, UniqueConstraint, func

from app.core.tenancy import TenantMixin

IMPORT_KINDS = {"saldo_awal": _l("Saldo awal"), "buku_kas": _l("Buku kas")}


class LedgerImport(TenantMixin, Model):
    __tablename__ = "ledger_import"

    id = Column(Integer, primary_key=True)
    kind = Column(String(12), nullable=False)
    sha256 = Column(String(64), nullable=False)
    filename = Column(String(255), nullable=True)
    row_count = Column(Integer, nullable=False)
    entry_count = Column(Integer, nullable=False)
    first_date = Column(Date, nullable=True)
    last_date = Column(Date, nullable=True)
    username = Column(String(100), nullable=True)
    imported_at = Column(DateTime, nullable=False, server_default=func.now())

    # Written once with its entries and never edited (the view is read-only); the constant satisfies code that
    # reads a row version, as on JournalEntry.
    version = 1

    __table_args__ = (
        UniqueConstraint("cooperative_id", "sha256", name="uq_ledger_import_coop_sha"),
        CheckConstraint("kind IN ('saldo_awal','buku_kas')", name="ck_ledger_import_kind"),
    )

    @property
    def kind_label(self):
        return IMPORT_KINDS.get(self.kind, self.kind)

    def __repr__(self):
        return f"{self.kind} {self.filename}"
