"""Member screens (menu "Keanggotaan"): the register, status changes, NIK reveal, counts by sex, Excel import and
the member picker used by the savings screens. Views are thin: every rule lives in ``services``."""
import os

from flask import abort, flash, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.sqla import filters as sqla_filters
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.cooperatives.models import Cooperative
from app.core.dates import parse_date_field
from app.cooperatives.services import picker_choices
from app.core.errors import DomainError, refusal_message
from app.core.forms import Checked
from app.core.interface import KkmpFilterConverter, KkmpInterface
from app.core.nik import birth_year_text, check_nik, mask_nik, may_reveal
from app.core.scope import RelatedNotFound, TenantScopeError, current_scope, read_condition
from app.core.views import KkmpModelView, NikRevealMixin
from app.extensions import db

from . import imports, services
from .models import END_STATUSES, MARITAL_STATUSES, SEXES, STATUS_LABELS, Member


class _NameKeyFilter:
    """A FAB text filter on ``name`` that compares the case-folded ``name_key`` with a plain LIKE (models.py):
    the same answers as FAB's ILIKE, about four times cheaper per row, and answered from the (name, id) index.
    The user's text is literal: ``%`` and ``_`` are not wildcards."""

    pattern = None  # "contains" | "startswith" | "endswith" | "equal"
    negate = False

    def apply(self, query, value):
        from .models import name_key_of

        key = name_key_of(value)
        column = Member.name_key
        condition = {"contains": lambda: column.contains(key, autoescape=True),
                     "startswith": lambda: column.startswith(key, autoescape=True),
                     "endswith": lambda: column.endswith(key, autoescape=True),
                     "equal": lambda: column == key}[self.pattern]()
        return query.filter(~condition if self.negate else condition)


def _name_key_filter(base, pattern, negate=False):
    return type(f"NameKey{base.__name__}", (_NameKeyFilter, base), {"pattern": pattern, "negate": negate})


class MemberFilterConverter(KkmpFilterConverter):
    """Our filters (app/core/interface.py), with the name column's text filters (same names, same URL positions) on ``name_key``."""

    _name_filters = {
        sqla_filters.FilterStartsWith: _name_key_filter(sqla_filters.FilterStartsWith, "startswith"),
        sqla_filters.FilterEndsWith: _name_key_filter(sqla_filters.FilterEndsWith, "endswith"),
        sqla_filters.FilterContains: _name_key_filter(sqla_filters.FilterContains, "contains"),
        sqla_filters.FilterEqual: _name_key_filter(sqla_filters.FilterEqual, "equal"),
        sqla_filters.FilterNotStartsWith: _name_key_filter(sqla_filters.FilterNotStartsWith, "startswith", True),
        sqla_filters.FilterNotEndsWith: _name_key_filter(sqla_filters.FilterNotEndsWith, "endswith", True),
        sqla_filters.FilterNotContains: _name_key_filter(sqla_filters.FilterNotContains, "contains", True),
        sqla_filters.FilterNotEqual: _name_key_filter(sqla_filters.FilterNotEqual, "equal", True),
    }

    def convert(self, col_name):
        filters = super().convert(col_name)
        if col_name != "name" or not filters:
            return filters
        return [self._name_filters.get(type(f), type(f))(col_name, self.datamodel) for f in filters]


class MemberInterface(KkmpInterface):
    """A registry collision at commit (two clerks entering one NIK at once) becomes the NIK message."""

    filter_converter_class = MemberFilterConverter

    def add(self, item, commit=True):
        from sqlalchemy.exc import IntegrityError
        try:
            return super().add(item, commit)
        except IntegrityError as e:
            if services.is_registry_conflict(e):
                raise services.registry_error() from None
            raise

    def edit(self, item, commit=True):
        from flask_appbuilder.exceptions import DatabaseException
        try:
            return super().edit(item, commit)
        except DatabaseException as e:
            if services.is_registry_conflict(e.__cause__):
                raise services.registry_error() from None
            raise


def _choices(pairs):
    return [(key, str(label)) for key, label in pairs]


_FIELDS = {
    # Never prefilled on edit (that would reveal it): blank keeps the stored NIK.
    "nik": StringField(_l("NIK"), widget=BS3TextFieldWidget(),
                       validators=[Optional(), Length(max=40), Checked(check_nik)],
                       description=_l("16 digit sesuai KTP. Pada ubah data: kosongkan untuk mempertahankan NIK lama.")),
    "sex": SelectField(_l("Jenis kelamin"), choices=_choices(SEXES), validators=[DataRequired()]),
    "rt": StringField(_l("RT"), widget=BS3TextFieldWidget(), validators=[DataRequired(), Length(max=5)]),
    "rw": StringField(_l("RW"), widget=BS3TextFieldWidget(), validators=[DataRequired(), Length(max=5)]),
    "domicile_code": StringField(_l("Kode kelurahan domisili (KTP)"), widget=BS3TextFieldWidget(),
                                 validators=[DataRequired(), Length(max=20)],
                                 description=_l("Sesuai KTP; harus kelurahan koperasi, contoh 31.73.05.1001.")),
    "phone": StringField(_l("Telepon"), widget=BS3TextFieldWidget(), validators=[Optional(), Length(max=30)]),
    # Sesuai KTP; needed for an applicant younger than the minimum age (a married person may join).
    "marital_status": SelectField(_l("Status perkawinan"), choices=[("", "-")] + _choices(MARITAL_STATUSES),
                                  validators=[Optional()],
                                  description=_l("Sesuai KTP. Pemohon di bawah umur minimum hanya dapat menjadi "
                                                 "anggota bila sudah/pernah kawin.")),
}


class MemberView(NikRevealMixin, KkmpModelView):
    datamodel = MemberInterface(Member)
    class_permission_name = "Member"
    route_base = "/anggota"
    list_title = _l("Anggota")
    show_title = _l("Anggota")
    add_title = _l("Daftarkan anggota (permohonan)")
    edit_title = _l("Ubah data anggota")
    show_template = "members/member_show.html"
    list_template = "members/member_list.html"
    exclude_route_methods = {"download", "delete"}  # members are never deleted: their history stays

    list_columns = ["member_number", "name", "nik_masked", "sex", "rt_rw", "status_label", "join_date",
                    "cooperative"]
    show_fieldsets = [
        (_l("Anggota"), {"fields": ["cooperative", "member_number", "name", "nik_masked", "sex_label", "birth_date",
                                    "marital_label", "occupation", "phone"]}),
        (_l("Domisili"), {"fields": ["address", "rt_rw", "domicile_code"]}),
        (_l("Keanggotaan"), {"fields": ["status_label", "join_date", "approved_on", "active_since", "ended_on",
                                        "end_note"]}),
    ]
    add_columns = ["cooperative", "nik", "name", "sex", "birth_date", "marital_status", "address", "rt", "rw",
                   "domicile_code", "phone", "occupation", "join_date"]
    edit_columns = ["nik", "name", "sex", "birth_date", "marital_status", "address", "rt", "rw", "domicile_code",
                    "phone", "occupation", "join_date"]
    export_columns = ["member_number", "name", "nik_masked", "sex", "birth_date", "address", "rt", "rw",
                      "domicile_code", "phone", "occupation", "status_label", "join_date", "approved_on",
                      "active_since", "ended_on", "cooperative"]
    # Plain columns only: no relation in the search form (it would preload a whole table).
    search_columns = ["name", "member_number", "status", "sex"]
    # Orders with a keyset index (migration fastpaths001). Not the member number: applicants have none yet, so
    # it cannot page by keyset, and the name and join-date orders already list the register.
    order_columns = ["name", "join_date"]
    base_order = ("name", "asc")
    list_jump_label = _l("Nama mulai dari...")
    url_filters = {"koperasi": "cooperative_id"}
    cooperative_picker = staticmethod(picker_choices)
    label_columns = dict(services.FIELD_LABELS)
    add_form_extra_fields = _FIELDS
    edit_form_extra_fields = _FIELDS
    # Future dates are refused by services.check_member against the cooperative's own date (WIB/WITA/WIT).

    # -- add / edit through the services --------------------------------------------------------------------
    def _record_from_form(self, form, is_add):
        record, existing = super()._record_from_form(form, is_add)
        coop = form._fields.get("cooperative")
        if coop is not None and coop.data is not None:
            record.cooperative_id = coop.data.id
        return record, existing

    def validate_record(self, record, existing):
        record.id = existing.id if existing is not None else None
        services.check_member(record, self.datamodel.session, existing=existing)
        services.check_nik_free(record, self.datamodel.session)

    def pre_add(self, item):
        self._guard_write(item, "insert")
        try:
            services.register_member(self.datamodel.session, item, g.user)
        except DomainError as e:
            self._refuse(e)
        except (TenantScopeError, RelatedNotFound) as e:
            self._refuse(DomainError(refusal_message(e)))

    def post_add(self, item):
        g.kkmp_added_member_id = item.id

    def post_add_redirect(self):
        """After registering a member the clerk lands on that member (next: approve, first deposit), not on the
        list where they would have to find the person again."""
        pk = g.pop("kkmp_added_member_id", None)
        return redirect(url_for(".show", pk=pk)) if pk is not None else super().post_add_redirect()

    def prepare_item(self, item):
        # edits only (pre_add above registers); a blank NIK keeps the stored one
        from sqlalchemy import inspect as sa_inspect

        if not (item.nik or "").strip():
            hist = sa_inspect(item).attrs.nik.history
            item.nik = (hist.deleted or hist.unchanged or (None,))[0]
        services.update_member(self.datamodel.session, item)

    # -- export: a big register becomes a background job (app/members/jobs.py) with a progress bar ---------------
    @expose("/export/xlsx")
    @has_access
    @permission_name("export")
    def export_xlsx(self):
        """Up to KKMP_EXPORT_JOB_ROWS rows the file comes in this response; beyond, a job writes it (the web
        worker is free at once) and the user lands on the job's page, which shows the progress and the download."""
        from flask import current_app

        from app.jobs.services import do_start_job

        limit = current_app.config["KKMP_EXPORT_JOB_ROWS"]
        # Counted by fetching at most limit+1 ids: a plain Query.count() wraps a subquery the scope layer's loader
        # criteria do not reach, and would count other cooperatives' rows.
        if len(self._export_query().order_by(None).with_entities(Member.id).limit(limit + 1).all()) <= limit:
            return super().export_xlsx()
        scope = current_scope(self.datamodel.session)
        coop_id = next(iter(scope.read_ids)) if not scope.all and len(scope.read_ids) == 1 else None
        job = do_start_job(self.datamodel.session, g.user, "member_export", cooperative_id=coop_id,
                           params={"query_string": request.query_string.decode("latin-1")})
        flash(gettext("Daftar ini besar: file Excel dibuat di latar belakang. Unduh dari halaman ini setelah "
                      "selesai."), "info")
        return redirect(url_for("JobView.show", pk=job.id))

    # -- export: a column-wise select streamed from a server-side cursor (the register may hold 500,000 rows) ----
    def export_rows(self, query, columns):
        if list(columns) != list(self.export_columns):
            yield from super().export_rows(query, columns)
            return
        # Asked once for the whole export: a reader without the reveal right gets the birth year only.
        full = may_reveal(self.class_permission_name)
        statuses = {key: str(label) for key, label in STATUS_LABELS.items()}
        # The cooperative's name in the same statement (the query's own joins and scope stay as they are).
        query = query.join(Member.cooperative).with_entities(
            Member.member_number, Member.name, Member.nik, Member.sex, Member.birth_date, Member.address,
            Member.rt, Member.rw, Member.domicile_code, Member.phone, Member.occupation, Member.status,
            Member.join_date, Member.approved_on, Member.active_since, Member.ended_on, Cooperative.name)
        # Read as plain rows on the session's own connection, not through the ORM's loading (which cost twice the
        # database's own time per row); the scope is then written out, as app/core/paging.py does, because the
        # session's scope listener sees only ORM executions. Member's condition covers the joined cooperative.
        condition = read_condition(Member)
        if condition is not None:
            query = query.filter(condition)
        result = self.datamodel.session.connection().execution_options(
            stream_results=True, yield_per=5000).execute(query.statement)
        # Per row only what must be: the NIK masked, the birth date as the reader may see it, the status's label
        # (a VisiblePerson per row cost more than the rest of the row's own work).
        for row in result:
            row = list(row)
            born = row[4]
            row[2] = mask_nik(row[2])
            row[4] = (born if full else birth_year_text(born.year)) if born else ""
            row[11] = statuses.get(row[11], row[11])
            yield row

    # -- show page with history and the status buttons -------------------------------------------------------
    def _get_show_widget(self, pk, item, **kwargs):
        g.kkmp_show_member = item
        return super()._get_show_widget(pk, item, **kwargs)

    def render_template(self, template, **kwargs):
        item = g.pop("kkmp_show_member", None)
        if template == self.show_template and item is not None:
            sm = self.appbuilder.sm
            kwargs.update(member=item, history=list(item.history), end_statuses=[
                (s, STATUS_LABELS[s]) for s in END_STATUSES], today=services.local_today(item.cooperative),
                can_set_status=sm.has_access("can_set_status", self.class_permission_name),
                can_reveal=sm.has_access("can_reveal_nik", self.class_permission_name),
                # the way on from a member: every link only for a role the security manager grants it to
                can_passbook=sm.has_access("can_passbook", "SavingsTransaction"),
                can_deposit=sm.has_access("can_deposit", "SavingsTransaction"),
                can_withdraw=sm.has_access("can_withdraw", "SavingsTransaction"),
                can_bills=sm.has_access("can_list", "WajibBill"),
                can_transactions=sm.has_access("can_list", "SavingsTransaction"))
        if template == self.list_template:
            kwargs.setdefault("kkmp_can_import", self.appbuilder.sm.has_access("can_add",
                                                                                self.class_permission_name))
        return super().render_template(template, **kwargs)

    def _transition(self, pk, fn, **kwargs):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        session = self.datamodel.session
        try:
            on = request.form.get("on_date") or None
            if on:
                on = parse_date_field(on, gettext("Tanggal"), "on_date")
            fn(session, item, g.user, on=on, **kwargs)
            session.commit()
            flash(gettext("Status anggota %(name)s sekarang: %(status)s.", name=item.name,
                          status=item.status_label), "success")
        except DomainError as e:
            session.rollback()
            flash(str(e), "danger")
        except TenantScopeError as e:
            session.rollback()
            flash(refusal_message(e), "danger")
        return redirect(url_for(".show", pk=pk))

    method_permission_name = {"approve_many": "set_status"}

    @action("approve_many", _l("Setujui permohonan terpilih"), _l("Setujui semua permohonan yang dipilih?"),
            "fa-check", single=False)
    def approve_many(self, items):
        """Pengurus approves many applications at once (e.g. after an Excel import): all or none."""
        items = items if isinstance(items, list) else [items]
        session = self.datamodel.session
        try:
            pending = [item for item in items if item.status == "permohonan"]
            for item in sorted(pending, key=lambda m: m.id):
                services.do_approve(session, item, g.user)
            session.commit()
            flash(gettext("%(n)d permohonan disetujui.", n=len(pending)), "success")
            if len(pending) < len(items):
                flash(gettext("%(n)d baris terpilih bukan permohonan dan dilewati.", n=len(items) - len(pending)),
                      "warning")
        except DomainError as e:
            session.rollback()
            flash(str(e), "danger")
        return redirect(self.get_redirect())

    @expose("/status/<int:pk>/<string:step>", methods=["POST"])
    @has_access
    @permission_name("set_status")
    def set_status(self, pk, step):
        """approve / activate / reject / end (POST with CSRF only; never a GET mutation)."""
        if step == "end":
            return self._transition(pk, services.do_end, status=request.form.get("status", ""),
                                    note=request.form.get("note"))
        if step == "reject":
            return self._transition(pk, services.do_reject, note=request.form.get("note"))
        fn = {"approve": services.do_approve, "activate": services.do_activate}.get(step)
        if fn is None:
            abort(404)
        return self._transition(pk, fn)


    # -- member picker for other screens (savings) ------------------------------------------------------------
    @expose("/lookup")
    @has_access
    @permission_name("list")
    def lookup(self):
        """GET /anggota/lookup?q=...&page=...&aktif=1 -> {"results": [{id, text}], "pagination": {"more"}}."""
        try:
            page = int(request.args.get("page", 1))
        except ValueError:
            page = 1
        data = services.lookup(self.datamodel.session, request.args.get("q", ""), page,
                               active_only=request.args.get("aktif") == "1",
                               nik_search=may_reveal(self.class_permission_name))
        response = jsonify(data)
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- Excel template and import -----------------------------------------------------------------------------
    @expose("/templat.xlsx")
    @has_access
    @permission_name("add")
    def import_template(self):
        scope = current_scope(self.datamodel.session)
        code = "31.73.05.1001"
        if len(scope.write_ids) == 1:
            code = self.datamodel.session.execute(select(Cooperative.region_code).where(
                Cooperative.id == next(iter(scope.write_ids)))).scalar() or code
        path = imports.write_template(code)
        response = send_file(path, as_attachment=True, download_name="templat-anggota.xlsx",
                             mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.call_on_close(lambda: os.remove(path))
        return response

    def _import_as_job(self, coop, filename, data):
        """A file of more than KKMP_IMPORT_JOB_ROWS rows is imported by a job (the same service, all or nothing);
        a smaller one here. The file's safety checks run first either way, in the request."""
        from app.jobs.services import do_start_job, save_upload

        imports.refuse_unsafe(filename, data)
        if len(imports.read_rows(data)) <= _import_job_rows():
            return None
        return do_start_job(self.datamodel.session, g.user, "member_import", cooperative_id=coop.id,
                            params={"cooperative_id": coop.id, "filename": (filename or "")[:255],
                                    "upload": save_upload(data)})

    @expose("/impor", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def import_xlsx(self):
        session = self.datamodel.session
        scope = current_scope(session)
        region_code = (request.values.get("region_code") or "").strip()
        if not region_code and len(scope.write_ids) == 1:
            region_code = session.execute(select(Cooperative.region_code).where(
                Cooperative.id == next(iter(scope.write_ids)))).scalar() or ""
        result, refused = None, None
        status = 200
        if request.method == "POST":
            upload = request.files.get("file")
            coop = session.execute(select(Cooperative).where(Cooperative.region_code == region_code)).scalar()
            if coop is None or not (scope.all or coop.id in scope.write_ids):
                refused = gettext("Koperasi dengan kode kelurahan itu tidak ditemukan di wilayah Anda.")
            elif upload is None or not upload.filename:
                refused = gettext("Pilih berkas .xlsx untuk diunggah.")
            else:
                data = upload.stream.read(imports.MAX_BYTES + 1)
                try:
                    job = self._import_as_job(coop, upload.filename, data)
                    if job is not None:
                        flash(gettext("Berkas besar: diperiksa dan diimpor di latar belakang. Hasilnya tampil di "
                                      "halaman ini."), "info")
                        return redirect(url_for("JobView.show", pk=job.id))
                    result = imports.import_members(session, coop, upload.filename, data, g.user)
                except (DomainError, TenantScopeError) as e:
                    session.rollback()
                    refused = refusal_message(e)
                except Exception:  # a damaged workbook must not become a 500
                    session.rollback()
                    refused = gettext("Berkas tidak dapat dibaca sebagai daftar anggota. Gunakan templat .xlsx.")
            if refused or (result is not None and not result.ok):
                status = 422
            elif result is not None:
                flash(gettext("%(n)d anggota diimpor sebagai permohonan.", n=result.created), "success")
                return redirect(url_for(".list"))
        return self.render_template("members/import.html", region_code=region_code, result=result,
                                    refused=refused, max_mb=imports.MAX_BYTES // (1024 * 1024),
                                    max_rows=imports.MAX_ROWS), status


def _import_job_rows():
    from flask import current_app

    return current_app.config["KKMP_IMPORT_JOB_ROWS"]


class MemberCountView(BaseView):
    """Active members by sex per cooperative in the user's area (the ministry asks for the split)."""

    route_base = "/anggota-rekap"
    class_permission_name = "MemberCount"
    default_view = "counts"
    page_size = 100

    @expose("/")
    @has_access
    @permission_name("list")
    def counts(self):
        try:
            page = max(0, int(request.args.get("page", 0)))
        except ValueError:
            page = 0
        rows, total = services.counts_by_sex(db.session, page, self.page_size)
        sums = {"men": sum(r.men for r in rows), "women": sum(r.women for r in rows),
                "total": sum(r.total for r in rows)}
        return self.render_template("members/counts.html", rows=rows, sums=sums, page=page,
                                    pages=max(1, -(-total // self.page_size)), total=total)

    @expose("/xlsx")
    @has_access
    @permission_name("list")
    def counts_xlsx(self):
        from app.core.xlsx import write_xlsx

        def rows():
            page = 0
            while True:
                batch, _total = services.counts_by_sex(db.session, page, 1000)
                for r in batch:
                    yield [r.region_code, r.name, int(r.men), int(r.women), int(r.total)]
                if len(batch) < 1000:
                    return
                page += 1

        path = write_xlsx(gettext("Jumlah anggota aktif menurut jenis kelamin"),
                          [gettext("Kode kelurahan"), gettext("Koperasi"), gettext("Laki-laki"),
                           gettext("Perempuan"), gettext("Jumlah")], rows())
        response = send_file(path, as_attachment=True, download_name="rekap-anggota.xlsx",
                             mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.call_on_close(lambda: os.remove(path))
        return response
