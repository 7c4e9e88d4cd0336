"""Pembukuan screens: chart of accounts, journal entries (read-only, plus the manual entry form and reversal),
journal lines, periods (close / reopen). Views are thin: every change goes through ``services``.

Posted entries have no edit or delete route at all; close, reopen, reverse and the manual entry are POST-only
endpoints protected by the CSRF token and their own permissions (can_post_entry, can_reverse, can_close,
can_reopen).
"""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.cooperatives.models import BusinessUnit, Cooperative
from app.core.dates import latest_today
from app.core.dates import date_error, parse_date
from app.core.errors import DomainError, ValidationFailed, refusal_message
from app.core.formatting import tanggal
from app.core.interface import KkmpInterface
from app.core.money import parse_rupiah
from app.core.scope import TenantScopeError, current_scope
from app.core.views import KkmpModelView, commit_or_refuse

from . import services
from .chart import KIND_LABELS, KINDS
from .models import Account, JournalEntry, JournalLine, Period

LINE_ROWS = 8
MAX_LINE_ROWS = 40


def writable_cooperatives(session):
    """Cooperatives the user may write for (None: any, chosen by kelurahan code, for Admin)."""
    scope = current_scope(session)
    if scope.all:
        return None  # chosen by kelurahan code
    ids = sorted(scope.write_ids)
    if not ids:
        return []
    return session.execute(select(Cooperative).where(Cooperative.id.in_(ids)).order_by(Cooperative.name)
                           .limit(200)).scalars().all()


def choose_cooperative(session, coops):
    """The cooperative named by the request (the only one, for a Pengurus)."""
    wanted = request.values.get("cooperative", "").strip()
    if coops is None:  # Admin: any cooperative, named by its kelurahan code
        if not wanted:
            return None
        return session.execute(select(Cooperative).where(
            (Cooperative.region_code == wanted) | (Cooperative.id == (int(wanted) if wanted.isdigit() else -1)))
        ).scalar()
    if len(coops) == 1:
        return coops[0]
    return next((c for c in coops if str(c.id) == wanted or c.region_code == wanted), None)



class AccountView(KkmpModelView):
    datamodel = KkmpInterface(Account)
    class_permission_name = "Account"
    route_base = "/akun"
    list_title = _l("Bagan akun")
    show_title = _l("Akun")
    add_title = _l("Tambah akun")
    edit_title = _l("Ubah akun")
    list_columns = ["cooperative", "code", "name", "kind_label", "normal_balance_label", "member_flag_label",
                    "is_active"]
    show_columns = ["cooperative", "code", "name", "kind_label", "normal_balance_label", "member_flag_label",
                    "is_header", "is_active", "is_system"]
    add_columns = ["cooperative", "code", "name", "kind", "member_flag"]
    edit_columns = ["name", "is_active"]
    search_columns = ["code", "name", "kind", "is_active"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
    label_columns = {"cooperative": _l("Koperasi"), "code": _l("Kode akun"), "name": _l("Nama akun"),
                     "kind": _l("Jenis"), "kind_label": _l("Jenis"), "normal_balance_label": _l("Saldo normal"),
                     "member_flag": _l("Anggota / non-anggota"), "member_flag_label": _l("Anggota / non-anggota"),
                     "is_header": _l("Akun induk (kelompok)"), "is_active": _l("Aktif"),
                     "is_system": _l("Akun baku KKMP")}
    description_columns = {"code": _l("6 digit; akun induk ditentukan dari kodenya, contoh 411300 di bawah 411000."),
                           "is_active": _l("Akun yang masih bersaldo atau dipakai untuk suatu keperluan tidak "
                                           "dapat dinonaktifkan.")}
    add_form_extra_fields = {
        "code": StringField(_l("Kode akun"), widget=BS3TextFieldWidget(), validators=[DataRequired(), Length(max=6)]),
        "kind": SelectField(_l("Jenis"), choices=[(k, KIND_LABELS[k]) for k in KINDS], validators=[DataRequired()]),
        "member_flag": SelectField(_l("Anggota / non-anggota"), choices=[("", "-"), ("anggota", _l("Dari anggota")),
                                                                         ("non_anggota", _l("Dari non-anggota"))],
                                   validators=[Optional()]),
    }
    edit_form_extra_fields = {"is_active": BooleanField(_l("Aktif"))}

    def validate_record(self, record, existing):
        record.member_flag = record.member_flag or None
        services.check_account(self.datamodel.session, record, existing)

    def prepare_item(self, item):
        if item.id is None:
            item.member_flag = item.member_flag or None
            services.check_account(self.datamodel.session, item)

    def pre_delete(self, item):
        super().pre_delete(item)
        try:
            services.check_delete_account(self.datamodel.session, item)
        except DomainError as e:
            self._refuse(e)


class JournalLineView(KkmpModelView):
    datamodel = KkmpInterface(JournalLine)
    class_permission_name = "JournalLine"
    route_base = "/baris-jurnal"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "action", "action_post"}
    list_title = _l("Baris jurnal")
    show_title = _l("Baris jurnal")
    list_columns = ["cooperative", "entry", "entry_date", "line_no", "account", "debit", "credit", "memo"]
    show_columns = ["cooperative", "entry", "entry_date", "line_no", "account", "debit", "credit", "memo"]
    # The lines are read per journal (the journal's page) and per account (buku besar); this list of every line
    # of the cooperative only pages in posting order: a search or sort by memo or amount over millions of lines
    # would need an index per column.
    offered_searches = ()
    offered_orders = ()
    base_order = ("id", "asc")
    label_columns = {"cooperative": _l("Koperasi"), "entry": _l("Nomor jurnal"), "entry_date": _l("Tanggal"),
                     "line_no": _l("Baris"), "account": _l("Akun"), "debit": _l("Debit"), "credit": _l("Kredit"),
                     "memo": _l("Keterangan")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from app.core.formatting import tanggal
        self.formatters_columns.setdefault("entry_date", tanggal)


class JournalEntryView(KkmpModelView):
    datamodel = KkmpInterface(JournalEntry)
    class_permission_name = "JournalEntry"
    route_base = "/jurnal"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "action", "action_post", "new_entry", "reverse"}
    list_title = _l("Jurnal umum")
    show_title = _l("Jurnal")
    show_template = "ledger/entry_show.html"
    related_views = [JournalLineView]
    list_columns = ["cooperative", "number", "entry_date", "description", "reference", "entry_type_label", "total"]
    show_columns = ["cooperative", "number", "entry_date", "description", "reference", "business_unit",
                    "entry_type_label", "reverses", "source_type", "source_id", "total", "posted_at", "posted_by"]
    # Each answered by an index (migration fastpaths001). Not the free-text description and reference: a
    # "contains" over every journal of the country cannot use one.
    search_columns = ["number", "entry_date", "entry_type"]
    order_columns = ["number", "entry_date"]
    base_order = ("id", "desc")
    label_columns = {"cooperative": _l("Koperasi"), "number": _l("Nomor"), "entry_date": _l("Tanggal"),
                     "description": _l("Uraian"), "reference": _l("Bukti / referensi"),
                     "business_unit": _l("Unit usaha"), "entry_type": _l("Jenis jurnal"),
                     "entry_type_label": _l("Jenis jurnal"), "reverses": _l("Membalik jurnal"),
                     "source_type": _l("Sumber"), "source_id": _l("ID sumber"), "total": _l("Jumlah"),
                     "posted_at": _l("Diposting (UTC)"), "posted_by": _l("Diposting oleh")}

    def render_template(self, template, **kwargs):
        if template == self.show_template:
            entry = self.datamodel.get(kwargs.get("pk"), self._base_filters) if kwargs.get("pk") else None
            coop = entry.cooperative if entry is not None else None
            kwargs.update(can_reverse=self.appbuilder.sm.has_access("can_reverse", self.class_permission_name),
                          today=tanggal(services.local_today(coop) if coop is not None else latest_today()))
        return super().render_template(template, **kwargs)

    # -- the manual journal entry form ---------------------------------------------------------------------

    @expose("/baru", methods=["GET", "POST"])
    @has_access
    @permission_name("post_entry")
    def new_entry(self):
        """The manual journal entry form (Pengurus): header and N lines; nothing is written on any error."""
        session = self.datamodel.session
        coops = writable_cooperatives(session)
        coop = choose_cooperative(session, coops)
        try:
            rows = min(max(int(request.values.get("rows", LINE_ROWS)), 2), MAX_LINE_ROWS)
        except ValueError:
            rows = LINE_ROWS
        values = {"entry_date": request.values.get("entry_date", ""), "description": request.values.get(
            "description", ""), "reference": request.values.get("reference", ""),
            "business_unit": request.values.get("business_unit", "")}
        lines = [{"account": request.form.get(f"account-{i}", ""), "debit": request.form.get(f"debit-{i}", ""),
                  "credit": request.form.get(f"credit-{i}", ""), "memo": request.form.get(f"memo-{i}", "")}
                 for i in range(rows)]
        errors = {}
        if request.method == "POST" and coop is not None:
            posted = self._post_form(session, coop, values, lines, errors)
            if posted is not None:
                flash(gettext("Jurnal %(n)s telah diposting.", n=posted.number), "success")
                return redirect(url_for(".show", pk=posted.id))
        elif request.method == "POST":
            errors["cooperative"] = gettext("Choose the cooperative.")
        accounts = units = []
        if coop is not None:
            accounts = session.execute(select(Account).where(Account.cooperative_id == coop.id,
                                                             Account.is_active.is_(True),
                                                             Account.is_header.is_(False))
                                       .order_by(Account.code)).scalars().all()
            units = session.execute(select(BusinessUnit).where(BusinessUnit.cooperative_id == coop.id)
                                    .order_by(BusinessUnit.id)).scalars().all()
        return self.render_template("ledger/entry_form.html", coops=coops, coop=coop, accounts=accounts,
                                    units=units, values=values, lines=lines, rows=rows, errors=errors,
                                    title=gettext("Input jurnal umum"))

    def _post_form(self, session, coop, values, lines, errors):
        entry_date = parse_date(values["entry_date"])
        if entry_date is None:
            errors["entry_date"] = date_error(gettext("Tanggal"))
        if not values["description"].strip():
            errors["description"] = gettext("The description is required.")
        parsed = []
        for i, line in enumerate(lines):
            if not any(v.strip() for v in line.values()):
                continue
            try:
                debit = parse_rupiah(line["debit"], f"line-{i}", gettext("Debet"), cents=True, allow_zero=True)
                credit = parse_rupiah(line["credit"], f"line-{i}", gettext("Kredit"), cents=True, allow_zero=True)
            except ValidationFailed as e:
                errors[f"line-{i}"] = str(e)
                continue
            if not line["account"]:
                errors[f"line-{i}"] = gettext("Choose the account.")
                continue
            parsed.append((line["account"], debit, credit, line["memo"].strip() or None))
        if errors:
            return None
        try:
            entry = services.post_entry(session, cooperative_id=coop.id, entry_date=entry_date,
                                        description=values["description"], lines=parsed,
                                        reference=values["reference"].strip() or None,
                                        business_unit_id=values["business_unit"] or None, acting_user=g.user)
            session.commit()
            return entry
        except (DomainError, TenantScopeError) as e:
            session.rollback()
            field = getattr(e, "field", None)
            errors[field if field in ("entry_date", "description", "business_unit") else "lines"] = \
                refusal_message(e)
            return None

    # -- reversal ------------------------------------------------------------------------------------------

    @expose("/balik/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reverse")
    def reverse(self, pk):
        session = self.datamodel.session
        entry = self.datamodel.get(pk, self._base_filters)
        if entry is None:
            abort(404)
        # The reversal form reads the date like the journal form (it took ISO only, so a typed 01/04/2026 was
        # refused with a message asking for exactly that form). The common date field (helper "uia") replaces both.
        day = parse_date(request.form.get("entry_date"))
        if day is None:
            flash(gettext("Write the date as dd/mm/yyyy."), "danger")
            return redirect(url_for(".show", pk=pk))
        reversal, refused = commit_or_refuse(session, lambda: services.reverse_entry(
            session, entry, day, request.form.get("reason", ""), acting_user=g.user), url_for(".show", pk=pk))
        if refused:
            return refused
        flash(gettext("Jurnal %(n)s membalik %(o)s.", n=reversal.number, o=entry.number), "success")
        return redirect(url_for(".show", pk=reversal.id))


class PeriodView(KkmpModelView):
    datamodel = KkmpInterface(Period)
    class_permission_name = "Period"
    route_base = "/periode"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "action", "action_post", "close", "reopen",
                             "close_year"}
    list_title = _l("Periode akuntansi")
    show_title = _l("Periode akuntansi")
    list_template = "ledger/period_list.html"
    show_template = "ledger/period_show.html"
    list_columns = ["cooperative", "label", "status_label", "closed_at", "closed_by", "reopened_at", "reopened_by"]
    show_columns = ["cooperative", "label", "status_label", "closed_at", "closed_by", "reopened_at", "reopened_by",
                    "reopen_reason"]
    search_columns = ["year", "month", "status"]
    order_columns = ["closed_at"]
    base_order = ("id", "desc")
    label_columns = {"cooperative": _l("Koperasi"), "label": _l("Periode"), "status": _l("Status"),
                     "status_label": _l("Status"), "closed_at": _l("Ditutup (UTC)"), "closed_by": _l("Ditutup oleh"),
                     "reopened_at": _l("Dibuka kembali (UTC)"), "reopened_by": _l("Dibuka kembali oleh"),
                     "reopen_reason": _l("Alasan dibuka kembali"), "year": _l("Tahun"), "month": _l("Bulan")}

    def render_template(self, template, **kwargs):
        if template in (self.list_template, self.show_template):
            sm = self.appbuilder.sm
            kwargs.update(can_close=sm.has_access("can_close", self.class_permission_name),
                          can_reopen=sm.has_access("can_reopen", self.class_permission_name),
                          can_close_year=sm.has_access("can_close_year", self.class_permission_name))
            if template == self.list_template and (kwargs["can_close"] or kwargs["can_close_year"]):
                kwargs["close_coops"] = writable_cooperatives(self.datamodel.session)
        return super().render_template(template, **kwargs)

    @expose("/tutup", methods=["POST"])
    @has_access
    @permission_name("close")
    def close(self):
        session = self.datamodel.session
        coops = writable_cooperatives(session)
        coop = choose_cooperative(session, coops)
        if coop is None:
            flash(gettext("Choose the cooperative."), "danger")
            return redirect(url_for(".list"))
        period, refused = commit_or_refuse(session, lambda: services.close_period(
            session, coop.id, request.form.get("year"), request.form.get("month"), acting_user=g.user),
            url_for(".list"))
        if refused:
            return refused
        flash(gettext("Periode %(p)s ditutup.", p=period.label), "success")
        return redirect(url_for(".show", pk=period.id))

    @expose("/buka/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reopen")
    def reopen(self, pk):
        session = self.datamodel.session
        period = self.datamodel.get(pk, self._base_filters)
        if period is None:
            abort(404)
        _done, refused = commit_or_refuse(session, lambda: services.reopen_period(
            session, period.cooperative_id, period.year, period.month, request.form.get("reason", ""),
            acting_user=g.user), url_for(".show", pk=pk))
        if refused:
            return refused
        flash(gettext("Periode %(p)s dibuka kembali.", p=period.label), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/tutup-tahun", methods=["POST"])
    @has_access
    @permission_name("close_year")
    def close_year(self):
        """Year-end close (tutup buku tahunan) once every month of the year is closed."""
        session = self.datamodel.session
        coops = writable_cooperatives(session)
        coop = choose_cooperative(session, coops)
        if coop is None:
            flash(gettext("Choose the cooperative."), "danger")
            return redirect(url_for(".list"))
        from .jobs import start_close_job

        try:
            year = int(request.form.get("year", "0") or 0)
        except ValueError:
            year = 0
        job = start_close_job(session, g.user, coop, year) if year else None
        if job is not None:  # a big cooperative: the close runs in the background, its page shows how it went
            flash(gettext("Tutup buku tahun %(y)s berjalan di latar belakang.", y=year), "info")
            return redirect(url_for("JobView.show", pk=job.id))
        record, refused = commit_or_refuse(session, lambda: services.close_year(
            session, coop.id, year, acting_user=g.user), url_for(".list"),
            refusals=(DomainError, TenantScopeError, ValueError))
        if refused:
            return refused
        from app.core.formatting import rupiah
        flash(gettext("Tahun buku %(y)s ditutup; SHU %(shu)s dipindahkan ke SHU belum dibagi.", y=record.year,
                      shu=rupiah(record.shu)), "success")
        return redirect(url_for(".list"))
