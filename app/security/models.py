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
        """``Kelurahan Kebon Jeruk (31.73.05.1001)`` or the cooperative's name, for the user list and page."""
        if self.scope_region_code:
            name = _scope_names("region", self.scope_region_code)
            return f"{name} ({self.scope_region_code})" if name else self.scope_region_code
        if self.scope_cooperative_id:
            return _scope_names("coop", self.scope_cooperative_id) or str(self.scope_cooperative_id)
        return "—"


def _scope_names(kind, key):
    """The name of a scope, read for every user of the page at once: on the first miss, the names of the scopes of
    all users loaded in this session (the page's rows) in one statement per kind, kept for the request."""
    from flask import g, has_request_context
    from sqlalchemy import select

    from app.cooperatives.models import Cooperative
    from app.core.scope import unscoped
    from app.regions.models import KIND_LABELS, Region

    cache = g.setdefault("_kkmp_scope_names", {}) if has_request_context() else {}
    if (kind, key) in cache:
        return cache[(kind, key)]
    from app.extensions import db

    session = db.session
    users = [o for o in list(session.identity_map.values()) if isinstance(o, KkmpUser)]
    if kind == "coop":
        ids = {u.scope_cooperative_id for u in users if u.scope_cooperative_id} | {key}
        rows = session.execute(select(Cooperative.id, Cooperative.name).where(Cooperative.id.in_(ids)),
                               execution_options=unscoped()).all()
        names = {i: n for i, n in rows}
    else:
        codes = {u.scope_region_code for u in users if u.scope_region_code} | {key}
        rows = session.execute(select(Region.code, Region.name, Region.kind).where(Region.code.in_(codes))).all()
        names = {c: (f"{KIND_LABELS[k]} {n}" if k in ("kecamatan", "kelurahan", "desa") else n)
                 for c, n, k in rows}
    for k in (ids if kind == "coop" else codes):
        cache[(kind, k)] = names.get(k)
    return cache[(kind, key)]
