"""The national rules on screen: the HET table and the eligibility versions, read by every fertiliser role; a new
version of either is added by Admin only (permissions ``can_set_het`` and ``can_set_eligibility``, granted to no
other role: Admin holds every permission), through ``services.rules``. Nothing edits or deletes a version."""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.dates import latest_today, local_today
from app.core.errors import DomainError
from app.core.formatting import number, rupiah, tanggal
from app.core.interface import KkmpInterface
from app.core.views import KkmpModelView

from . import services
from .models import COMMODITIES, PupukEligibility, PupukHet, PupukType
from .services.rules import het_overview
from .views import LABELS

RULE_LABELS = dict(LABELS, max_land_ha=_l("Batas luas lahan (ha)"), commodity_names=_l("Komoditas penerima"))


def _errors(e):
    return {(e.field if getattr(e, "field", None) else "general"): str(e)}


class _RuleVersionsView(KkmpModelView):
    """A list of dated versions, read-only: no search or order to offer (a handful of rows, oldest first), and the
    "add a version" button shown only to a reader holding ``set_permission`` (the template reads ``kkmp_can_set``)."""

    include_route_methods = {"list", "show", "export_xlsx", "export_csv"}
    set_permission = None
    search_columns = []
    offered_searches = ()  # FAB reads an empty search_columns as "all"
    order_columns = []
    offered_orders = ()

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.setdefault("kkmp_can_set", self.appbuilder.sm.has_access(self.set_permission,
                                                                             self.class_permission_name))
        return super().render_template(template, **kwargs)


class HetView(_RuleVersionsView):
    datamodel = KkmpInterface(PupukHet)
    class_permission_name = "PupukHet"
    route_base = "/pupuk/het"
    include_route_methods = _RuleVersionsView.include_route_methods | {"set_het"}
    set_permission = "can_set_het"
    list_title = show_title = _l("HET pupuk bersubsidi")
    list_template = "pupuk/het_list.html"
    list_columns = ["pupuk_type", "valid_from", "het_per_kg", "het_per_sack", "legal_basis"]
    show_columns = list_columns
    formatters_columns = {"het_per_sack": rupiah}
    base_order = ("id", "asc")
    label_columns = LABELS

    @expose("/tambah", methods=["GET", "POST"])
    @has_access
    @permission_name("set_het")
    def set_het(self):
        """A new HET version of a type (Admin): the type, its start, Rp/kg and the legal basis."""
        session = self.datamodel.session
        values = dict(request.form) if request.method == "POST" else {"pupuk_type": request.args.get("jenis", "")}
        errors = {}
        if request.method == "POST":
            try:
                row = services.do_set_het(session, pupuk_type=values.get("pupuk_type"),
                                          valid_from=values.get("valid_from"), het_per_kg=values.get("het_per_kg"),
                                          legal_basis=values.get("legal_basis"), acting_user=g.user)
                session.commit()
                flash(gettext("HET %(t)s %(p)s per kg (%(s)s per karung) berlaku mulai %(d)s.",
                              t=row.pupuk_type.name, p=rupiah(row.het_per_kg), s=rupiah(row.het_per_sack),
                              d=tanggal(row.valid_from)), "success")
                return redirect(url_for(".list"))
            except DomainError as e:
                session.rollback()
                errors = _errors(e)
        types = session.execute(select(PupukType).where(PupukType.active.is_(True)).order_by(PupukType.id)
                                ).scalars().all()
        return self.render_template("pupuk/het_form.html", values=values, errors=errors, types=types,
                                    overview=het_overview(session, local_today(None)))


class EligibilityView(_RuleVersionsView):
    datamodel = KkmpInterface(PupukEligibility)
    class_permission_name = "PupukEligibility"
    route_base = "/pupuk/syarat"
    include_route_methods = _RuleVersionsView.include_route_methods | {"set_eligibility"}
    set_permission = "can_set_eligibility"
    list_title = show_title = _l("Syarat penerima pupuk bersubsidi")
    list_template = "pupuk/eligibility_list.html"
    list_columns = ["valid_from", "max_land_ha", "commodity_names", "legal_basis"]
    show_columns = list_columns
    formatters_columns = {"max_land_ha": number}
    base_order = ("valid_from", "asc")
    label_columns = RULE_LABELS

    @expose("/tambah", methods=["GET", "POST"])
    @has_access
    @permission_name("set_eligibility")
    def set_eligibility(self):
        """A new eligibility version (Admin): its start (today or later), the land limit, the commodities."""
        session = self.datamodel.session
        current = services.eligibility_on(session, latest_today())
        if request.method == "POST":
            values = dict(request.form)
            chosen = request.form.getlist("commodities")
        else:
            values = {"max_land_ha": number(current.max_land_ha), "legal_basis": ""}
            chosen = current.commodity_codes
        errors = {}
        if request.method == "POST":
            try:
                row = services.do_set_eligibility(session, valid_from=values.get("valid_from"),
                                                  max_land_ha=values.get("max_land_ha"), commodities=chosen,
                                                  legal_basis=values.get("legal_basis"), acting_user=g.user)
                session.commit()
                flash(gettext("Syarat penerima baru berlaku mulai %(d)s: lahan paling luas %(h)s ha, komoditas "
                              "%(c)s.", d=tanggal(row.valid_from), h=number(row.max_land_ha),
                              c=row.commodity_names), "success")
                return redirect(url_for(".list"))
            except DomainError as e:
                session.rollback()
                errors = _errors(e)
        return self.render_template("pupuk/eligibility_form.html", values=values, errors=errors, chosen=chosen,
                                    commodities=COMMODITIES, current=current, today=latest_today())
