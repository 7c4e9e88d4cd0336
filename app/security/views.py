"""User administration: Admin manages everyone, a Sudin the users of their own city (checked on the server)."""
from flask import abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterInFunction
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_appbuilder.security.forms import ResetPasswordForm
from flask_appbuilder.security.views import UserDBModelView
from flask_appbuilder.widgets import FormWidget
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, not_, or_, select
from wtforms import StringField
from wtforms.validators import DataRequired, Optional

from markupsafe import Markup, escape

from app.core.errors import DomainError
from app.core.formatting import tanggal, yes_no
from app.extensions import db

from . import services
from .roles import GRANTABLE_BY_SUDIN, ROLE_NAMES


def _acting_roles():
    return {r.name for r in g.user.roles}


def _is_admin():
    return current_app.config["AUTH_ROLE_ADMIN"] in _acting_roles()


class UserScopeFilter(BaseFilter):
    """Admin sees every user; a Sudin the Camat, Lurah, Pengurus and Sekretaris of their city; others themselves."""

    name = "scope"
    arg_name = None

    def apply(self, query, value):
        from app.cooperatives.models import Cooperative
        from app.core.scope import unscoped

        model = self.datamodel.obj
        user = g.user
        if _is_admin():
            return query
        if "Sudin" in _acting_roles() and user.scope_region_code:
            city = user.scope_region_code
            coop_ids = list(db.session.execute(select(Cooperative.id).where(Cooperative.city_code == city),
                                               execution_options=unscoped()).scalars())
            protected = select(model.id).join(model.roles).where(
                model.roles.property.mapper.class_.name.in_([current_app.config["AUTH_ROLE_ADMIN"], "Sudin"]))
            in_city = or_(model.scope_region_code == city, model.scope_region_code.like(city + ".%"),
                          model.scope_cooperative_id.in_(coop_ids) if coop_ids else false())
            return query.filter(or_(model.id == user.id, and_(in_city, not_(model.id.in_(protected)))))
        return query.filter(model.id == user.id)


class RegionPickerWidget:
    """The scope field as a searchable picker (select2 over ``/users/wilayah``, app/static/js/kkmp-select2.js):
    a Sudin chooses among the regions of their own city instead of typing 31.73.05.1002. It posts the code,
    as the text field did; the server checks the grant whatever is posted."""

    def __call__(self, field, **kwargs):
        value = field.data or ""
        option = (f'<option value="{escape(value)}" selected>{escape(value)}</option>' if value
                  else '<option value=""></option>')
        return Markup(
            '<select class="form-control kkmp-region-picker" id="{id}" name="{name}" data-lookup="{url}" '
            'data-placeholder="{ph}">{option}</select>').format(
                id=field.id, name=field.name, url=url_for("KkmpUserView.scope_lookup"),
                ph=gettext("Ketik nama atau kode wilayah"), option=Markup(option))


def _roles_text(roles):
    return ", ".join(r.name for r in roles or ())


def grantable_roles():
    return list(ROLE_NAMES) if _is_admin() else list(GRANTABLE_BY_SUDIN)


class KkmpUserView(UserDBModelView):
    class_permission_name = "UserDBModelView"
    base_filters = [["id", UserScopeFilter, None]]
    list_columns = ["first_name", "last_name", "username", "active", "roles", "scope_label"]
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "active", "roles", "scope_label", "login_count"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
        (_l("Audit Info"), {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"],
                            "expanded": False}),
    ]
    search_columns = ["first_name", "last_name", "username", "email", "active"]
    # Columns only: FAB's default also offered the scope_label property, and sorting by it was a server error.
    order_columns = ["first_name", "last_name", "username", "active"]
    # Groups would let whoever edits them grant roles indirectly: not offered here.
    add_columns = ["first_name", "last_name", "username", "active", "email", "roles", "scope_code", "password",
                   "conf_password"]
    edit_columns = ["first_name", "last_name", "username", "active", "email", "roles", "scope_code"]
    add_form_query_rel_fields = {"roles": [["name", FilterInFunction, grantable_roles]]}
    edit_form_query_rel_fields = {"roles": [["name", FilterInFunction, grantable_roles]]}
    _scope_field = StringField(
        _l("Scope"), widget=RegionPickerWidget(), validators=[Optional()],
        description=_l("Region code (Sudin 31.73, Camat 31.73.05, Lurah 31.73.05.1001) or, for Pengurus and "
                       "Sekretaris, the kelurahan code of their cooperative."))
    # FAB's own help texts speak of DB, LDAP and OID authentication, which mean nothing to a Sudin.
    description_columns = {
        "username": _l("Nama untuk masuk (login); huruf kecil, tanpa spasi, contoh sekretaris.kebonjeruk."),
        "active": _l("Jangan menghapus pengguna: nonaktifkan saja bila tidak bertugas lagi."),
        "roles": _l("Satu peran: menentukan apa yang boleh dilakukan pengguna ini."),
    }
    # Ya/Tidak, role names and the scope's own name instead of True, [Sudin] and koperasi #1.
    formatters_columns = {"active": yes_no, "roles": _roles_text, "last_login": tanggal, "created_on": tanggal,
                          "changed_on": tanggal}
    add_form_extra_fields = dict(UserDBModelView.add_form_extra_fields, scope_code=_scope_field)
    edit_form_extra_fields = {"scope_code": _scope_field}
    label_columns = dict(UserDBModelView.label_columns, scope_label=_l("Scope"), scope_code=_l("Scope"))
    # FAB's roles-or-groups validator reads a groups field this form does not have.
    validators_columns = {"roles": [DataRequired()]}

    @expose("/wilayah")
    @has_access
    @permission_name("list")
    def scope_lookup(self):
        """GET /users/wilayah?q=...&page=... -> {"results": [{id, text}], "pagination": {"more"}} for the scope
        picker; only regions the acting user may grant (services.scope_region_choices)."""
        try:
            page = int(request.args.get("page", 1))
        except ValueError:
            page = 1
        items, more = services.scope_region_choices(g.user, request.args.get("q", ""), page)
        response = jsonify({"results": [{"id": code, "text": text} for code, text in items],
                            "pagination": {"more": more}})
        response.headers["Cache-Control"] = "no-store"
        return response

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None:
            form.scope_code.data = services.scope_code_of(item)

    def _apply_scope(self, item, existing_roles=None):
        """Check the grant on the server and store the scope; refusals roll back and become a message."""
        role_names = [r.name for r in item.roles]
        try:
            region_code, coop_id = services.resolve_scope(role_names[0] if len(role_names) == 1 else None,
                                                          getattr(item, "scope_code", None))
            target = _Snapshot(existing_roles) if existing_roles is not None else None
            services.check_grant(g.user, role_names, region_code, coop_id, target=target)
        except DomainError as e:
            db.session.rollback()
            raise DomainError(str(e)) from None
        item.scope_region_code = region_code
        item.scope_cooperative_id = coop_id

    def pre_add(self, item):
        from .passwords import check_password

        try:
            check_password(item.password, item.username)
        except DomainError:
            db.session.rollback()
            raise
        self._apply_scope(item)
        super().pre_add(item)

    def pre_update(self, item):
        from sqlalchemy import inspect

        hist = inspect(item).attrs.roles.history
        before = [r.name for r in list(hist.deleted or ()) + list(hist.unchanged or ())]
        self._apply_scope(item, existing_roles=before)
        if item.id == g.user.id and not _is_admin():
            db.session.rollback()
            raise DomainError(gettext("You cannot change your own role or scope."))
        super().pre_update(item)

    def pre_delete(self, item):
        if not _is_admin():
            raise DomainError(gettext("Deactivate the user instead of deleting it."))

    # FAB's own action sends to ResetPasswordView, which resets *any* user by ?pk=; ours stays inside the filter.
    # From a show page it opens the form for that user; from the list, with several users ticked, it gives each a
    # new random password at once (services.do_reset_passwords) and shows them once. FAB loads the ticked rows
    # without the view's filter, so they are looked up again through it: a row out of reach answers 404.
    @action("resetpasswords", _l("Reset Password"),
            _l("Reset the password of the selected users? Each gets a new password and is signed out everywhere."),
            "fa-lock")
    def resetpasswords(self, items):
        if not isinstance(items, list):
            if items is None or self.datamodel.get(items.id, self._base_filters) is None:
                abort(404)
            return redirect(url_for(".reset_password", pk=items.id))
        ids = []
        for item in items:
            if item is None or self.datamodel.get(item.id, self._base_filters) is None:
                abort(404)
            ids.append(item.id)
        try:
            issued = services.do_reset_passwords(g.user, ids)
        except DomainError as e:
            flash(str(e), "danger")
            return redirect(url_for(".list"))
        return self.render_template("kkmp/reset_passwords_done.html", issued=issued,
                                    title=gettext("New passwords"), appbuilder=self.appbuilder)

    @expose("/reset-password/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("resetpasswords")
    def reset_password(self, pk):
        from .passwords import check_password

        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        if not _is_admin() and ({r.name for r in item.roles} & {"Admin", "Sudin"}):
            abort(404)
        form = ResetPasswordForm()
        if request.method == "POST" and form.validate():
            try:
                check_password(form.password.data, item.username)
            except DomainError as e:
                form.password.errors = list(form.password.errors) + [str(e)]
            else:
                self.appbuilder.sm.reset_password(item.id, form.password.data)
                flash(gettext("Password of %(user)s changed.", user=item.username), "success")
                return redirect(url_for(".show", pk=item.id))
        widget = FormWidget(form=form, include_cols=["password", "conf_password"])
        return self.render_template("appbuilder/general/model/edit.html",
                                    title=gettext("Reset password of %(user)s", user=item.username),
                                    widgets={"edit": widget}, appbuilder=self.appbuilder)


class _Snapshot:
    """The target user's roles as they were before this edit (the form has already replaced them)."""

    def __init__(self, role_names):
        self.roles = [type("R", (), {"name": n})() for n in role_names]
