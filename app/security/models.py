"""FAB's user, extended with the one scope every user carries (design.md §1)."""
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String


class KkmpUser(User):
    __tablename__ = "ab_user"

    # Exactly one of the two is set for every role but Admin: a Kemendagri region code (province, city,
    # kecamatan or kelurahan) or one cooperative.
    scope_region_code = Column(String(13), ForeignKey("region.code"), nullable=True)
    scope_cooperative_id = Column(Integer, ForeignKey("cooperative.id"), nullable=True)
    # Set after too many failed logins; the account refuses logins until then.
    locked_until = Column(DateTime, nullable=True)

    @property
    def scope_label(self):
        if self.scope_region_code:
            return self.scope_region_code
        if self.scope_cooperative_id:
            return f"koperasi #{self.scope_cooperative_id}"
        return "—"
