"""Kemendagri administrative regions: one self-referencing hierarchy keyed by the official code."""
from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import relationship

LEVEL_PROVINCE, LEVEL_CITY, LEVEL_DISTRICT, LEVEL_VILLAGE = 1, 2, 3, 4

KIND_LABELS = {
    "provinsi": "Provinsi",
    "kabupaten": "Kabupaten",
    "kota": "Kota",
    "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan",
    "desa": "Desa",
}


def kind_of_code(code):
    """Return the kind of region a Kemendagri code names, from the code alone.

    ``PP`` province; ``PP.KK`` kabupaten (KK 01-69) or kota (71-99); ``PP.KK.CC`` kecamatan;
    ``PP.KK.CC.XDDD`` kelurahan when X is 1, desa otherwise (2, and 3 for desa adat).
    """
    parts = code.split(".")
    if len(parts) == 1:
        return "provinsi"
    if len(parts) == 2:
        return "kota" if int(parts[1]) >= 71 else "kabupaten"
    if len(parts) == 3:
        return "kecamatan"
    return "kelurahan" if parts[3].startswith("1") else "desa"


def parent_code_of(code):
    return code.rsplit(".", 1)[0] if "." in code else None


class Region(Model):
    __tablename__ = "region"

    code = Column(String(13), primary_key=True)
    name = Column(String(100), nullable=False)
    level = Column(SmallInteger, nullable=False)
    kind = Column(String(10), nullable=False)
    parent_code = Column(String(13), ForeignKey("region.code"), nullable=True)

    parent = relationship("Region", remote_side=[code], lazy="joined", join_depth=1)

    __table_args__ = (
        Index("ix_region_parent_code", "parent_code"),
        Index("ix_region_name", "name"),
        Index("ix_region_level_kind", "level", "kind"),
    )

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def full_name(self):
        """``Kelurahan Kebon Jeruk`` style name; cities already carry Kota/Kabupaten in their name."""
        if self.kind in ("kelurahan", "desa", "kecamatan"):
            return f"{self.kind_label} {self.name}"
        return self.name

    def __repr__(self):
        return f"{self.code} {self.name}"

    __str__ = __repr__
