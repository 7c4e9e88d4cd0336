"""SHU and RAT screens: the rules, the worksheet of a closed year (compute, distribute), the member SHU list (keyset
pages, xlsx), member payments and the SHU slip (A5, 80 mm, 58 mm), the RAT record and its package (printable page
and one workbook), and the RAT status list the Lurah, Camat and Sudin read with overdue flags.

Thin views: every change goes through ``services`` and commits once. The cooperative is looked up through the scoped
session, so a cooperative outside the user's area is a 404 like a missing one.
"""
import os

from flask import abort, flash, g, make_response, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.core.dates import local_today, parse_date
from app.core.errors import DomainError, refusal_message
from app.core.formatting import rupiah, tanggal
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError
from app.core.views import KkmpModelView
from app.extensions import db

from . import services
from .models import (ALLOCATION_KINDS, BALANCE_BASES, JM_BASES, LEAVER_RULES, PAYMENT_METHODS, RAT_ORDER,
                     RatMeeting, ShuMemberShare, ShuRule, ShuWorksheet)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SLIP_SIZES = {"a5": "A5", "80": "80 mm", "58": "58 mm"}
PAGE = 50
REFUSALS = (DomainError, TenantScopeError)


def _send_xlsx(path, name):
    response = send_file(path, as_attachment=True, download_name=name, mimetype=XLSX)
    response.call_on_close(lambda: os.remove(path))
    return response


def _coop_or_404(coop_id):
    coop = db.session.execute(select(Cooperative).where(Cooperative.id == coop_id)).scalar()
    if coop is None:
        abort(404)
    return coop


_LABELS = {"cooperative": _l("Koperasi"), "year": _l("Tahun buku"), "allocation_text": _l("Pembagian"),
           "jm_basis_label": _l("Dasar jasa modal"), "balance_basis_label": _l("Dasar saldo"),
           "leaver_rule_label": _l("Anggota keluar"), "quorum_percent": _l("Kuorum RAT (%)"),
           "decision_ref": _l("Nomor keputusan RAT"), "decided_on": _l("Tanggal keputusan"),
           "copied_from_year": _l("Disalin dari tahun"), "status_label": _l("Status"),
           "planned_date": _l("Rencana tanggal RAT"), "held_date": _l("Tanggal RAT"),
           "deadline": _l("Batas waktu"), "overdue_label": _l("Terlambat"), "attendance": _l("Jumlah hadir"),
           "members_total": _l("Jumlah anggota"), "reported_on": _l("Dilaporkan tanggal"),
           "verified_on": _l("Diverifikasi tanggal"), "verified_by": _l("Diverifikasi oleh"),
           "chair_name": _l("Pimpinan rapat"), "minutes_taker": _l("Notulis"), "minutes": _l("Notulen")}


class ShuRuleView(KkmpModelView):
    """Aturan pembagian SHU per cooperative and fiscal year (read here; set on the worksheet page's rule form)."""

    datamodel = KkmpInterface(ShuRule)
    class_permission_name = "ShuRule"
    route_base = "/shu/aturan"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv"}
    list_title = _l("Aturan pembagian SHU")
    show_title = _l("Aturan pembagian SHU")
    # The split itself is on the show page: in the list it cost one query per rule (at most 8 SQL per page)
    list_columns = ["cooperative", "year", "jm_basis_label", "balance_basis_label", "leaver_rule_label",
                    "decision_ref"]
    show_columns = ["cooperative", "year", "allocation_text", "jm_basis_label", "balance_basis_label",
                    "leaver_rule_label", "decision_ref", "quorum_percent", "decided_on", "copied_from_year"]
    search_columns = ["year", "decision_ref"]
    order_columns = ["year"]
    base_order = ("year", "desc")
    label_columns = _LABELS


class RatMeetingView(KkmpModelView):
    """RAT per cooperative and fiscal year: status, legal deadline, overdue flag (Lurah, Camat, Sudin read)."""

    datamodel = KkmpInterface(RatMeeting)
    class_permission_name = "RatMeeting"
    route_base = "/rat"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv"}
    list_title = _l("Rapat Anggota Tahunan (RAT)")
    show_title = _l("Rapat Anggota Tahunan (RAT)")
    list_columns = ["cooperative", "year", "status_label", "planned_date", "held_date", "deadline", "overdue_label",
                    "attendance", "members_total", "verified_on"]
    show_columns = list_columns + ["decision_ref", "chair_name", "minutes_taker", "minutes", "reported_on",
                                   "verified_by"]
    search_columns = ["year", "status", "held_date"]
    order_columns = ["year", "held_date"]
    base_order = ("year", "desc")
    label_columns = _LABELS
    # the deadline is a property: formatted here, the stored dates by the base view
    formatters_columns = {"deadline": tanggal}


class ShuView(BaseView):
    """/shu/: the closed years of the cooperatives in scope, and per cooperative and year the worksheet."""

    route_base = "/shu"
    class_permission_name = "Shu"
    default_view = "index"

    def _can(self, perm):
        return self.appbuilder.sm.has_access(f"can_{perm}", self.class_permission_name)

    def _done(self, action, back):
        try:
            result = action()
            db.session.commit()
            return result, None
        except REFUSALS as e:
            db.session.rollback()
            flash(refusal_message(e), "danger")
            return None, redirect(back)

    # -- overview -------------------------------------------------------------------------------------------------

    @expose("/")
    @has_access
    @permission_name("read")
    def index(self):
        from app.ledger.models import LedgerYear

        session = db.session
        years = session.execute(select(LedgerYear, Cooperative).join(Cooperative, Cooperative.id ==
                                                                     LedgerYear.cooperative_id)
                                .order_by(LedgerYear.year.desc(), Cooperative.name).limit(500)).all()
        sheets = {(w.cooperative_id, w.year): w for w in session.execute(select(ShuWorksheet)).scalars()}
        rats = {(r.cooperative_id, r.year): r for r in session.execute(select(RatMeeting)).scalars()}
        rows = [(coop, ly, sheets.get((coop.id, ly.year)), rats.get((coop.id, ly.year))) for ly, coop in years]
        return self.render_template("shu/index.html", rows=rows)

    # -- worksheet ------------------------------------------------------------------------------------------------

    @expose("/<int:coop_id>/<int:year>")
    @has_access
    @permission_name("read")
    def worksheet(self, coop_id, year):
        coop = _coop_or_404(coop_id)
        session = db.session
        ws = services.worksheet_for(session, coop.id, year)
        rule = services.rule_for(session, coop.id, year)
        rat = services.rat_for(session, coop.id, year)
        closed = services.closed_year(session, coop.id, year)
        return self.render_template("shu/worksheet.html", coop=coop, year=year, ws=ws, rule=rule, rat=rat,
                                    closed=closed, today=local_today(coop),
                                    quorum=services.quorum(session, rat) if rat else None,
                                    can_compute=self._can("compute"), can_distribute=self._can("distribute"),
                                    can_rule=self._can("rule"), can_rat=self._can("rat"),
                                    can_verify=self._can("verify"), rat_order=RAT_ORDER)

    @expose("/<int:coop_id>/<int:year>/hitung", methods=["POST"])
    @has_access
    @permission_name("compute")
    def compute(self, coop_id, year):
        coop = _coop_or_404(coop_id)
        back = url_for(".worksheet", coop_id=coop.id, year=year)
        from .jobs import start_compute_job

        job = start_compute_job(db.session, g.user, coop, year)
        if job is not None:  # a big cooperative: computed in the background, its page shows how it went
            flash(gettext("SHU tahun buku %(y)s sedang dihitung di latar belakang.", y=year), "info")
            return redirect(url_for("JobView.show", pk=job.id))
        ws, refused = self._done(lambda: services.do_compute_worksheet(
            db.session, cooperative_id=coop.id, year=year, acting_user=g.user), back)
        if refused:
            return refused
        flash(gettext("Kertas kerja SHU tahun buku %(y)s dihitung: %(n)s anggota.", y=year, n=ws.member_count),
              "success")
        return redirect(back)

    @expose("/<int:coop_id>/<int:year>/bagikan", methods=["POST"])
    @has_access
    @permission_name("distribute")
    def distribute(self, coop_id, year):
        coop = _coop_or_404(coop_id)
        back = url_for(".worksheet", coop_id=coop.id, year=year)
        ws, refused = self._done(lambda: services.do_distribute(
            db.session, cooperative_id=coop.id, year=year, acting_user=g.user), back)
        if refused:
            return refused
        flash(gettext("Pembagian SHU tahun buku %(y)s diposting.", y=year), "success")
        return redirect(back)

    # -- rule form ------------------------------------------------------------------------------------------------

    @expose("/<int:coop_id>/<int:year>/aturan", methods=["GET", "POST"])
    @has_access
    @permission_name("rule")
    def rule_form(self, coop_id, year):
        coop = _coop_or_404(coop_id)
        session = db.session
        rule = services.rule_for(session, coop.id, year) or services.previous_rule(session, coop.id, year)
        errors = {}
        if request.method == "POST":
            f = request.form
            parts = [(kind, f.get(f"name_{kind}") if kind == "lain" else None, f.get(f"pct_{kind}", ""))
                     for kind, _label in ALLOCATION_KINDS if kind != "lain"]
            for i in range(3):
                if (f.get(f"lain_name_{i}") or "").strip() or (f.get(f"lain_pct_{i}") or "").strip():
                    parts.append(("lain", f.get(f"lain_name_{i}"), f.get(f"lain_pct_{i}")))
            decided = parse_date(f.get("decided_on")) if (f.get("decided_on") or "").strip() else None
            try:
                services.do_set_rule(session, cooperative_id=coop.id, year=year, acting_user=g.user,
                                     allocations=parts, jm_basis=f.get("jm_basis"),
                                     balance_basis=f.get("balance_basis"), leaver_rule=f.get("leaver_rule"),
                                     quorum_percent=f.get("quorum_percent"), decision_ref=f.get("decision_ref"),
                                     decided_on=decided,
                                     copied_from_year=rule.year if rule is not None and rule.year != year else None)
                session.commit()
                flash(gettext("Aturan pembagian SHU tahun buku %(y)s disimpan.", y=year), "success")
                return redirect(url_for(".worksheet", coop_id=coop.id, year=year))
            except REFUSALS as e:
                session.rollback()
                errors["form"] = refusal_message(e)
            values = dict(f)
        else:
            values = _rule_values(rule)
        return self.render_template("shu/rule_form.html", coop=coop, year=year, values=values, errors=errors,
                                    kinds=[k for k in ALLOCATION_KINDS if k[0] != "lain"], jm_bases=JM_BASES,
                                    balance_bases=BALANCE_BASES, leaver_rules=LEAVER_RULES,
                                    copied=rule is not None and rule.year != year and rule.year)

    # -- members --------------------------------------------------------------------------------------------------

    @expose("/<int:coop_id>/<int:year>/anggota")
    @has_access
    @permission_name("read")
    def members(self, coop_id, year):
        coop = _coop_or_404(coop_id)
        session = db.session
        ws = services.worksheet_for(session, coop.id, year, lean=True)
        if ws is None:
            abort(404)
        unpaid = request.args.get("belum") == "1"
        after = request.args.get("after", "")
        before = request.args.get("before", "")
        if before.isdigit():
            items = services.share_page(session, ws, before_id=int(before), limit=PAGE + 1, unpaid_only=unpaid)
            has_prev, items = len(items) > PAGE, items[-PAGE:]
            has_next = True
        else:
            items = services.share_page(session, ws, after_id=int(after) if after.isdigit() else None,
                                        limit=PAGE + 1, unpaid_only=unpaid)
            has_next, items = len(items) > PAGE, items[:PAGE]
            has_prev = after.isdigit()
        return self.render_template("shu/members.html", coop=coop, year=year, ws=ws, items=items, unpaid=unpaid,
                                    has_prev=has_prev and bool(items), has_next=has_next and bool(items),
                                    can_pay=ws.status == "dibagikan" and self._can("pay"), methods=PAYMENT_METHODS,
                                    today=local_today(coop))

    @expose("/<int:coop_id>/<int:year>/anggota.xlsx")
    @has_access
    @permission_name("read")
    def members_xlsx(self, coop_id, year):
        from .exports import members_xlsx

        coop = _coop_or_404(coop_id)
        ws = services.worksheet_for(db.session, coop.id, year)
        if ws is None:
            abort(404)
        return _send_xlsx(members_xlsx(db.session, coop, ws), f"shu-anggota-{coop.region_code}-{year}.xlsx")

    @expose("/bayar/<int:share_id>", methods=["POST"])
    @has_access
    @permission_name("pay")
    def pay(self, share_id):
        share = db.session.execute(select(ShuMemberShare).where(ShuMemberShare.id == share_id)).scalar()
        if share is None:
            abort(404)
        ws = share.worksheet
        back = url_for(".members", coop_id=ws.cooperative_id, year=ws.year, belum=1)
        day = parse_date(request.form.get("pay_date")) or local_today(share.cooperative)
        paid, refused = self._done(lambda: services.do_pay_share(
            db.session, share=share.id, method=request.form.get("method"), pay_date=day, acting_user=g.user), back)
        if refused:
            return refused
        flash(gettext("SHU %(n)s dibayarkan (%(r)s).", n=paid.member.name, r=paid.receipt_number), "success")
        return redirect(url_for(".slip", share_id=paid.id))

    @expose("/slip/<int:share_id>")
    @has_access
    @permission_name("read")
    def slip(self, share_id):
        from app.savings.terbilang import terbilang_title

        share = db.session.execute(select(ShuMemberShare).where(ShuMemberShare.id == share_id)).scalar()
        if share is None:
            abort(404)
        size = request.args.get("ukuran", "a5")
        size = size if size in SLIP_SIZES else "a5"
        html = self.render_template("shu/slip.html", share=share, ws=share.worksheet, size=size, sizes=SLIP_SIZES,
                                    amount=rupiah(share.total_rounded), words=terbilang_title(share.total_rounded),
                                    day=tanggal(share.paid_on) if share.paid_on else "")
        response = make_response(html)
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- RAT ------------------------------------------------------------------------------------------------------

    @expose("/<int:coop_id>/<int:year>/rat")
    @has_access
    @permission_name("read")
    def rat_package(self, coop_id, year):
        from .exports import statements_of

        coop = _coop_or_404(coop_id)
        session = db.session
        rat = services.rat_for(session, coop.id, year)
        errors = {}
        if request.method == "POST":
            if not self._can("rat"):
                abort(403)
            f = request.form
            fields = {name: f.get(name) for name in ("decision_ref", "chair_name", "minutes_taker", "minutes")}
            for name in ("planned_date", "held_date"):
                raw = (f.get(name) or "").strip()
                fields[name] = parse_date(raw) if raw else None
                if raw and fields[name] is None:
                    errors[name] = gettext("Tanggal tidak valid (dd/mm/yyyy).")
            for name in ("members_total", "attendance"):
                raw = (f.get(name) or "").strip()
                fields[name] = int(raw) if raw.isdigit() else None
                if raw and not raw.isdigit():
                    errors[name] = gettext("Jumlah harus bilangan bulat, tidak negatif.")
            if not errors:
                try:
                    rat = services.do_save_rat(session, cooperative_id=coop.id, year=year, acting_user=g.user,
                                               **fields)
                    if f.get("rapb") == "1":
                        services.do_prepare_rapb(session, rat=rat, acting_user=g.user)
                    session.commit()
                    flash(gettext("Data RAT disimpan."), "success")
                    return redirect(url_for(".rat_package", coop_id=coop.id, year=year))
                except REFUSALS as e:
                    session.rollback()
                    errors["form"] = refusal_message(e)
            rat = services.rat_for(session, coop.id, year)
        ws = services.worksheet_for(session, coop.id, year)
        closed = services.closed_year(session, coop.id, year)
        from .models import RapbLine

        rapb = session.execute(select(RapbLine).where(RapbLine.rat_id == rat.id).order_by(RapbLine.account_code)
                               ).scalars().all() if rat else []
        # the printed package lists every member with the SHU and every member on the attendance list
        shares = services.share_page(session, ws, raw=True) if ws else []
        return self.render_template("shu/rat.html", coop=coop, year=year, rat=rat, ws=ws, closed=closed,
                                    rule=services.rule_for(session, coop.id, year),
                                    reports=statements_of(session, coop, year) if closed else [],
                                    quorum=services.quorum(session, rat) if rat else None, rapb=rapb,
                                    shares=shares, attendance=services.attendance_list(session, coop.id),
                                    errors=errors, can_rat=self._can("rat"),
                                    can_verify=self._can("verify"), form=request.form)

    @expose("/<int:coop_id>/<int:year>/rat.xlsx")
    @has_access
    @permission_name("read")
    def rat_xlsx(self, coop_id, year):
        from .exports import rat_package_xlsx

        coop = _coop_or_404(coop_id)
        session = db.session
        rat = services.rat_for(session, coop.id, year)
        path = rat_package_xlsx(session, coop, year, services.worksheet_for(session, coop.id, year), rat,
                                services.rule_for(session, coop.id, year),
                                services.quorum(session, rat) if rat else (None, None, False))
        return _send_xlsx(path, f"paket-rat-{coop.region_code}-{year}.xlsx")

    @expose("/rat/<int:rat_id>/status", methods=["POST"])
    @has_access
    @permission_name("rat")
    def rat_status(self, rat_id):
        """Held / reported (Pengurus)."""
        to = request.form.get("to")
        if to == "diverifikasi":
            abort(403)
        return self._advance(rat_id, to)

    @expose("/rat/<int:rat_id>/verifikasi", methods=["POST"])
    @has_access
    @permission_name("verify")
    def rat_verify(self, rat_id):
        """Verified (Sudin)."""
        return self._advance(rat_id, "diverifikasi")

    @expose("/<int:coop_id>/<int:year>/rat/simpan", methods=["POST"])
    @has_access
    @permission_name("rat")
    def rat_save(self, coop_id, year):
        return self.rat_package(coop_id, year)

    def _advance(self, rat_id, to):
        rat = db.session.execute(select(RatMeeting).where(RatMeeting.id == rat_id)).scalar()
        if rat is None:
            abort(404)
        back = url_for(".rat_package", coop_id=rat.cooperative_id, year=rat.year)
        done, refused = self._done(lambda: services.do_advance_rat(db.session, rat=rat, to_status=to,
                                                                   acting_user=g.user), back)
        if refused:
            return refused
        flash(gettext("Status RAT: %(s)s.", s=done.status_label), "success")
        return redirect(back)


def _rule_values(rule):
    values = {"jm_basis": "pokok_wajib", "balance_basis": "akhir_tahun", "leaver_rule": "sampai_keluar",
              "quorum_percent": "50.00"}
    split = services.DEFAULT_SPLIT if rule is None else [(a.kind, a.percent) for a in rule.allocations
                                                            if a.kind != "lain"]
    for kind, pct in split:
        values[f"pct_{kind}"] = str(pct)
    if rule is not None:
        values.update(jm_basis=rule.jm_basis, balance_basis=rule.balance_basis, leaver_rule=rule.leaver_rule,
                      quorum_percent=str(rule.quorum_percent), decision_ref=rule.decision_ref or "")
        for i, a in enumerate([a for a in rule.allocations if a.kind == "lain"][:3]):
            values[f"lain_name_{i}"], values[f"lain_pct_{i}"] = a.name, str(a.percent)
    return values
