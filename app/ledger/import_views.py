"""Pembukuan > Impor: opening balances (saldo awal) and the cash book (buku kas) from Excel, and the list of past
imports. Thin: every rule lives in ``imports``; this view picks the cooperative, reads the upload (never more than
``MAX_BYTES + 1`` bytes), commits on success, and turns every refusal into a page (422), never a 500.

Permissions: ``LedgerImport.can_import`` (Pengurus) for the forms and templates; ``can_list``/``can_show`` to read
the history (Sekretaris and supervisors).
"""
import logging

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import DomainError, refusal_message
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError
from app.core.views import KkmpModelView

from . import imports, services
from .import_models import LedgerImport
from .models import Account
from .views import choose_cooperative, writable_cooperatives

log = logging.getLogger(__name__)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LedgerImportView(KkmpModelView):
    datamodel = KkmpInterface(LedgerImport)
    class_permission_name = "LedgerImport"
    route_base = "/impor-pembukuan"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "opening", "cash_book", "opening_template",
                             "cash_book_template"}
    list_title = _l("Riwayat impor pembukuan")
    show_title = _l("Hasil impor pembukuan")
    show_template = "ledger/import/import_show.html"
    list_columns = ["cooperative", "kind_label", "filename", "row_count", "entry_count", "first_date", "last_date",
                    "username", "imported_at"]
    show_columns = ["cooperative", "kind_label", "filename", "row_count", "entry_count", "first_date", "last_date",
                    "username", "imported_at", "sha256"]
    search_columns = ["kind", "filename", "username"]
    order_columns = ["imported_at", "filename"]
    base_order = ("id", "desc")
    label_columns = {"cooperative": _l("Koperasi"), "kind": _l("Jenis impor"), "kind_label": _l("Jenis impor"),
                     "filename": _l("Nama berkas"), "row_count": _l("Jumlah baris"),
                     "entry_count": _l("Jurnal dibuat"), "first_date": _l("Tanggal pertama"),
                     "last_date": _l("Tanggal terakhir"), "username": _l("Diimpor oleh"),
                     "imported_at": _l("Diimpor (UTC)"), "sha256": _l("SHA-256 berkas")}

    def render_template(self, template, **kwargs):
        if template == self.show_template and kwargs.get("pk") is not None:
            record = self.datamodel.get(kwargs["pk"], self._base_filters)
            kwargs["entries"] = imports.import_entries(self.datamodel.session, record) if record else []
        return super().render_template(template, **kwargs)

    # -- shared --------------------------------------------------------------------------------------------

    def _upload(self, kind, run, coop=None, **job_params):
        """Read the upload and run the import; returns (result, refused message, HTTP status) or a redirect.
        A file of more than KKMP_IMPORT_JOB_ROWS rows goes to a job (app/ledger/jobs.py: the same service)."""
        from .jobs import start_import_job

        session = self.datamodel.session
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return None, gettext("Pilih berkas .xlsx untuk diunggah."), 422
        data = upload.stream.read(imports.MAX_BYTES + 1)
        try:
            if coop is not None:
                imports.refuse_unsafe(upload.filename, data)
                spec = ((imports.OPENING_HEADERS, imports.OPENING_REQUIRED) if kind == imports.SOURCE_OPENING
                        else (imports.CASH_HEADERS, imports.CASH_REQUIRED))
                job = start_import_job(session, g.user, coop, kind, upload.filename, data,
                                       len(imports.read_sheets(data, *spec)), **job_params)
                if job is not None:
                    flash(gettext("Berkas besar: diperiksa dan diimpor di latar belakang. Hasilnya tampil di "
                                  "halaman ini."), "info")
                    return redirect(url_for("JobView.show", pk=job.id))
            result = run(upload.filename, data)
            if not result.ok:
                session.rollback()
                return result, None, 422
            session.commit()
        except DomainError as e:
            session.rollback()
            return None, str(e), 422
        except TenantScopeError as e:
            session.rollback()
            return None, refusal_message(e), 403
        except Exception:  # a damaged workbook or a lost race must not become a 500
            session.rollback()
            log.warning("ledger import failed", exc_info=True)
            return None, gettext("Berkas tidak dapat dibaca atau tidak dapat disimpan. Gunakan templat .xlsx dan "
                                 "coba lagi."), 422
        if kind == imports.SOURCE_OPENING:
            flash(gettext("Saldo awal diimpor sebagai jurnal %(n)s.", n=result.entries[0].number), "success")
        else:
            flash(gettext("%(n)d transaksi kas diimpor sebagai jurnal.", n=len(result.entries)), "success")
        return redirect(url_for(".show", pk=result.record.id))

    def _page(self, template, coops, coop, result, refused, status, **extra):
        return self.render_template(template, coops=coops, coop=coop, result=result, refused=refused,
                                    max_mb=imports.MAX_BYTES // (1024 * 1024), max_rows=imports.MAX_ROWS,
                                    **extra), status

    # -- opening balances ----------------------------------------------------------------------------------

    @expose("/saldo-awal", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def opening(self):
        session = self.datamodel.session
        coops = writable_cooperatives(session)
        coop = choose_cooperative(session, coops)
        opening_date = request.values.get("opening_date", "").strip()
        result, refused, status = None, None, 200
        if request.method == "POST":
            if coop is None:
                refused, status = gettext("Choose the cooperative."), 422
            else:
                outcome = self._upload(imports.SOURCE_OPENING, lambda name, data: imports.import_opening_balances(
                    session, coop, name, data, opening_date, acting_user=g.user), coop=coop,
                    opening_date=opening_date)
                if not isinstance(outcome, tuple):
                    return outcome
                result, refused, status = outcome
        existing = imports.opening_entry(session, coop.id) if coop is not None else None
        return self._page("ledger/import/opening.html", coops, coop, result, refused, status,
                          opening_date=opening_date, existing=existing, title=gettext("Impor saldo awal"))

    @expose("/saldo-awal/templat.xlsx")
    @has_access
    @permission_name("import")
    def opening_template(self):
        return self._template(imports.write_opening_template, "templat-saldo-awal")

    # -- cash book -----------------------------------------------------------------------------------------

    @expose("/buku-kas", methods=["GET", "POST"])
    @has_access
    @permission_name("import")
    def cash_book(self):
        session = self.datamodel.session
        coops = writable_cooperatives(session)
        coop = choose_cooperative(session, coops)
        cash_code = request.values.get("cash_account", "").strip()
        result, refused, status = None, None, 200
        if request.method == "POST":
            if coop is None:
                refused, status = gettext("Choose the cooperative."), 422
            else:
                outcome = self._upload(imports.SOURCE_CASH_BOOK, lambda name, data: imports.import_cash_book(
                    session, coop, name, data, cash_code=cash_code, acting_user=g.user), coop=coop,
                    cash_code=cash_code)
                if not isinstance(outcome, tuple):
                    return outcome
                result, refused, status = outcome
        cash_accounts, default_cash = [], ""
        if coop is not None:
            cash_accounts = session.execute(select(Account).where(
                Account.cooperative_id == coop.id, Account.kind == "aset", Account.is_active.is_(True),
                Account.is_header.is_(False)).order_by(Account.code)).scalars().all()
            default_cash = services.account_code(session, coop.id, "kas")
        return self._page("ledger/import/cash_book.html", coops, coop, result, refused, status,
                          cash_accounts=cash_accounts, cash_code=cash_code or default_cash,
                          title=gettext("Impor buku kas"))

    @expose("/buku-kas/templat.xlsx")
    @has_access
    @permission_name("import")
    def cash_book_template(self):
        return self._template(imports.write_cash_book_template, "templat-buku-kas")

    def _template(self, writer, name):
        import io

        session = self.datamodel.session
        coop = choose_cooperative(session, writable_cooperatives(session))
        if coop is None:
            abort(404)
        data = writer(session, coop)
        return send_file(io.BytesIO(data), as_attachment=True, mimetype=XLSX_MIME,
                         download_name=f"{name}-{coop.region_code}.xlsx")
