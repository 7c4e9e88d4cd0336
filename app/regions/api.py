"""REST API: /api/v1/region/ (read-only)."""
from flask_appbuilder.api import ModelRestApi, expose, get_item_schema, rison, safe
from flask_appbuilder.security.decorators import permission_name, protect
from app.core.interface import KkmpInterface
from app.core.scoped_views import KkmpApiMixin

from .models import Region


class RegionApi(KkmpApiMixin, ModelRestApi):
    resource_name = "region"
    class_permission_name = "Region"
    datamodel = KkmpInterface(Region)
    allow_browser_login = True  # read-only, so cookie auth re-opens no CSRF hole
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["code", "name", "level", "kind", "parent.code", "parent.name"]
    show_columns = ["code", "name", "level", "kind", "parent.code", "parent.name"]
    add_columns = ["code", "name"]  # no POST route; kept small so _info never lists 91,599 parents
    edit_columns = ["name"]
    search_columns = ["code", "name", "kind", "level"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")

    # FAB routes items by integer id; regions are keyed by their code ("31.73.05.1001").
    @expose("/<pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @rison(get_item_schema)
    def get(self, pk, **kwargs):
        """Get one region by its Kemendagri code.
        ---
        get:
          parameters:
          - in: path
            schema:
              type: string
            name: pk
          responses:
            200:
              description: Region
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: string
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            404:
              $ref: '#/components/responses/404'
        """
        return self.get_headless(pk, **kwargs)
