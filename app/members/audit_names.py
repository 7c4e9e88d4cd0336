"""How the audit log names members (registered with app.core.audit_names): number and name, never the NIK."""
from flask_babel import lazy_gettext as _l

from app.core.audit_names import by_columns, register_record

from .models import Member

register_record("member", _l("Anggota"), by_columns(Member, "member_number", "name"))
