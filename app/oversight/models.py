"""The monthly review chain (issue 18): one report per cooperative and month, and the dated steps it went through.

* ``MonthlyReport``: created when the Pengurus submits a closed month; its ``status`` says whose turn it is
  (``submitted`` -> Lurah, ``lurah_approved`` -> Camat, ``camat_approved`` -> Sudin, ``approved`` done;
  ``sent_back`` and ``reopened`` -> the cooperative again). The figures are not copied into it: they are read from
  the ledger's kept balances, which cannot change while the month stays closed, and reopening the month resets
  the chain (``services.reset_on_reopen``), so what a reviewer signed is what the books say.
* ``MonthlyReportStep``: every submit, approval, send-back and reset, with who, when (UTC) and the comment: the
  history everyone up and down the chain reads. Append-only in practice (no view or service changes one).
"""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.core.tenancy import TenantMixin

STATUSES = ["submitted", "lurah_approved", "camat_approved", "approved", "sent_back", "reopened"]
STATUS_LABELS = {
    "submitted": _l("Menunggu tinjauan lurah"),
    "lurah_approved": _l("Disetujui lurah, menunggu camat"),
    "camat_approved": _l("Disetujui camat, menunggu Sudin"),
    "approved": _l("Disetujui Sudin (selesai)"),
    "sent_back": _l("Dikembalikan ke koperasi"),
    "reopened": _l("Bulan dibuka kembali, tinjauan diulang"),
}
# Whose turn it is at each status: the role that may approve or send back.
REVIEWER_OF = {"submitted": "Lurah", "lurah_approved": "Camat", "camat_approved": "Sudin"}
NEXT_STATUS = {"submitted": "lurah_approved", "lurah_approved": "camat_approved", "camat_approved": "approved"}
# Statuses from which the cooperative (Pengurus) may submit again.
RESUBMITTABLE = {"sent_back", "reopened"}

STEP_LABELS = {
    "submit": _l("Diajukan koperasi"),
    "approve": _l("Disetujui"),
    "send_back": _l("Dikembalikan"),
    "reset": _l("Tinjauan diulang (bulan dibuka kembali)"),
}


class MonthlyReport(TenantMixin, Model):
    __tablename__ = "monthly_report"

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    month = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default="submitted")
    submitted_at = Column(DateTime, nullable=True)  # UTC, naive, like every moment of the app
    submitted_by = Column(String(100), nullable=True)
    lurah_at = Column(DateTime, nullable=True)
    lurah_by = Column(String(100), nullable=True)
    camat_at = Column(DateTime, nullable=True)
    camat_by = Column(String(100), nullable=True)
    sudin_at = Column(DateTime, nullable=True)
    sudin_by = Column(String(100), nullable=True)
    last_comment = Column(Text, nullable=True)  # the latest send-back comment or reset reason, shown on the list
    version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    steps = relationship("MonthlyReportStep", lazy="select", viewonly=True, order_by="MonthlyReportStep.id")

    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", "month", name="uq_monthly_report_coop_month"),
        # The reviewers' waiting lists and the navbar count read by status within their cooperatives.
        Index("ix_monthly_report_status_coop", "status", "cooperative_id"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_monthly_report_month"),
        CheckConstraint("status IN ('submitted','lurah_approved','camat_approved','approved','sent_back',"
                        "'reopened')", name="ck_monthly_report_status"),
    )

    @property
    def label(self):
        return f"{self.month:02d}/{self.year}"

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def waiting_for(self):
        return REVIEWER_OF.get(self.status) or ("Pengurus" if self.status in RESUBMITTABLE else None)

    def __repr__(self):
        return self.label


class MonthlyReportStep(TenantMixin, Model):
    __tablename__ = "monthly_report_step"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("monthly_report.id", ondelete="RESTRICT"), nullable=False, index=True)
    action = Column(String(12), nullable=False)
    role = Column(String(20), nullable=True)
    username = Column(String(100), nullable=True)
    full_name = Column(String(200), nullable=True)
    at = Column(DateTime, nullable=False)  # UTC, naive
    comment = Column(Text, nullable=True)
    status_after = Column(String(16), nullable=False)

    __table_args__ = (
        CheckConstraint("action IN ('submit','approve','send_back','reset')", name="ck_monthly_report_step_action"),
    )

    @property
    def action_label(self):
        return STEP_LABELS.get(self.action, self.action)

    def __repr__(self):
        return f"{self.action} {self.username}"
