"""Redemptions: the list, the kiosk screen (NIK typed or scanned, the farmer's remaining quota per type for the
current season, one redemption per type), the receipt (58/80 mm, amount in words, the remaining quota) and the
reversal (koreksi)."""
from flask import abort, flash, g, make_response, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.cooperatives.services import picker_choices
from app.core.dates import local_today
from app.core.errors import DomainError, NotFound, refusal_message
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError
from app.core.views import KkmpModelView

from . import services
from .models import PROXY_RELATIONS, SEASON_LABELS, PupukRedemption, PupukType
from .views import LABELS, new_key

RECEIPT_SIZES = {"80": "80 mm", "58": "58 mm"}


def _kiosks(session):
    """The gerai of the reader's cooperatives, those of a pupuk business unit first."""
    from app.cooperatives.models import BusinessUnit
    from app.inventory.models import Location

    rows = session.execute(select(Location, BusinessUnit.kind).outerjoin(
        BusinessUnit, BusinessUnit.id == Location.business_unit_id).where(
        Location.active.is_(True), Location.kind == "gerai").order_by(Location.name).limit(200)).all()
    return [loc for loc, kind in rows if kind == "pupuk"] + [loc for loc, kind in rows if kind != "pupuk"]


class RedemptionView(KkmpModelView):
    datamodel = KkmpInterface(PupukRedemption)
    class_permission_name = "PupukRedemption"
    route_base = "/pupuk/penebusan"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "kiosk", "receipt", "reverse"}
    list_title = show_title = _l("Penebusan pupuk")
    show_template = "pupuk/redemption_show.html"
    list_columns = ["cooperative", "number", "redemption_date", "location", "farmer_name", "pupuk_type", "kg",
                    "total", "status_label"]
    show_columns = ["cooperative", "number", "redemption_date", "location", "farmer_name", "pupuk_type",
                    "season_label", "kg", "price_per_kg", "amount", "delivery_fee", "total", "remaining_kg",
                    "proxy_name", "proxy_nik_masked", "proxy_relation_label", "status_label", "journal_number",
                    "reverse_reason", "created_by"]
    search_columns = []
    offered_searches = ()  # FAB reads an empty search_columns as "all"
    order_columns = ["redemption_date"]
    base_order = ("id", "desc")
    label_columns = dict(LABELS, kg=_l("Jumlah (kg)"))
    url_filters = {"koperasi": "cooperative_id"}
    cooperative_picker = staticmethod(picker_choices)

    def _get_show_widget(self, pk, item, **kwargs):
        g.kkmp_redemption = item
        return super()._get_show_widget(pk, item, **kwargs)

    def render_template(self, template, **kwargs):
        item = g.pop("kkmp_redemption", None)
        if template == self.show_template and item is not None:
            kwargs.update(redemption=item,
                          can_reverse=self.appbuilder.sm.has_access("can_reverse", self.class_permission_name))
        return super().render_template(template, **kwargs)

    @expose("/kios", methods=["GET", "POST"])
    @has_access
    @permission_name("redeem")
    def kiosk(self):
        """GET ?nik=...: the farmer's remaining quota per type of the current season; POST: one redemption, then
        the receipt."""
        session = self.datamodel.session
        kiosks = _kiosks(session)
        form = request.form if request.method == "POST" else request.args
        wanted = form.get("lokasi", "")
        location = next((k for k in kiosks if str(k.id) == wanted), kiosks[0] if kiosks else None)
        nik = (form.get("nik") or "").strip()
        error, farmer, quota = None, None, []
        day = local_today(location.cooperative) if location is not None else None
        if request.method == "POST":
            try:
                redemption = services.do_redeem(
                    session, location=location, nik=nik, pupuk_type=form.get("pupuk_type"), kg=form.get("kg"),
                    idempotency_key=form.get("idempotency_key"), proxy_nik=form.get("proxy_nik") or None,
                    proxy_relation=form.get("proxy_relation") or None, proxy_name=form.get("proxy_name"),
                    delivery_fee=form.get("delivery_fee") or None, acting_user=g.user)
                session.commit()
                return redirect(url_for(".receipt", pk=redemption.id, ukuran=form.get("ukuran", "58")))
            except IntegrityError:
                session.rollback()
                error = gettext("Tidak tersimpan karena bentrok dengan transaksi lain; coba lagi.")
            except (DomainError, TenantScopeError) as e:
                session.rollback()
                error = refusal_message(e) if isinstance(e, TenantScopeError) else str(e)
        if nik and location is not None:
            try:
                farmer = services.farmer_facts(session, nik=nik)
                year, season = services.season_of(day)
                quota = services.quota_rows(session, farmer.nik_hmac, year, season)
            except DomainError as e:
                error = error or str(e)
                farmer = None
        types = session.execute(select(PupukType).where(PupukType.active.is_(True)).order_by(PupukType.id)
                                ).scalars().all()
        season_text = ""
        if day is not None:
            year, season = services.season_of(day)
            season_text = f"{SEASON_LABELS[season]} {year}"
        return self.render_template("pupuk/kiosk.html", kiosks=kiosks, location=location, farmer=farmer,
                                    quota=quota, types=types, error=error, key=new_key(), nik=nik if farmer else "",
                                    relations=PROXY_RELATIONS, season_text=season_text, kg=services.kg_text,
                                    values=form)

    @expose("/struk/<int:pk>")
    @has_access
    @permission_name("receipt")
    def receipt(self, pk):
        from app.savings.terbilang import terbilang_title

        redemption = self.datamodel.get(pk, self._base_filters)
        if redemption is None:
            abort(404)
        size = request.args.get("ukuran", "58")
        size = size if size in RECEIPT_SIZES else "58"
        session = self.datamodel.session
        remaining = services.remaining_of(session, redemption.nik_hmac, redemption.pupuk_type_id,
                                          redemption.quota_year, redemption.season)
        html = self.render_template("pupuk/receipt.html", r=redemption, size=size, sizes=RECEIPT_SIZES,
                                    words=terbilang_title(redemption.total), kg=services.kg_text,
                                    remaining=remaining)
        response = make_response(html)
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/koreksi/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reverse")
    def reverse(self, pk):
        session = self.datamodel.session
        redemption = self.datamodel.get(pk, self._base_filters)
        if redemption is None:
            abort(404)
        try:
            services.do_reverse_redemption(session, redemption=redemption, reason=request.form.get("reason"),
                                           acting_user=g.user)
            session.commit()
            flash(gettext("Penebusan %(n)s dikoreksi; stok, kuota dan jurnal dibalik.", n=redemption.number),
                  "success")
        except (DomainError, TenantScopeError) as e:
            session.rollback()
            flash(refusal_message(e) if isinstance(e, TenantScopeError) else str(e), "danger")
        return redirect(url_for(".show", pk=pk))


__all__ = ["NotFound"]
