"""REST API: /api/v1/cooperative/ with the same checks as the screens."""
from flask_appbuilder.api import ModelRestApi
from app.core.interface import KkmpInterface

from app.core.forms import ma_checked, ma_not_in_future, normalise_api_fields
from app.core.identifiers import check_kelurahan_code
from app.core.scoped_views import ScopedApiMixin

from . import services
from .models import Cooperative

LEGAL = ["musyawarah_date", "musyawarah_ba_number", "akta_number", "akta_date", "notary_name", "ahu_number",
         "ahu_date", "nib", "npwp", "bank_name", "bank_account_number", "simkopdes_registered_on", "operating_since"]


class CooperativeApi(ScopedApiMixin, ModelRestApi):
    resource_name = "cooperative"
    class_permission_name = "Cooperative"
    datamodel = KkmpInterface(Cooperative)
    list_columns = ["id", "name", "region_code", "city_code", "district_code", "is_pilot", "stage", "readiness"]
    show_columns = ["id", "name", "region_code", "address", "is_pilot", "stage", "readiness",
                    "member_min_age"] + LEGAL + ["version"]
    add_columns = ["region_code", "name", "address", "is_pilot"] + LEGAL
    edit_columns = ["name", "address", "is_pilot", "member_min_age"] + LEGAL
    search_columns = ["name", "region_code", "city_code", "district_code", "is_pilot", "nib"]
    order_columns = ["name", "region_code"]
    base_order = ("region_code", "asc")
    validators_columns = dict(
        region_code=ma_checked(check_kelurahan_code, "region_code"),
        **{field: ma_not_in_future for field in services.DATE_FIELDS},
    )

    def _init_model_schemas(self):
        super()._init_model_schemas()
        # NPWP, NIB, AHU and account numbers load through the same normalisers as the form, before any length
        # check: the printed NPWP 01.312.166.0-091.000 is accepted as the form accepts it.
        normalise_api_fields(self, services.IDENTIFIER_CHECKS)

    def pre_add(self, item):
        services.prepare_cooperative(item)

    def pre_update(self, item):
        services.prepare_cooperative(item)
