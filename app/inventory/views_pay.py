"""Supplier payments of goods received on credit, and stock transfers between locations of one cooperative."""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.cooperatives.services import picker_choices, user_today
from app.core.dates import date_error, local_today, parse_date
from app.core.formatting import tanggal
from app.core.errors import DomainError, refusal_message
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError
from app.core.views import KkmpModelView

from . import services
from .models import PAYMENT_METHODS, GoodsReceipt, Item, Location, SupplierPayment
from .views import LABELS

ROWS = 6


class SupplierPaymentView(KkmpModelView):
    datamodel = KkmpInterface(SupplierPayment)
    class_permission_name = "InvSupplierPayment"
    route_base = "/persediaan/bayar-pemasok"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "pay"}
    list_title = show_title = _l("Pembayaran pemasok")
    # The journal number on the show page only: in the list it cost one statement per row (the list's budget is 8).
    list_columns = ["cooperative", "payment_date", "receipt", "amount", "method_label"]
    show_columns = list_columns + ["journal_number", "created_by"]
    search_columns = ["payment_date"]
    order_columns = ["payment_date"]
    base_order = ("id", "desc")
    label_columns = dict(LABELS, payment_date=_l("Tanggal bayar"), receipt=_l("Penerimaan barang"),
                         amount=_l("Jumlah"), method_label=_l("Cara bayar"))
    url_filters = {"koperasi": "cooperative_id"}
    cooperative_picker = staticmethod(picker_choices)

    @expose("/bayar/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("pay")
    def pay(self, pk):
        import uuid

        session = self.datamodel.session
        receipt = session.get(GoodsReceipt, pk)
        if receipt is None:
            from flask import abort
            abort(404)
        owed = services.outstanding(session, receipt)
        values = {k: (request.form.get(k) or "").strip() for k in ("amount", "payment_date", "method",
                                                                    "idempotency_key")}
        values["idempotency_key"] = values["idempotency_key"] or uuid.uuid4().hex
        values["payment_date"] = values["payment_date"] or tanggal(local_today(receipt.cooperative))
        values["method"] = values["method"] or "tunai"
        error = None
        if request.method == "POST":
            day = parse_date(values["payment_date"])
            if day is None:
                error = date_error(gettext("Tanggal bayar"))
            else:
                try:
                    services.do_pay_supplier(session, receipt=receipt, amount=values["amount"], payment_date=day,
                                             method=values["method"], idempotency_key=values["idempotency_key"],
                                             acting_user=g.user)
                    session.commit()
                    flash(gettext("Pembayaran kepada pemasok tersimpan."), "success")
                    return redirect(url_for("GoodsReceiptView.show", pk=pk))
                except (DomainError, TenantScopeError) as e:
                    session.rollback()
                    error = refusal_message(e)
                    receipt = session.get(GoodsReceipt, pk)
        return self.render_template("inventory/pay_supplier.html", receipt=receipt, owed=owed, values=values,
                                    methods=PAYMENT_METHODS, error=error), (422 if error else 200)


@expose("/pindah", methods=["GET", "POST"])
@has_access
@permission_name("transfer")
def transfer(self):
    """Pindah stok between two locations of one cooperative (a method of MovementView)."""
    session = self.datamodel.session
    form = request.form
    locations = session.execute(select(Location).where(Location.active.is_(True)).order_by(Location.name)
                                .limit(200)).scalars().all()
    items = session.execute(select(Item).where(Item.active.is_(True)).order_by(Item.name).limit(2000)
                            ).scalars().all()
    values = {k: (form.get(k) or "").strip() for k in ("source", "target", "transfer_date", "reference")}
    if not values["transfer_date"]:
        coop = locations[0].cooperative if locations else None
        day = local_today(coop) if coop else user_today(self.datamodel.session, g.user)
        values["transfer_date"] = tanggal(day)
    rows = [{k: (form.get(f"{k}_{i}") or "").strip() for k in ("item_id", "quantity")} for i in range(ROWS)]
    error = None
    if request.method == "POST":
        day = parse_date(values["transfer_date"])
        if day is None:
            error = date_error(gettext("Tanggal"))
        else:
            try:
                services.do_transfer(session, source=values["source"], target=values["target"],
                                     lines=[r for r in rows if r["item_id"]], transfer_date=day,
                                     reference=values["reference"], acting_user=g.user)
                session.commit()
                flash(gettext("Stok dipindahkan."), "success")
                return redirect(url_for(".list"))
            except (DomainError, TenantScopeError) as e:
                session.rollback()
                error = refusal_message(e)
    return self.render_template("inventory/transfer.html", values=values, rows=rows, error=error,
                                locations=locations, items=items), (422 if error else 200)
