"""Pupuk screens (menu "Pupuk bersubsidi"): farmers, kelompok tani, allocations (with the e-RDKK import) and
redemptions. Lists are FAB's, scoped below the views; every change goes through ``services`` and commits once.
The kiosk screen, the receipt and the reversal live in views_kiosk.py, the reports in views_report.py, the HET
table and the eligibility versions (national rules, new versions by Admin) in views_rules.py."""
import uuid

from flask import flash, g, make_response, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.cooperatives.services import picker_choices
from app.core.errors import DomainError, refusal_message
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError
from app.core.views import KkmpModelView, NikRevealMixin
from app.core.xlsx_import import ImportRefused

from . import services
from .models import COMMODITIES, SEASONS, Farmer, Poktan, PupukAllocation, PupukType

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {"cooperative": _l("Koperasi"), "name": _l("Nama"), "nik_masked": _l("NIK"), "poktan": _l("Kelompok tani"),
          "region_code": _l("Kode kelurahan/desa"), "address": _l("Alamat"), "active": _l("Aktif"),
          "land_total": _l("Luas lahan (ha)"), "ketua": _l("Ketua"), "ppl_name": _l("Penyuluh (PPL)"),
          "farmer": _l("Petani"), "pupuk_type": _l("Jenis pupuk"), "year": _l("Tahun"), "season_label": _l("MT"),
          "season": _l("MT"), "kg": _l("Alokasi (kg)"), "version_no": _l("Versi"), "is_current": _l("Berlaku"),
          "note": _l("Keterangan"), "created_by": _l("Dicatat oleh"), "created_at": _l("Dicatat pada"),
          "valid_from": _l("Berlaku mulai"), "het_per_kg": _l("HET per kg"), "het_per_sack": _l("HET per karung"),
          "legal_basis": _l("Dasar hukum"), "number": _l("Nomor"), "redemption_date": _l("Tanggal"),
          "location": _l("Kios"), "farmer_name": _l("Petani"), "price_per_kg": _l("Harga per kg"),
          "amount": _l("Jumlah harga"), "delivery_fee": _l("Ongkos angkut"), "total": _l("Total"),
          "remaining_kg": _l("Sisa kuota (kg)"), "proxy_nik_masked": _l("NIK kuasa"),
          "proxy_relation_label": _l("Hubungan kuasa"), "proxy_name": _l("Nama kuasa"),
          "status_label": _l("Status"), "journal_number": _l("Nomor jurnal"), "reverse_reason": _l("Alasan koreksi"),
          "cost": _l("Harga pokok")}


def _commit(session, fn, done_url, back_url):
    try:
        result = fn()
        session.commit()
        return result, None
    except (DomainError, TenantScopeError) as e:
        session.rollback()
        flash(refusal_message(e) if isinstance(e, TenantScopeError) else str(e), "danger")
        return None, redirect(back_url)


class PoktanView(KkmpModelView):
    datamodel = KkmpInterface(Poktan)
    class_permission_name = "PupukPoktan"
    route_base = "/pupuk/poktan"
    include_route_methods = {"list", "show", "add", "edit", "export_xlsx", "export_csv"}
    list_title = show_title = _l("Kelompok tani")
    add_title = _l("Tambah kelompok tani")
    edit_title = _l("Ubah kelompok tani")
    list_columns = ["cooperative", "name", "ketua", "ppl_name", "region_code"]
    show_columns = list_columns
    add_columns = ["cooperative", "name", "ketua", "ppl_name", "region_code"]
    edit_columns = ["name", "ketua", "ppl_name", "region_code"]
    search_columns = []
    offered_searches = ()  # FAB reads an empty search_columns as "all"
    order_columns = ["name"]
    base_order = ("name", "asc")
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id"}
    cooperative_picker = staticmethod(picker_choices)

    def validate_record(self, record, existing):
        from app.core.errors import ValidationFailed

        record.name = " ".join((record.name or "").split())
        if len(record.name) < 3:
            raise ValidationFailed(_l("Nama kelompok tani wajib diisi."), "name")


class FarmerView(NikRevealMixin, KkmpModelView):
    datamodel = KkmpInterface(Farmer)
    class_permission_name = "PupukFarmer"
    route_base = "/pupuk/petani"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "register", "reveal_nik"}
    list_title = show_title = _l("Petani")
    list_columns = ["cooperative", "name", "nik_masked", "poktan", "region_code", "active"]
    show_columns = ["cooperative", "name", "nik_masked", "poktan", "region_code", "address", "land_total", "active"]
    export_columns = ["cooperative", "name", "nik_masked", "poktan", "region_code", "land_total", "active"]
    search_columns = []
    offered_searches = ()  # FAB reads an empty search_columns as "all"
    order_columns = ["name"]
    base_order = ("name", "asc")
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id", "poktan": "poktan_id"}
    cooperative_picker = staticmethod(picker_choices)
    show_template = "pupuk/farmer_show.html"

    def _get_show_widget(self, pk, item, **kwargs):
        g.kkmp_farmer = item
        return super()._get_show_widget(pk, item, **kwargs)

    def render_template(self, template, **kwargs):
        item = g.pop("kkmp_farmer", None)
        if template == self.show_template and item is not None:
            session = self.datamodel.session
            quota = services.quota_rows(session, item.nik_hmac)
            allocations = session.execute(select(PupukAllocation).where(PupukAllocation.farmer_id == item.id)
                                          .order_by(PupukAllocation.year.desc(), PupukAllocation.season.desc(),
                                                    PupukAllocation.pupuk_type_id, PupukAllocation.version_no)
                                          ).scalars().all()
            kwargs.update(farmer=item, quota=quota, allocations=allocations, kg=services.kg_text,
                          season_labels=dict(SEASONS),
                          can_reveal=self.appbuilder.sm.has_access("can_reveal_nik", self.class_permission_name))
        return super().render_template(template, **kwargs)

    @expose("/daftar", methods=["GET", "POST"])
    @has_access
    @permission_name("register")
    def register(self):
        """Register a farmer (a person by NIK) with land per commodity, or update the cooperative's own."""
        from app.cooperatives.models import Cooperative

        session = self.datamodel.session
        coops = session.execute(select(Cooperative).order_by(Cooperative.name).limit(200)).scalars().all()
        poktans = session.execute(select(Poktan).order_by(Poktan.name).limit(500)).scalars().all()
        values = dict(request.form) if request.method == "POST" else {}
        if request.method == "POST":
            coop = next((c for c in coops if str(c.id) == values.get("cooperative")), coops[0] if coops else None)
            lands = {}
            for code, _label in COMMODITIES:
                raw = (values.get(f"land_{code}") or "").strip()
                if raw:
                    lands[code] = raw
            try:
                farmer = services.do_register_farmer(session, coop=coop, nik=values.get("nik"),
                                                     name=values.get("name"), lands=lands,
                                                     poktan=values.get("poktan") or None,
                                                     region_code=(values.get("region_code") or "").strip() or None,
                                                     address=values.get("address"), acting_user=g.user)
                session.commit()
                flash(gettext("Petani %(n)s tersimpan.", n=farmer.name), "success")
                return redirect(url_for(".show", pk=farmer.id))
            except (DomainError, TenantScopeError) as e:
                session.rollback()
                values["error"] = refusal_message(e) if isinstance(e, TenantScopeError) else str(e)
            values.pop("nik", None)  # never echoed back
        return self.render_template("pupuk/farmer_form.html", coops=coops, poktans=poktans, values=values,
                                    commodities=COMMODITIES, max_land=_land_limit_text(session))


class AllocationView(KkmpModelView):
    datamodel = KkmpInterface(PupukAllocation)
    class_permission_name = "PupukAllocation"
    route_base = "/pupuk/alokasi"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "entry", "rdkk_import", "rdkk_template"}
    list_title = show_title = _l("Alokasi pupuk")
    list_columns = ["cooperative", "farmer", "pupuk_type", "year", "season_label", "kg", "version_no", "is_current"]
    show_columns = ["cooperative", "farmer", "pupuk_type", "year", "season_label", "kg", "version_no", "is_current",
                    "note", "created_by", "created_at"]
    search_columns = []
    offered_searches = ()  # FAB reads an empty search_columns as "all"
    order_columns = []
    offered_orders = ()
    base_order = ("id", "desc")
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id", "petani": "farmer_id"}
    cooperative_picker = staticmethod(picker_choices)

    @expose("/isi", methods=["GET", "POST"])
    @has_access
    @permission_name("entry")
    def entry(self):
        """One allocation entered by hand (a new version when one exists)."""
        session = self.datamodel.session
        types = session.execute(select(PupukType).where(PupukType.active.is_(True)).order_by(PupukType.id)
                                ).scalars().all()
        values = dict(request.form) if request.method == "POST" else dict(request.args)
        if request.method == "POST":
            farmer = session.get(Farmer, int(values["farmer"])) if str(values.get("farmer", "")).isdigit() else None
            try:
                if farmer is None:
                    raise DomainError(gettext("Petani tidak ditemukan."))
                row = services.do_set_allocation(session, farmer=farmer, pupuk_type=values.get("pupuk_type"),
                                                 year=values.get("year"), season=values.get("season"),
                                                 kg=values.get("kg"), note=values.get("note") or None,
                                                 acting_user=g.user)
                session.commit()
                flash(gettext("Alokasi tersimpan (versi %(v)d).", v=row.version_no), "success")
                return redirect(url_for("FarmerView.show", pk=farmer.id))
            except (DomainError, TenantScopeError) as e:
                session.rollback()
                values["error"] = refusal_message(e) if isinstance(e, TenantScopeError) else str(e)
        farmers = session.execute(select(Farmer).order_by(Farmer.name).limit(500)).scalars().all()
        return self.render_template("pupuk/allocation_form.html", values=values, types=types, seasons=SEASONS,
                                    farmers=farmers)

    @expose("/impor", methods=["GET", "POST"])
    @has_access
    @permission_name("rdkk_import")
    def rdkk_import(self):
        """The e-RDKK spreadsheet: every row checked, all or nothing; errors with row and column; conflicts with
        another cooperative's RDKK named."""
        from app.cooperatives.models import Cooperative

        session = self.datamodel.session
        coops = session.execute(select(Cooperative).order_by(Cooperative.name).limit(200)).scalars().all()
        result = error = None
        if request.method == "POST":
            upload = request.files.get("file")
            coop = next((c for c in coops if str(c.id) == request.form.get("cooperative")), coops[0] if coops else None)
            try:
                if upload is None or coop is None:
                    raise ImportRefused(gettext("Pilih berkas .xlsx e-RDKK."))
                data = upload.read()
                job = self._import_as_job(session, coop, upload.filename, data)
                if job is not None:
                    flash(gettext("Berkas besar: diperiksa dan diimpor di latar belakang. Kemajuannya tampil di "
                                  "halaman ini."), "info")
                    return redirect(url_for("JobView.show", pk=job.id))
                result = services.do_import_rdkk(session, coop=coop, filename=upload.filename, data=data,
                                                 acting_user=g.user)
                if result.ok:
                    session.commit()
                    flash(gettext("e-RDKK diimpor: %(r)d baris, %(f)d petani baru, %(a)d alokasi.", r=result.rows,
                                  f=result.farmers, a=result.allocations), "success")
                else:
                    session.rollback()
            except (DomainError, TenantScopeError) as e:
                session.rollback()
                error = refusal_message(e) if isinstance(e, TenantScopeError) else str(e)
        return self.render_template("pupuk/import.html", coops=coops, result=result, error=error)

    @staticmethod
    def _import_as_job(session, coop, filename, data):
        """A file of more than KKMP_IMPORT_JOB_ROWS rows goes to the worker (app/pupuk/jobs.py: the same service);
        the role and file checks run here first, so they refuse at once rather than from the job."""
        from .jobs import start_import_job
        from .services.rdkk import read_rdkk_upload

        rows = read_rdkk_upload(g.user, filename, data)
        return start_import_job(session, g.user, coop, filename, data, len(rows))

    @expose("/impor/templat.xlsx")
    @has_access
    @permission_name("rdkk_import")
    def rdkk_template(self):
        response = make_response(services.write_template(_rule_in_force(self.datamodel.session)))
        response.headers["Content-Type"] = XLSX
        response.headers["Content-Disposition"] = "attachment; filename=templat-e-rdkk.xlsx"
        return response


def _rule_in_force(session):
    """The eligibility rule in force on the user's today, or None before any is set."""
    from app.cooperatives.services import user_today
    from app.core.errors import ValidationFailed

    try:
        return services.eligibility_on(session, user_today(session, g.user))
    except ValidationFailed:
        return None


def _land_limit_text(session):
    """The land limit in force today for the form's heading (``2``; ``2,5`` after an Admin's new version)."""
    rule = _rule_in_force(session)
    return services.kg_text(rule.max_land_ha) if rule is not None else None


def new_key():
    return uuid.uuid4().hex


def register(appbuilder):
    from flask import current_app

    from .api import FarmerApi, PupukAllocationApi, PupukRedemptionApi
    from .views_kiosk import RedemptionView
    from .views_report import PupukReportView
    from .views_rules import EligibilityView, HetView

    current_app.jinja_env.filters.setdefault("kg", services.kg_text)
    # Under the inventory's menu (the redemption is a kiosk sale of stock): a menu of its own would push the
    # navbar to a second row at 125 % zoom for Admin and Sudin (tests/browser/test_fits_every_screen.py).
    cat = "Persediaan"
    appbuilder.add_separator(cat)
    appbuilder.add_view(RedemptionView, "Penebusan Pupuk", label=_l("Penebusan pupuk"), icon="fa-seedling",
                        category=cat)
    appbuilder.add_link("Kios Pupuk", label=_l("Kios penebusan"), href="/pupuk/penebusan/kios",
                        icon="fa-cash-register", category=cat)
    appbuilder.add_view(FarmerView, "Petani", label=_l("Petani"), icon="fa-user", category=cat)
    appbuilder.add_view(PoktanView, "Kelompok Tani", label=_l("Kelompok tani"), icon="fa-users", category=cat)
    appbuilder.add_view(AllocationView, "Alokasi Pupuk", label=_l("Alokasi pupuk"), icon="fa-list", category=cat)
    appbuilder.add_view(HetView, "HET Pupuk", label=_l("HET pupuk"), icon="fa-balance-scale", category=cat)
    appbuilder.add_view(EligibilityView, "Syarat Penerima Pupuk", label=_l("Syarat penerima pupuk"),
                        icon="fa-clipboard-check", category=cat)
    appbuilder.add_view(PupukReportView, "Realisasi Pupuk", label=_l("Realisasi vs alokasi"), icon="fa-chart-bar",
                        category=cat)
    appbuilder.add_link("Laporan Bulanan Pupuk", label=_l("Laporan bulanan ke distributor"),
                        href="/pupuk/laporan/bulanan", icon="fa-file-alt", category=cat)
    for api in (FarmerApi, PupukAllocationApi, PupukRedemptionApi):
        appbuilder.add_api(api)
