"""Simpanan screens: products, wajib rates, wajib bills, transactions (read-only list), the deposit and
withdrawal forms with a searchable member picker, receipts (A5, 58 mm, 80 mm), the passbook, arrears with
WhatsApp reminders, the Excel import and the exit settlement. Views are thin: every change goes through
``services`` and commits once.
"""
import os

from flask import abort, current_app, flash, g, make_response, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.cooperatives.models import Cooperative
from app.core.dates import local_today
from app.core.dates import date_error, parse_date
from app.cooperatives.services import picker_choices, user_today
from app.core.errors import DomainError, ValidationFailed, refusal_message
from app.core.formatting import MONTHS, month_name, tanggal
from app.core.forms import NotInFuture
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError, current_scope
from app.core.views import KkmpModelView, commit_or_refuse

from . import exports, services
from .models import KINDS, ExitSettlement, SavingsProduct, SavingsTransaction, WajibBill, WajibRate
from .terbilang import terbilang_title

RECEIPT_SIZES = {"a5": "A5", "80": "80 mm", "58": "58 mm"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _clerk_name(session, username):
    """The full name of the clerk who took or paid the money, for the receipt's signature. A login name means
    nothing to a member, and an automatic author ("system") is no person: the line stays blank to sign by hand."""
    from app.security.models import KkmpUser

    if not username or username == "system":
        return ""
    user = session.scalar(select(KkmpUser).where(KkmpUser.username == username))
    return user.get_full_name() if user is not None else ""


def _send_xlsx(path, name):
    response = send_file(path, as_attachment=True, download_name=name, mimetype=XLSX)
    response.call_on_close(lambda: os.remove(path))
    return response


def writable_cooperatives(session):
    """Cooperatives the user may write for; None for full scope (chosen by kelurahan code)."""
    scope = current_scope(session)
    if scope.all:
        return None
    if not scope.write_ids:
        return []
    return session.execute(select(Cooperative).where(Cooperative.id.in_(sorted(scope.write_ids)))
                           .order_by(Cooperative.name).limit(200)).scalars().all()


def chosen_cooperative(session):
    coops = writable_cooperatives(session)
    wanted = (request.values.get("cooperative") or "").strip()
    if coops is not None and len(coops) == 1 and not wanted:
        return coops[0], coops
    if not wanted:
        return None, coops
    coop = session.execute(select(Cooperative).where(
        (Cooperative.region_code == wanted) | (Cooperative.id == (int(wanted) if wanted.isdigit() else -1)))).scalar()
    if coop is not None and coops is not None and coop.id not in {c.id for c in coops}:
        coop = None
    return coop, coops


_LABELS = {"cooperative": _l("Koperasi"), "kind": _l("Jenis simpanan"), "kind_label": _l("Jenis simpanan"),
           "name": _l("Nama produk"), "amount": _l("Jumlah"), "instalments": _l("Boleh dicicil (kali)"),
           "decided_on": _l("Diputuskan tanggal"), "decision_ref": _l("Dasar keputusan (berita acara)"),
           "valid_from": _l("Berlaku mulai bulan"), "member": _l("Anggota"), "period_label": _l("Bulan"),
           "year": _l("Tahun"), "month": _l("Bulan"), "paid_amount": _l("Sudah dibayar"),
           "outstanding": _l("Sisa"), "status_label": _l("Status"), "direction": _l("Setor/tarik"),
           "direction_label": _l("Setor/tarik"), "tx_date": _l("Tanggal"), "receipt_number": _l("Nomor kwitansi"),
           "journal_number": _l("Nomor jurnal"), "note": _l("Keterangan"), "created_by": _l("Dicatat oleh"),
           "created_at": _l("Dicatat (UTC)"), "correction_label": _l("Koreksi"),
           "reversed_at": _l("Dibatalkan pada (UTC)"), "settle_date": _l("Tanggal penyelesaian"),
           "pokok": _l("Simpanan pokok"), "wajib": _l("Simpanan wajib"),
           "loss_share": _l("Bagian tanggungan kerugian"), "paid_out": _l("Dibayarkan")}


class SavingsProductView(KkmpModelView):
    datamodel = KkmpInterface(SavingsProduct)
    class_permission_name = "SavingsProduct"
    route_base = "/simpanan/produk"
    include_route_methods = {"list", "show", "add", "edit", "export_xlsx", "export_csv", "action", "action_post"}
    list_title = _l("Produk simpanan")
    show_title = _l("Produk simpanan")
    add_title = _l("Tetapkan produk simpanan")
    edit_title = _l("Ubah produk simpanan")
    list_columns = ["cooperative", "kind_label", "name", "amount", "instalments", "decided_on"]
    show_columns = ["cooperative", "kind_label", "name", "amount", "instalments", "decided_on", "decision_ref"]
    add_columns = ["cooperative", "kind", "name", "amount", "instalments", "decided_on", "decision_ref"]
    edit_columns = ["name", "amount", "instalments", "decided_on", "decision_ref"]
    search_columns = ["kind", "name"]
    order_columns = ["kind", "name"]
    label_columns = _LABELS
    description_columns = {
        "amount": _l("Simpanan pokok: satu jumlah untuk semua anggota. Simpanan wajib: tarif bulanan diatur di "
                     "'Tarif simpanan wajib'. Sukarela: setoran minimal (boleh kosong)."),
        "instalments": _l("Hanya simpanan pokok: dibayar sekaligus (1) atau dicicil paling banyak N kali."),
    }
    add_form_extra_fields = {
        "kind": SelectField(_l("Jenis simpanan"), choices=[(k, str(v)) for k, v in KINDS],
                            validators=[DataRequired()]),
        "name": StringField(_l("Nama produk"), validators=[Optional(), Length(max=80)]),
        "instalments": IntegerField(_l("Boleh dicicil (kali)"), default=1, validators=[Optional()]),
    }
    edit_form_extra_fields = {
        "name": StringField(_l("Nama produk"), validators=[Optional(), Length(max=80)]),
        "instalments": IntegerField(_l("Boleh dicicil (kali)"), default=1, validators=[Optional()]),
    }
    validators_columns = {"decided_on": [NotInFuture()]}

    def validate_record(self, record, existing):
        services.check_product(record, existing, self.datamodel.session)

    def prepare_item(self, item):
        services.check_product(item, item if item.id is not None else None, self.datamodel.session)


class WajibRateView(KkmpModelView):
    """Effective-dated: a new rate is a new row from a month not yet billed; past rows are never edited."""

    datamodel = KkmpInterface(WajibRate)
    class_permission_name = "WajibRate"
    route_base = "/simpanan/tarif-wajib"
    include_route_methods = {"list", "show", "add", "export_xlsx", "export_csv", "action", "action_post", "correct"}
    show_template = "savings/rate_show.html"
    list_title = _l("Tarif simpanan wajib")
    show_title = _l("Tarif simpanan wajib")
    add_title = _l("Tarif simpanan wajib baru")
    list_columns = ["cooperative", "valid_from", "amount", "decided_on", "decision_ref"]
    show_columns = list_columns
    add_columns = ["cooperative", "valid_from", "amount", "decided_on", "decision_ref"]
    search_columns = ["valid_from", "amount"]
    order_columns = ["valid_from"]
    base_order = ("valid_from", "desc")
    label_columns = dict(_LABELS, amount=_l("Simpanan wajib per bulan"))
    description_columns = {"valid_from": _l("Tanggal berapa pun: berlaku mulai tanggal 1 bulan itu. Bulan yang "
                                            "sudah ditagih tidak berubah.")}
    validators_columns = {"decided_on": [NotInFuture()]}

    def validate_record(self, record, existing):
        services.check_rate(record, existing, self.datamodel.session)

    def prepare_item(self, item):
        services.check_rate(item, None, self.datamodel.session)

    def render_template(self, template, **kwargs):
        if template == self.show_template:
            kwargs.update(rate_pk=kwargs.get("pk"),
                          can_correct=self.appbuilder.sm.has_access("can_correct", self.class_permission_name))
        return super().render_template(template, **kwargs)

    @expose("/koreksi/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("correct")
    def correct(self, pk):
        """Koreksi tarif: the Pengurus corrects a rate billed wrongly; its open bills are re-priced."""
        session = self.datamodel.session
        rate = self.datamodel.get(pk, self._base_filters)
        if rate is None:
            abort(404)
        n, refused = commit_or_refuse(session, lambda: services.do_correct_wajib_rate(
            session, acting_user=g.user, rate=rate, new_amount=request.form.get("amount"),
            reason=request.form.get("reason")), url_for(".show", pk=pk))
        if refused:
            return refused
        flash(gettext("Tarif dikoreksi; %(n)d tagihan yang belum lunas dihitung ulang.", n=n), "success")
        return redirect(url_for(".show", pk=pk))


class WajibBillView(KkmpModelView):
    datamodel = KkmpInterface(WajibBill)
    class_permission_name = "WajibBill"
    route_base = "/simpanan/tagihan-wajib"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "action", "action_post", "generate"}
    list_title = _l("Tagihan simpanan wajib")
    show_title = _l("Tagihan simpanan wajib")
    list_template = "savings/bill_list.html"
    list_columns = ["cooperative", "member", "period_label", "amount", "paid_amount", "status_label"]
    show_columns = ["cooperative", "member", "period_label", "amount", "paid_amount", "outstanding",
                    "status_label"]
    # Newest first only, searched by period: the amounts are nearly all the cooperative's one rate, so sorting or
    # searching by them says little and would need two more indexes on a table of millions of rows.
    search_columns = ["year", "month"]
    offered_orders = ()
    base_order = ("id", "desc")
    label_columns = _LABELS
    url_filters = {"koperasi": "cooperative_id", "anggota": "member_id"}
    cooperative_picker = staticmethod(picker_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from app.core.formatting import rupiah
        self.formatters_columns.setdefault("outstanding", rupiah)

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.setdefault("kkmp_can_generate", self.appbuilder.sm.has_access("can_generate",
                                                                                  self.class_permission_name))
            coop, _coops = chosen_cooperative(self.datamodel.session)
            today = local_today(coop) if coop is not None else user_today(self.datamodel.session, g.user)
            kwargs.setdefault("gen_year", today.year)
            kwargs.setdefault("gen_month", today.month)
            kwargs.setdefault("months", MONTHS)
        return super().render_template(template, **kwargs)

    @expose("/buat", methods=["POST"])
    @has_access
    @permission_name("generate")
    def generate(self):
        """Bill one month for every active member of a cooperative (Pengurus); running it twice adds nothing."""
        session = self.datamodel.session
        coop, _coops = chosen_cooperative(session)
        if coop is None:
            flash(gettext("Koperasi tidak ditemukan di wilayah Anda."), "danger")
            return redirect(url_for(".list"))
        try:
            n = services.generate_wajib_bills(session, coop.id, request.form.get("year"), request.form.get("month"),
                                              g.user)
            session.commit()
            flash(gettext("%(n)d tagihan simpanan wajib dibuat.", n=n), "success")
        except (DomainError, TenantScopeError) as e:
            session.rollback()
            flash(refusal_message(e), "danger")
        return redirect(url_for(".list"))


class SavingsTransactionView(KkmpModelView):
    """Transactions are written only by the deposit and withdrawal forms, the import and the exit settlement."""

    datamodel = KkmpInterface(SavingsTransaction)
    class_permission_name = "SavingsTransaction"
    route_base = "/simpanan/transaksi"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "action", "action_post", "deposit", "withdraw",
                             "receipt", "passbook", "passbook_xlsx", "arrears", "arrears_xlsx", "arrears_reminders",
                             "import_template", "import_xlsx", "exit_settlement", "reverse"}
    list_title = _l("Transaksi simpanan")
    show_title = _l("Transaksi simpanan")
    list_template = "savings/transaction_list.html"
    show_template = "savings/transaction_show.html"
    list_columns = ["cooperative", "receipt_number", "tx_date", "member", "kind_label", "direction_label", "amount",
                    "correction_label"]
    show_columns = ["cooperative", "receipt_number", "tx_date", "member", "kind_label", "direction_label", "amount",
                    "correction_label", "journal_number", "note", "created_by", "created_at", "reversed_at"]
    search_columns = ["receipt_number", "tx_date", "kind", "direction", "amount"]
    # Each order pages by keyset over its (cooperative_id, column, id) index (migration fastpaths001). Not the
    # receipt number: the default order, newest first, is already the receipt order of each year.
    order_columns = ["tx_date", "amount"]
    base_order = ("id", "desc")
    label_columns = _LABELS
    url_filters = {"koperasi": "cooperative_id", "anggota": "member_id"}
    cooperative_picker = staticmethod(picker_choices)
    export_columns = list_columns

    def export_rows(self, query, columns):
        """The list's cells from one column-wise select (app/savings/exports.py), not an ORM object per row."""
        if list(columns) != exports.COLUMNS:
            yield from super().export_rows(query, columns)
            return
        yield from exports.transaction_rows(self.datamodel.session, query)

    def _get_show_widget(self, pk, item, **kwargs):
        g.kkmp_savings_tx = item
        return super()._get_show_widget(pk, item, **kwargs)

    def render_template(self, template, **kwargs):
        item = g.pop("kkmp_savings_tx", None)
        if template == self.show_template and item is not None:
            kwargs.update(tx=item, reversal=services.reversal_of(self.datamodel.session, item),
                          can_reverse=self.appbuilder.sm.has_access("can_reverse", self.class_permission_name))
        if template == self.list_template:
            sm = self.appbuilder.sm
            kwargs.update(can_deposit=sm.has_access("can_deposit", self.class_permission_name),
                          can_withdraw=sm.has_access("can_withdraw", self.class_permission_name),
                          can_import=sm.has_access("can_import_xlsx", self.class_permission_name),
                          can_arrears=sm.has_access("can_arrears", self.class_permission_name))
        return super().render_template(template, **kwargs)

    # -- deposit and withdrawal ------------------------------------------------------------------------------------

    def _money_form(self, direction):
        session = self.datamodel.session
        values = {k: (request.form.get(k) or "").strip() for k in ("member", "kind", "amount", "tx_date", "note",
                                                                    "idempotency_key")}
        if request.method == "GET":
            values["member"] = (request.args.get("member") or "").strip()
            values["kind"] = request.args.get("kind") or ("sukarela" if direction == "tarik" else "wajib")
            values["amount"] = (request.args.get("amount") or "").strip()[:30]  # e.g. the arrears' pay link
        values["idempotency_key"] = values["idempotency_key"] or services.new_idempotency_key()
        errors, member = {}, None
        if values["member"].isdigit():
            from app.members.models import Member
            member = session.get(Member, int(values["member"]))
        if not values["tx_date"]:
            # the cooperative's date (the member's, else the user's own cooperative), never the server's
            coop = member.cooperative if member is not None else chosen_cooperative(session)[0]
            values["tx_date"] = (local_today(coop) if coop is not None else user_today(session, g.user)).strftime(
                "%d/%m/%Y")
        if request.method == "POST":
            tx_date = parse_date(values["tx_date"])
            if tx_date is None:
                errors["tx_date"] = date_error(gettext("Tanggal"))
            if member is None:
                errors["member"] = gettext("Pilih anggota.")
            try:
                amount = services.parse_amount(values["amount"])
            except ValidationFailed as e:
                errors["amount"] = str(e)
            if not errors:
                fn = services.do_deposit if direction == "setor" else services.do_withdraw
                try:
                    tx = fn(session, member=member, kind=values["kind"], amount=amount, tx_date=tx_date,
                            idempotency_key=values["idempotency_key"], note=values["note"], acting_user=g.user)
                    session.commit()
                    flash(gettext("Tersimpan: kwitansi %(n)s.", n=tx.receipt_number), "success")
                    return redirect(url_for(".show", pk=tx.id))
                except IntegrityError:
                    # a double-click: the first submission won; show its receipt
                    session.rollback()
                    tx = services.find_by_key(session, member.cooperative_id, values["idempotency_key"])
                    if tx is not None:
                        return redirect(url_for(".show", pk=tx.id))
                    errors["amount"] = gettext("Tidak tersimpan karena bentrok dengan transaksi lain; coba lagi.")
                except (DomainError, TenantScopeError) as e:
                    session.rollback()
                    field = getattr(e, "field", None)
                    field = {"entry_date": "tx_date", "lines": "amount", "loss_share": "amount"}.get(field, field)
                    errors[field if field in ("member", "kind", "amount", "tx_date") else "amount"] = refusal_message(e)
        member_text = ""
        if member is not None:
            from app.members.services import lookup_text
            member_text = lookup_text(member.member_number, member.name, member.nik, member.status)
        kinds = [(k, v) for k, v in KINDS if direction == "setor" or k == "sukarela"]
        title = gettext("Setoran simpanan") if direction == "setor" else gettext("Penarikan simpanan sukarela")
        return self.render_template("savings/money_form.html", values=values, errors=errors, kinds=kinds,
                                    member_text=member_text, title=title, direction=direction,
                                    lookup_url=url_for("MemberView.lookup")), (422 if errors else 200)

    @expose("/setor", methods=["GET", "POST"])
    @has_access
    @permission_name("deposit")
    def deposit(self):
        return self._money_form("setor")

    @expose("/tarik", methods=["GET", "POST"])
    @has_access
    @permission_name("withdraw")
    def withdraw(self):
        return self._money_form("tarik")

    # -- reversal (koreksi) ----------------------------------------------------------------------------------------

    @expose("/batal/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reverse")
    def reverse(self, pk):
        """Batalkan (koreksi): the Pengurus reverses a transaction entered by mistake, with a reason."""
        session = self.datamodel.session
        tx = self.datamodel.get(pk, self._base_filters)
        if tx is None:
            abort(404)
        reversal, refused = commit_or_refuse(session, lambda: services.do_reverse_transaction(
            session, transaction=tx, reason=request.form.get("reason"), acting_user=g.user), url_for(".show", pk=pk))
        if refused:
            return refused
        flash(gettext("Transaksi %(o)s dibatalkan dengan kwitansi koreksi %(n)s.", o=tx.receipt_number,
                      n=reversal.receipt_number), "success")
        return redirect(url_for(".show", pk=reversal.id))

    # -- receipt ---------------------------------------------------------------------------------------------------

    @expose("/kwitansi/<int:pk>")
    @has_access
    @permission_name("show")
    def receipt(self, pk):
        tx = self.datamodel.get(pk, self._base_filters)
        if tx is None:
            abort(404)
        size = request.args.get("ukuran", "a5")
        if size not in RECEIPT_SIZES:
            size = "a5"
        from app.core.formatting import rupiah, tanggal
        session = self.datamodel.session
        # The balances of the receipt's own moment (never today's), and the print count: every opening of the
        # receipt counts as a print, and from the second on the same receipt is marked SALINAN. Switching the
        # paper size on the receipt page (ganti=1) is the same print.
        balances = services.balances_after(session, tx)
        prints = services.print_count(session, tx) if request.args.get("ganti") else 0
        if not prints:
            prints = services.record_print(session, tx)
        session.commit()
        html = self.render_template("savings/receipt.html", tx=tx, size=size, sizes=RECEIPT_SIZES,
                                    clerk=_clerk_name(self.datamodel.session, tx.created_by),
                                    words=terbilang_title(tx.amount), amount=rupiah(tx.amount),
                                    day=tanggal(tx.tx_date), balances=balances, copy=bool(prints and prints > 1))
        response = make_response(html)
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- passbook --------------------------------------------------------------------------------------------------

    def _member_or_404(self, member_id):
        from app.members.models import Member

        member = self.datamodel.session.get(Member, member_id)
        if member is None:
            abort(404)
        return member

    @expose("/buku/<int:member_id>")
    @has_access
    @permission_name("passbook")
    def passbook(self, member_id):
        member = self._member_or_404(member_id)
        session = self.datamodel.session
        self._ensure_bills(lambda: services.ensure_month_billed(session, member.cooperative))
        return self.render_template("savings/passbook.html", member=member,
                                    lines=services.passbook(session, member.id),
                                    balances=services.balances(session, member.id),
                                    prepaid=services.prepaid_wajib(session, member.id),
                                    arrears=services.arrears(session, member_id=member.id))

    def _ensure_bills(self, run):
        """The month's wajib bills are made by the first look at them (committed on their own, before the page
        reads them); a failure to make them never hides the page."""
        session = self.datamodel.session
        try:
            run()
            session.commit()
        except Exception:  # noqa: BLE001 - a page must still show; the next visit or the daily job retries
            session.rollback()
            current_app.logger.exception("wajib bills of the month could not be made")

    @expose("/buku/<int:member_id>/xlsx")
    @has_access
    @permission_name("passbook")
    def passbook_xlsx(self, member_id):
        from app.core.xlsx import write_xlsx

        member = self._member_or_404(member_id)
        lines = services.passbook(self.datamodel.session, member.id)
        headers = ["Tanggal", "Nomor kwitansi", "Jenis simpanan", "Setor/tarik", "Debit (tarik)", "Kredit (setor)",
                   "Saldo jenis ini", "Saldo total", "Keterangan"]
        rows = ([l.tx_date, l.receipt_number, str(l.kind), str(l.direction), l.debit, l.credit, l.kind_balance,
                 l.balance, l.note] for l in lines)
        title = f"Buku simpanan {member.member_number or ''} {member.name} - {member.cooperative.name}"
        path = write_xlsx(title, headers, rows, sheet_name="Buku simpanan")
        return _send_xlsx(path, f"buku-simpanan-{member.member_number or member.id}.xlsx")

    # -- arrears ---------------------------------------------------------------------------------------------------

    PAGE = 100

    @expose("/tunggakan")
    @has_access
    @permission_name("arrears")
    def arrears(self):
        try:
            page = max(0, int(request.args.get("page", 0)))
        except ValueError:
            page = 0
        self._ensure_bills(lambda: services.ensure_bills_for_scope(self.datamodel.session))
        session = self.datamodel.session
        coop_id = request.args.get("koperasi", "")
        coop_id = int(coop_id) if coop_id.isdigit() else None
        rows = services.arrears(session, cooperative_id=coop_id, limit=self.PAGE + 1, offset=page * self.PAGE)
        items = [(r, services.whatsapp_link(r.phone, r.name, r.cooperative_name, r.months, r.amount))
                 for r in rows[:self.PAGE]]
        sm = self.appbuilder.sm
        return self.render_template("savings/arrears.html", items=items, page=page,
                                    more=len(rows) > self.PAGE, months=MONTHS,
                                    totals=services.arrears_totals(session, cooperative_id=coop_id),
                                    coop_choices=picker_choices(session), coop_id=coop_id,
                                    can_deposit=sm.has_access("can_deposit", self.class_permission_name))

    @expose("/tunggakan/xlsx")
    @has_access
    @permission_name("arrears")
    def arrears_xlsx(self):
        from app.core.xlsx import write_xlsx

        coop_id = request.args.get("koperasi", "")
        rows = services.arrears(self.datamodel.session, cooperative_id=int(coop_id) if coop_id.isdigit() else None)
        headers = ["Koperasi", "Nomor anggota", "Nama", "Telepon", "Bulan tertunggak", "Jumlah tunggakan",
                   "Tunggakan sejak"]
        data = ([r.cooperative_name, r.member_number, r.name, r.phone, r.months, r.amount,
                 f"{month_name(r.oldest_month)} {r.oldest_year}"] for r in rows)
        path = write_xlsx("Tunggakan simpanan wajib", headers, data, sheet_name="Tunggakan")
        return _send_xlsx(path, "tunggakan-simpanan-wajib.xlsx")

    @expose("/tunggakan/pengingat", methods=["POST"])
    @has_access
    @permission_name("arrears")
    def arrears_reminders(self):
        """The reminders list (each member in arrears with the ready WhatsApp text) prepared as a job: the
        secretary downloads it from the job's page."""
        from .jobs import do_start_reminders

        session = self.datamodel.session
        coop_id = request.form.get("koperasi", "")
        coop_id = int(coop_id) if coop_id.isdigit() else None
        scope = current_scope(session)
        if coop_id is not None and not (scope.all or coop_id in scope.read_ids):
            coop_id = None  # never a job tied to a cooperative outside the user's area
        job = do_start_reminders(session, g.user, coop_id)
        flash(gettext("Daftar pengingat tunggakan sedang disiapkan."), "info")
        return redirect(url_for("JobView.show", pk=job.id))

    # -- import ----------------------------------------------------------------------------------------------------

    @expose("/templat.xlsx")
    @has_access
    @permission_name("import_xlsx")
    def import_template(self):
        from .imports import write_template

        return _send_xlsx(write_template(), "templat-setoran-simpanan.xlsx")

    @expose("/impor", methods=["GET", "POST"])
    @has_access
    @permission_name("import_xlsx")
    def import_xlsx(self):
        from app.core.xlsx_import import MAX_BYTES, MAX_ROWS

        from . import imports

        session = self.datamodel.session
        coop, coops = chosen_cooperative(session)
        result, refused, status = None, None, 200
        if request.method == "POST":
            upload = request.files.get("file")
            if coop is None:
                refused = gettext("Koperasi dengan kode kelurahan itu tidak ditemukan di wilayah Anda.")
            elif upload is None or not upload.filename:
                refused = gettext("Pilih berkas .xlsx untuk diunggah.")
            else:
                data = upload.stream.read(MAX_BYTES + 1)
                try:
                    from app.core.xlsx_import import refuse_unsafe

                    from .jobs import start_import_job

                    refuse_unsafe(upload.filename, data)
                    job = start_import_job(session, g.user, coop, upload.filename, data,
                                           len(imports.read_rows(data)))
                    if job is not None:
                        flash(gettext("Berkas besar: diperiksa dan diimpor di latar belakang. Hasilnya tampil di "
                                      "halaman ini."), "info")
                        return redirect(url_for("JobView.show", pk=job.id))
                    result = imports.import_deposits(session, coop, upload.filename, data, g.user)
                    if result.ok:
                        session.commit()
                except (DomainError, TenantScopeError) as e:
                    session.rollback()
                    refused = refusal_message(e)
                except IntegrityError:
                    session.rollback()
                    refused = gettext("Berkas yang sama persis sudah pernah diimpor ke koperasi ini.")
                except Exception:  # a damaged workbook must not become a 500
                    session.rollback()
                    refused = gettext("Berkas tidak dapat dibaca sebagai daftar setoran. Gunakan templat .xlsx.")
            if refused or (result is not None and not result.ok):
                status = 422
            elif result is not None:
                flash(gettext("%(n)d setoran diimpor.", n=result.created), "success")
                return redirect(url_for(".list"))
        return self.render_template("savings/import.html", coop=coop, coops=coops, result=result,
                                    refused=refused, max_mb=MAX_BYTES // (1024 * 1024), max_rows=MAX_ROWS), status

    # -- exit settlement -------------------------------------------------------------------------------------------

    @expose("/keluar/<int:member_id>", methods=["GET", "POST"])
    @has_access
    @permission_name("exit_settlement")
    def exit_settlement(self, member_id):
        member = self._member_or_404(member_id)
        session = self.datamodel.session
        values = {k: (request.form.get(k) or "").strip() for k in ("settle_date", "loss_share", "note")}
        values["settle_date"] = values["settle_date"] or tanggal(local_today(member.cooperative))
        errors = {}
        if request.method == "POST":
            day = parse_date(values["settle_date"])
            if day is None:
                errors["settle_date"] = date_error(gettext("Tanggal"))
            else:
                try:
                    services.do_exit_settlement(session, member=member, settle_date=day,
                                                loss_share=values["loss_share"] or None, note=values["note"],
                                                acting_user=g.user)
                    session.commit()
                    flash(gettext("Simpanan anggota keluar telah diselesaikan."), "success")
                    return redirect(url_for(".passbook", member_id=member_id))
                except (DomainError, TenantScopeError) as e:
                    session.rollback()
                    field = getattr(e, "field", None)
                    errors["loss_share" if field == "loss_share" else "settle_date" if field in (
                        "tx_date", "entry_date") else "general"] = refusal_message(e)
        return self.render_template("savings/exit_form.html", member=member, values=values, errors=errors,
                                    balances=services.balances(session, member.id)), (422 if errors else 200)


class ExitSettlementView(KkmpModelView):
    """Pelunasan anggota keluar: the exit settlements, read-only (written only by the settlement form)."""

    datamodel = KkmpInterface(ExitSettlement)
    class_permission_name = "ExitSettlement"
    route_base = "/simpanan/pelunasan-keluar"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv"}
    list_title = _l("Pelunasan anggota keluar")
    show_title = _l("Pelunasan anggota keluar")
    list_columns = ["cooperative", "member", "settle_date", "pokok", "wajib", "loss_share", "paid_out",
                    "journal_number"]
    show_columns = list_columns + ["note", "created_by"]
    search_columns = ["settle_date", "paid_out"]
    order_columns = ["settle_date", "paid_out"]
    base_order = ("settle_date", "desc")
    label_columns = _LABELS
    # Read-only, but FAB builds its add and edit forms from every mapped column at start-up, and the journal
    # number's subquery (ExitSettlement.journal_number_read) is no form field.
    add_exclude_columns = edit_exclude_columns = ["journal_number_read"]
