"""Every mapped model, imported together so relationships by name always resolve (and Alembic sees them all)."""
from app.regions.models import Region  # noqa: F401  (first: cooperatives refer to it)
from app.cooperatives.models import BusinessUnit, Cooperative, OrganMember  # noqa: F401
from app.security.models import KkmpUser  # noqa: F401
from app.core.audit import AuditEvent  # noqa: F401
from app.ledger import models as _ledger_models  # noqa: F401,E402
from app.ledger import import_models as _ledger_import_models  # noqa: F401,E402
from app.members import models as _member_models  # noqa: F401,E402
from app.savings import models as _savings_models  # noqa: F401,E402
from app.ledger import balances as _ledger_balances  # noqa: F401,E402
