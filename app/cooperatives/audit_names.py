"""How the audit log names the registry's records (registered with app.core.audit_names)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit_names import by_columns, register_cooperatives, register_record

from .models import BusinessUnit, Cooperative, OrganMember


def _cooperatives(session, ids):
    rows = session.execute(select(Cooperative.id, Cooperative.name, Cooperative.region_code)
                           .where(Cooperative.id.in_(ids)))
    return {r.id: (r.name, r.region_code) for r in rows}


register_cooperatives(_cooperatives)
register_record("cooperative", _l("Koperasi"), by_columns(Cooperative, "name"))
register_record("business_unit", _l("Unit usaha"), by_columns(BusinessUnit, "kind"))
register_record("organ_member", _l("Pengurus/pengawas"), by_columns(OrganMember, "position", "name"))
