"""FAB's user, extended with the one scope every user carries (design.md §1)."""
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String


class KkmpUser(User):
    __tablename__ = "ab_user"

    # Exactly one of the two is set for every role but Admin: a Kemendagri region code (province, city,
    # kecamatan or kelurahan) or one cooperative.
    scope_region_code = Column(String(13), ForeignKey("region.code"), nullable=True)
    scope_cooperative_id = Column(Integer, ForeignKey("cooperative.id"), nullable=True)
    # After too many consecutive failed logins, the next attempt is not even evaluated before this time (UTC).
    locked_until = Column(DateTime, nullable=True)
    # The session generation: every browser session and every API token carries the value it was issued under and
    # stops working once it differs. Logout, a password change or reset, deactivation and a role or scope change
    # raise it (app/security/sessions.py), which ends every session and token of the user at once.
    auth_epoch = Column(Integer, nullable=False, default=0, server_default="0")

    @property
    def scope_label(self):
        if self.scope_region_code:
            return self.scope_region_code
        if self.scope_cooperative_id:
            return f"koperasi #{self.scope_cooperative_id}"
        return "—"
