"""One row per background job: who started it, what, for which scope, how far it got, and what came of it.

Not a TenantMixin table: a job may cover one cooperative (a Pengurus' bill run) or a whole city or the country (a
Sudin's export, the monthly run), so ``cooperative_id`` is NULL for the wider ones. Who may read a job is decided
in ``app.jobs.services.visible_jobs``: only the user who started it, and only while their scope is still the one
the job was started under (``scope_label``), so a moved or demoted user loses their old results.
"""
import json

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

STATUSES = ("queued", "running", "done", "failed")
STATUS_LABELS = {"queued": _l("Menunggu"), "running": _l("Berjalan"), "done": _l("Selesai"),
                 "failed": _l("Gagal")}


class Job(Model):
    __tablename__ = "job"

    id = Column(Integer, primary_key=True)
    kind = Column(String(30), nullable=False)
    # NULL: started by the scheduler (the monthly wajib run), not by a person.
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True, index=True)
    username = Column(String(100), nullable=True)
    cooperative_id = Column(Integer, ForeignKey("cooperative.id"), nullable=True, index=True)
    # The starter's scope when the job was started (app.core.scope.Scope.label: "coop:3", "region:31.73", "all").
    scope_label = Column(String(40), nullable=False)
    params = Column(Text, nullable=True)  # JSON
    # Deduplicates runs that must happen once (the scheduler's monthly run: "wajib:2026-12").
    dedupe_key = Column(String(80), nullable=True, unique=True)
    status = Column(String(10), nullable=False, default="queued")
    progress_done = Column(Integer, nullable=False, default=0)
    progress_total = Column(Integer, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False)
    started_at = Column(DateTime, nullable=True)
    finished_at = Column(DateTime, nullable=True)
    # Last sign of life from the worker running it: a running job silent for long is queued again.
    heartbeat_at = Column(DateTime, nullable=True)
    result_path = Column(String(255), nullable=True)
    result_name = Column(String(120), nullable=True)
    result_summary = Column(Text, nullable=True)  # what the user reads when done (Indonesian, already rendered)
    error_message = Column(Text, nullable=True)  # Indonesian, shown as is
    # An import's refusals, JSON [[row, column, message], ...] (Indonesian): nothing was written.
    error_rows = Column(Text, nullable=True)

    cooperative = relationship("Cooperative", lazy="joined")

    __table_args__ = (
        CheckConstraint("status IN ('queued','running','done','failed')", name="ck_job_status"),
    )

    @property
    def params_dict(self):
        return json.loads(self.params) if self.params else {}

    @property
    def error_list(self):
        return json.loads(self.error_rows) if self.error_rows else []

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    def local_text(self, moment):
        """A stored UTC moment on the cooperative's clock (WIB for jobs over a region): ``02/12/2026 07:05 WIB``."""
        if moment is None:
            return ""
        from datetime import timezone

        from app.core.dates import WIB, WIT, WITA, cooperative_timezone

        zone = cooperative_timezone(self.cooperative) if self.cooperative is not None else WIB
        name = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}.get(zone, "")
        return f"{moment.replace(tzinfo=timezone.utc).astimezone(zone):%d/%m/%Y %H:%M} {name}"

    @property
    def created_text(self):
        return self.local_text(self.created_at)

    @property
    def finished_text(self):
        return self.local_text(self.finished_at)

    @property
    def percent(self):
        if self.status == "done":
            return 100
        if not self.progress_total:
            return 0
        return max(0, min(100, int(self.progress_done * 100 / self.progress_total)))
