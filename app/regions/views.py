"""Browsing the Kemendagri region list (read-only for every role but Admin, by the role catalogue)."""
from app.core.interface import KkmpInterface
from flask_babel import lazy_gettext as _l

from app.core.views import KkmpModelView

from .models import Region


class RegionView(KkmpModelView):
    datamodel = KkmpInterface(Region)
    class_permission_name = "Region"
    route_base = "/wilayah"
    list_title = _l("Wilayah Kemendagri")
    show_title = _l("Wilayah")
    add_title = _l("Tambah wilayah")
    edit_title = _l("Ubah wilayah")

    list_columns = ["code", "name", "kind_label", "parent"]
    show_columns = ["code", "name", "kind_label", "level", "parent"]
    add_columns = ["code", "name", "level", "kind"]
    edit_columns = ["name"]
    # Never the parent relation here: a search form with it would load 91,599 rows into a select.
    search_columns = ["code", "name", "kind"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
    label_columns = {
        "code": _l("Kode"),
        "name": _l("Nama"),
        "kind": _l("Jenis"),
        "kind_label": _l("Jenis"),
        "level": _l("Tingkat"),
        "parent": _l("Induk"),
    }
