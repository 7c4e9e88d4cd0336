"""REST API: /api/v1/region/ (read-only)."""
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface

from .models import Region


class RegionApi(ModelRestApi):
    resource_name = "region"
    class_permission_name = "Region"
    datamodel = SQLAInterface(Region)
    allow_browser_login = True  # read-only, so cookie auth re-opens no CSRF hole
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["code", "name", "level", "kind", "parent.code", "parent.name"]
    show_columns = ["code", "name", "level", "kind", "parent.code", "parent.name"]
    search_columns = ["code", "name", "kind", "level"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
