"""Every mapped model, imported together so relationships by name always resolve (and Alembic sees them all)."""
from app.regions.models import Region  # noqa: F401  (first: cooperatives refer to it)
from app.cooperatives.models import BusinessUnit, Cooperative, OrganMember  # noqa: F401
from app.security.models import KkmpUser  # noqa: F401
from app.core.audit import AuditEvent  # noqa: F401
from app.core.security_log import SecurityEvent  # noqa: F401
from app.ledger import models as _ledger_models  # noqa: F401,E402
from app.ledger import import_models as _ledger_import_models  # noqa: F401,E402
from app.members import models as _member_models  # noqa: F401,E402
from app.savings import models as _savings_models  # noqa: F401,E402
from app.inventory import models as _inventory_models  # noqa: F401,E402
from app.pupuk import models as _pupuk_models  # noqa: F401,E402
from app.ledger import balances as _ledger_balances  # noqa: F401,E402
from app.jobs import models as _job_models  # noqa: F401,E402
from app.oversight import models as _oversight_models  # noqa: F401,E402

# What the audit screens call each domain's records (app.core.audit_names); core imports no domain.
from app.cooperatives import audit_names as _coop_names  # noqa: F401,E402
from app.members import audit_names as _member_names  # noqa: F401,E402
from app.ledger import audit_names as _ledger_names  # noqa: F401,E402
from app.savings import audit_names as _savings_names  # noqa: F401,E402
from app.security import audit_names as _security_names  # noqa: F401,E402
from app.shu import models as _shu_models  # noqa: F401,E402
from app.shu import audit_names as _shu_names  # noqa: F401,E402
from app.inventory import audit_names as _inventory_names  # noqa: F401,E402
from app.oversight import audit_names as _oversight_names  # noqa: F401,E402
from app.pupuk import audit_names as _pupuk_names  # noqa: F401,E402
from app.pupuk import hooks as _pupuk_hooks  # noqa: F401,E402
