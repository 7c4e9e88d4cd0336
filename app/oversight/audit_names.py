"""How the audit log names the review chain's records (registered with app.core.audit_names)."""
from flask_babel import lazy_gettext as _l

from app.core.audit_names import by_columns, register_record

from .models import MonthlyReport, MonthlyReportStep

register_record("monthly_report", _l("Laporan bulanan"), by_columns(MonthlyReport, "month", "year", sep="/"))
register_record("monthly_report_step", _l("Langkah tinjauan"), by_columns(MonthlyReportStep, "action", "username"))
