"""How the audit log names user accounts (registered with app.core.audit_names)."""
from flask_babel import lazy_gettext as _l

from app.core.audit_names import by_columns, register_record

from .models import KkmpUser

register_record("ab_user", _l("Pengguna"), by_columns(KkmpUser, "username"))
