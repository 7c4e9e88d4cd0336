"""Our security manager: FAB's, with the scoped user model."""
from flask_appbuilder.security.sqla.manager import SecurityManager

from .models import KkmpUser


class KkmpSecurityManager(SecurityManager):
    user_model = KkmpUser
