"""Extension singletons, created unbound and initialised by create_app()."""
from flask_appbuilder import AppBuilder, Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate

from app.core.security_log import RecordingCSRFProtect

# model_class=Model: our tables and FAB's ab_* tables share one metadata, so Alembic sees both
# and foreign keys to ab_user resolve.
db = SQLA(model_class=Model)
migrate = Migrate()
csrf = RecordingCSRFProtect()  # CSRFProtect that records refused tokens in the security log
# update_perms=False: permissions are synced by `flask kkmp init` at deploy time, not by every worker at boot.
appbuilder = AppBuilder(update_perms=False)
