"""REST API of the inventory: /api/v1/item/, /api/v1/location/, /api/v1/goods_receipt/, /api/v1/sale/ and
/api/v1/stock/, read within the user's scope. Sales and receipts are written only through their services
(POST; 201 with id, number and total, 422 with the reason in the user's language, 404 for another cooperative's
item or location); nothing posted is edited or deleted (405); a sale is voided with POST /sale/<id>/void."""

from flask import g, request
from flask_appbuilder.api import ModelRestApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from app.core.errors import NotFound
from app.core.interface import KkmpInterface
from app.core.api_fields import json_value as _json
from app.core.scoped_views import ScopedApiMixin

from . import services
from .models import GoodsReceipt, Item, Location, Sale, StockBalance
from .views_counter import OwnSalesOfClerk

SALE_FIELDS = ["id", "cooperative_id", "number", "sale_date", "location_id", "member_id", "buyer_segment",
               "lpg_tubes", "payment_method", "total", "paid", "change", "journal_entry_id", "voided_at",
               "void_reason", "created_by"]
RECEIPT_FIELDS = ["id", "cooperative_id", "number", "receipt_date", "location_id", "supplier_id", "supplier_invoice",
                  "payment", "total", "journal_entry_id", "note", "created_by"]


class _ReadOnlyApi(ScopedApiMixin, ModelRestApi):
    """Read within scope; PUT and DELETE are routed (so a user without the right gets 403 like everywhere) but
    refused: the catalogue is kept on its screens, posted records never change."""

    allow_browser_login = True
    include_route_methods = {"get", "get_list", "info", "put", "delete"}
    add_columns = []
    edit_columns = []
    base_order = ("id", "asc")

    def put_headless(self, pk):
        return self.response(405, message=gettext("Data ini tidak dapat diubah melalui API."))

    def delete_headless(self, pk):
        return self.response(405, message=gettext("Data ini tidak dapat dihapus melalui API."))


class ItemApi(_ReadOnlyApi):
    resource_name = "item"
    class_permission_name = "InvItem"
    datamodel = KkmpInterface(Item)
    list_columns = show_columns = ["id", "cooperative_id", "name", "unit", "barcode", "category", "business_unit_id",
                                   "tracks_batch", "min_stock", "active"]
    search_columns = ["name", "barcode", "category"]
    order_columns = ["name"]


class LocationApi(_ReadOnlyApi):
    resource_name = "location"
    class_permission_name = "InvLocation"
    datamodel = KkmpInterface(Location)
    list_columns = show_columns = ["id", "cooperative_id", "name", "kind", "business_unit_id", "active"]
    search_columns = ["name", "kind"]
    order_columns = ["name"]


class StockApi(_ReadOnlyApi):
    resource_name = "stock"
    class_permission_name = "InvStock"
    datamodel = KkmpInterface(StockBalance)
    list_columns = show_columns = ["id", "cooperative_id", "item_id", "location_id", "quantity", "value",
                                   "avg_cost"]
    search_columns = ["item_id", "location_id"]
    order_columns = ["quantity", "value"]


class GoodsReceiptApi(_ReadOnlyApi):
    resource_name = "goods_receipt"
    class_permission_name = "InvGoodsReceipt"
    datamodel = KkmpInterface(GoodsReceipt)
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete"}
    list_columns = show_columns = RECEIPT_FIELDS
    search_columns = ["number", "receipt_date", "supplier_invoice"]
    order_columns = ["receipt_date", "number"]
    base_order = ("id", "desc")

    def post_headless(self):
        return self._guarded(self._post)

    def _post(self):
        from app.core.dates import parse_date

        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message=gettext("Kirim JSON."))
        session = self.datamodel.session
        day = parse_date(data.get("receipt_date")) if isinstance(data.get("receipt_date"), str) else None
        try:
            receipt = services.do_receive_goods(
                session, location=data.get("location_id"), lines=data.get("lines") or [], receipt_date=day,
                payment=data.get("payment"), supplier=data.get("supplier_id"),
                supplier_invoice=data.get("supplier_invoice"), note=data.get("note"),
                idempotency_key=data.get("idempotency_key"), acting_user=g.user, api=True)
            session.commit()
        except NotFound as e:
            session.rollback()
            return self.response(404, message=str(e))
        except IntegrityError:
            session.rollback()
            return self.response(409, message=gettext("Penerimaan dengan kunci yang sama sedang diproses."))
        return self.response(201, id=receipt.id, number=receipt.number, total=str(receipt.total),
                             result={k: _json(getattr(receipt, k)) for k in RECEIPT_FIELDS})


class SaleApi(_ReadOnlyApi):
    resource_name = "sale"
    class_permission_name = "InvSale"
    datamodel = KkmpInterface(Sale)
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete", "void"}
    list_columns = show_columns = SALE_FIELDS
    base_filters = [["id", OwnSalesOfClerk, None]]
    search_columns = ["number", "sale_date", "location_id"]
    order_columns = ["sale_date", "number", "total"]
    base_order = ("id", "desc")

    def post_headless(self):
        return self._guarded(self._post)

    def _post(self):
        from .views_counter import _coop_of_location, sale_payload

        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message=gettext("Kirim JSON."))
        session = self.datamodel.session
        try:
            sale = sale_payload(session, data, g.user)
            # Read before the commit expires the row: the answer then needs no second SELECT of it.
            answer = self._sale_answer(sale)
            session.commit()
        except NotFound as e:
            session.rollback()
            return self.response(404, message=str(e))
        except IntegrityError:  # the same key raced us: the first sale is the answer
            session.rollback()
            sale = services.find_sale(session, _coop_of_location(session, data), str(data.get("idempotency_key")))
            if sale is None:
                return self.response(409, message=gettext("Penjualan dengan kunci yang sama sedang diproses."))
            answer = self._sale_answer(sale)
        return self.response(201, **answer)

    @staticmethod
    def _sale_answer(sale):
        return dict(id=sale.id, number=sale.number, total=str(sale.total),
                    result={k: _json(getattr(sale, k)) for k in SALE_FIELDS})

    @expose("/<int:pk>/void", methods=["POST"])
    @protect()
    @safe
    @permission_name("void")
    def void(self, pk):
        """Void a sale: stock back, journal reversed (Sekretaris or Pengurus; once; a reason is required).
        ---
        post:
          summary: Void a sale
          parameters:
          - in: path
            name: pk
            required: true
            schema: {type: integer}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [reason]
                  properties:
                    reason: {type: string, example: "Salah input barang"}
          responses:
            201:
              description: The voided sale
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
            422:
              $ref: '#/components/responses/422'
        """
        return self._guarded(self._void, pk)

    def _void(self, pk):
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message=gettext("Kirim JSON."))
        session = self.datamodel.session
        sale = self.datamodel.get(pk, self._base_filters)
        if sale is None:
            return self.response_404()
        sale = services.do_void_sale(session, sale=sale, reason=data.get("reason"), acting_user=g.user)
        session.commit()
        return self.response(201, id=sale.id, number=sale.number, total=str(sale.total),
                             result={k: _json(getattr(sale, k)) for k in SALE_FIELDS})
