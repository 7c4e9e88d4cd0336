"""How the audit log names the ledger's records (registered with app.core.audit_names)."""
from flask_babel import lazy_gettext as _l

from app.core.audit_names import by_columns, register_record

from .models import Account, JournalEntry, Period

register_record("journal_entry", _l("Jurnal"), by_columns(JournalEntry, "number"))
register_record("account", _l("Akun"), by_columns(Account, "code", "name"))
register_record("ledger_period", _l("Periode"), by_columns(Period, "month", "year", sep="/"))
