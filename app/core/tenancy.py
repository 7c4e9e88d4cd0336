"""What makes a table belong to one cooperative (a tenant).

Every tenant table carries ``cooperative_id``; the scope layer (``app.core.scope``) reads this mixin to decide
which rows a user may see and write. Keeping the column on every tenant table also lets the database be
distributed by cooperative later without a redesign.
"""
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declared_attr, relationship


class TenantMixin:
    @declared_attr
    def cooperative_id(cls):
        return Column(Integer, ForeignKey("cooperative.id"), nullable=False, index=True)

    @declared_attr
    def cooperative(cls):
        return relationship("Cooperative", lazy="joined", innerjoin=False)
