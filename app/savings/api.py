"""REST API: /api/v1/savings_transaction/. GET lists and shows within the user's scope; POST takes a deposit or a
withdrawal through ``do_deposit``/``do_withdraw`` (same rules as the forms; 422 with the field's message on a
refusal). Transactions are immutable: PUT and DELETE answer 405; a correction is ``POST /<id>/reverse`` with a
reason (Pengurus), through ``do_reverse_transaction``."""
from datetime import date

from flask import g, request
from flask_appbuilder.api import ModelRestApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.core.errors import ValidationFailed
from app.core.interface import KkmpInterface
from app.core.api_fields import json_value as _json
from app.core.scoped_views import ScopedApiMixin

from . import services
from .models import SavingsTransaction

FIELDS = ["id", "cooperative_id", "member_id", "kind", "direction", "amount", "tx_date", "receipt_number",
          "journal_entry_id", "note", "created_by", "reversal_of_id", "reversed_at"]


class SavingsTransactionApi(ScopedApiMixin, ModelRestApi):
    resource_name = "savings_transaction"
    class_permission_name = "SavingsTransaction"
    datamodel = KkmpInterface(SavingsTransaction)
    allow_browser_login = True
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete", "reverse"}
    list_columns = FIELDS
    show_columns = FIELDS
    add_columns = []
    edit_columns = []
    search_columns = ["member_id", "kind", "direction", "tx_date", "receipt_number"]
    order_columns = ["tx_date", "amount"]  # as the list screen (views.py): each with its index
    base_order = ("id", "desc")
    # POST goes through do_deposit/do_withdraw, not the add schema: _info describes the body it takes
    info_post_fields = [("member_id", _l("Anggota"), "Integer", True), ("direction", _l("Setor/tarik"), "String", True),
                        ("kind", _l("Jenis simpanan"), "String", True), ("amount", _l("Jumlah"), "String", True),
                        ("tx_date", _l("Tanggal"), "Date", True),
                        ("idempotency_key", _l("Kunci pengiriman ulang (idempotency key)"), "String", False),
                        ("note", _l("Keterangan"), "String", False)]

    def post_headless(self):
        return self._guarded(self._post_transaction)

    def _post_transaction(self):
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message=gettext("Kirim JSON."))
        direction = data.get("direction")
        if direction not in ("setor", "tarik"):
            raise ValidationFailed(gettext("direction harus 'setor' atau 'tarik'."), "direction")
        raw_date = data.get("tx_date")
        try:
            tx_date = date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
        except ValueError:
            tx_date = None
        if tx_date is None:
            raise ValidationFailed(gettext("tx_date harus tanggal YYYY-MM-DD."), "tx_date")
        amount = data.get("amount")
        if isinstance(amount, float):
            raise ValidationFailed(gettext("Kirim jumlah sebagai bilangan bulat atau teks, bukan pecahan."),
                                   "amount")
        member = data.get("member_id")
        fn = services.do_deposit if direction == "setor" else services.do_withdraw
        session = self.datamodel.session
        try:
            tx = fn(session, member=str(member) if member is not None else None, kind=data.get("kind"),
                    amount=amount, tx_date=tx_date, idempotency_key=data.get("idempotency_key"),
                    note=data.get("note"), acting_user=g.user)
            session.commit()
        except IntegrityError:
            session.rollback()
            return self.response(409, message=gettext("Transaksi dengan kunci yang sama sedang diproses."))
        return self.response(201, id=tx.id, result={k: _json(getattr(tx, k)) for k in FIELDS})

    @expose("/<int:pk>/reverse", methods=["POST"])
    @protect()
    @safe
    @permission_name("reverse")
    def reverse(self, pk):
        """Reverse (koreksi) a deposit or a sukarela withdrawal entered by mistake.
        ---
        post:
          summary: Reverse a savings transaction (Pengurus; once only; a reason is required)
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
                    reason: {type: string, example: "Salah input anggota"}
          responses:
            201:
              description: The reversing transaction, with its own receipt number
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
            422:
              $ref: '#/components/responses/422'
        """
        return self._guarded(self._reverse, pk)

    def _reverse(self, pk):
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self.response_400(message=gettext("Kirim JSON."))
        session = self.datamodel.session
        tx = self.datamodel.get(pk, self._base_filters)
        if tx is None:
            return self.response_404()
        reversal = services.do_reverse_transaction(session, transaction=tx, reason=data.get("reason"),
                                                   acting_user=g.user)
        session.commit()
        return self.response(201, id=reversal.id, result={k: _json(getattr(reversal, k)) for k in FIELDS})

    def put_headless(self, pk):
        return self.response(405, message=gettext("Transaksi simpanan tidak dapat diubah; buat transaksi "
                                                  "pembalik."))

    def delete_headless(self, pk):
        return self.response(405, message=gettext("Transaksi simpanan tidak dapat dihapus; buat transaksi "
                                                  "pembalik."))


