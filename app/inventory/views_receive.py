"""The goods-received form and its printable receipt note (methods of GoodsReceiptView)."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.cooperatives.services import user_today
from app.core.dates import date_error, local_today, parse_date
from app.core.formatting import tanggal
from app.core.errors import DomainError, refusal_message
from app.core.scope import TenantScopeError

from . import services
from .models import RECEIPT_PAYMENTS, Item, Location, Supplier

ROWS = 6


@expose("/terima", methods=["GET", "POST"])
@has_access
@permission_name("receive")
def receive(self):
    import uuid

    session = self.datamodel.session
    form = request.form
    values = {k: (form.get(k) or "").strip() for k in ("location", "supplier", "supplier_invoice", "payment",
                                                        "receipt_date", "note", "idempotency_key")}
    values["idempotency_key"] = values["idempotency_key"] or uuid.uuid4().hex
    values["payment"] = values["payment"] or "tunai"
    locations = session.execute(select(Location).where(Location.active.is_(True)).order_by(Location.name)
                                .limit(200)).scalars().all()
    items = session.execute(select(Item).where(Item.active.is_(True)).order_by(Item.name).limit(2000)
                            ).scalars().all()
    suppliers = session.execute(select(Supplier).order_by(Supplier.name).limit(500)).scalars().all()
    if not values["receipt_date"]:
        coop = locations[0].cooperative if locations else None
        day = local_today(coop) if coop else user_today(self.datamodel.session, g.user)
        values["receipt_date"] = tanggal(day)
    rows = [{k: (form.get(f"{k}_{i}") or "").strip() for k in ("item_id", "quantity", "unit_cost", "batch",
                                                                 "expiry")} for i in range(ROWS)]
    error = None
    if request.method == "POST":
        day = parse_date(values["receipt_date"])
        lines = [r for r in rows if r["item_id"]]
        if day is None:
            error = date_error(gettext("Tanggal"))
        else:
            try:
                receipt = services.do_receive_goods(
                    session, location=values["location"], lines=lines, receipt_date=day, payment=values["payment"],
                    supplier=values["supplier"] or None, supplier_invoice=values["supplier_invoice"],
                    note=values["note"], idempotency_key=values["idempotency_key"], acting_user=g.user)
                session.commit()
                flash(gettext("Tersimpan: penerimaan %(n)s.", n=receipt.number), "success")
                return redirect(url_for(".show", pk=receipt.id))
            except IntegrityError:
                session.rollback()
                error = gettext("Tidak tersimpan karena bentrok dengan transaksi lain; coba lagi.")
            except (DomainError, TenantScopeError) as e:
                session.rollback()
                error = refusal_message(e)
    return self.render_template("inventory/receive.html", values=values, rows=rows, error=error,
                                locations=locations, items=items, suppliers=suppliers,
                                payments=RECEIPT_PAYMENTS), (422 if error else 200)


@expose("/nota/<int:pk>")
@has_access
@permission_name("show")
def note_print(self, pk):
    receipt = self.datamodel.get(pk, self._base_filters)
    if receipt is None:
        abort(404)
    lines = list(receipt.lines)
    return self.render_template("inventory/receipt_note.html", receipt=receipt, lines=lines)

