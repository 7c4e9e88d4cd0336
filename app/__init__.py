"""The KKMP back-office application factory."""
import logging
import os

from flask import Flask


def create_app(config_name=None, **overrides):
    """Build the app in explicit steps: config, database, security, views, CLI.

    :param config_name: ``development``, ``test`` or ``production``; defaults to ``$KKMP_ENV`` or development.
    :param overrides: config values that win over the class (tests use this).
    """
    from config import config_for

    app = Flask(__name__, instance_path=os.path.join(os.path.dirname(os.path.dirname(__file__)), "instance"))
    app.config.from_object(config_for(config_name))
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)

    from app import models  # noqa: F401  (map every model before anything queries)
    from app.security.roles import fab_roles

    # The Public role (anonymous visitors) is declared in code with no rights, like the other builtin roles: the
    # role screen cannot open a page or an API to anonymous visitors, and FAB's "is this public?" question, asked
    # before every API call, is answered in memory instead of by a query per request.
    app.config["FAB_ROLES"] = {**fab_roles(), app.config["AUTH_ROLE_PUBLIC"]: []}
    _configure_logging(app)

    from .core.error_pages import install as install_error_pages
    from .core.formatting import register_template_filters
    from .core.list_rows import register as register_list_rows
    from .core.i18n import install as install_i18n
    from .core.navbar import register as register_navbar
    from .core.audit import install as install_audit
    from .core.scope import install as install_scope
    from .core.security_log import install as install_security_log
    from .extensions import appbuilder, csrf, db, migrate
    from .security.api_answers import install as install_api_answers
    from .security.hardening import init_hardening

    with app.app_context():
        db.init_app(app)
        _configure_sqlite(app, db)
        # CSRFProtect before AppBuilder, so that FAB exempts its API blueprints (fab-notes §0.5).
        csrf.init_app(app)
        migrate.init_app(app, db, render_as_batch=True, directory=os.path.join(app.root_path, "..", "migrations"))
        appbuilder.init_app(app, db.session)
        install_i18n(app)
        install_scope(db.session)
        install_audit(db.session)
        install_security_log(app)
        init_hardening(app, appbuilder)
        install_api_answers(app, appbuilder)
        register_template_filters(app)
        register_navbar(app)
        register_list_rows(app)
        register_views(appbuilder)
        install_error_pages(app)

    from .cli import kkmp_cli

    app.cli.add_command(kkmp_cli)
    return app


def register_views(appbuilder):
    """Every menu, view and API in one place. Menu names stay English and stable (they are permission names);
    what users read comes from ``label``."""
    from flask_babel import lazy_gettext as _l

    from .core.audit_views import AuditEventView, SecurityEventView
    from .cooperatives.api import CooperativeApi
    from .cooperatives.views import BusinessUnitView, CooperativeView, OrganMemberView
    from .regions.api import RegionApi
    from .regions.views import RegionView

    appbuilder.add_view(CooperativeView, "Koperasi", label=_l("Koperasi"), icon="fa-building",
                        category="Registri", category_label=_l("Registri"))
    appbuilder.add_view(BusinessUnitView, "Unit Usaha", label=_l("Unit usaha"), icon="fa-store",
                        category="Registri")
    appbuilder.add_view(OrganMemberView, "Pengurus & Pengawas", label=_l("Pengurus & pengawas"), icon="fa-users",
                        category="Registri")
    appbuilder.add_view(RegionView, "Daftar Wilayah", label=_l("Daftar wilayah"), icon="fa-map",
                        category="Wilayah", category_label=_l("Wilayah"))
    appbuilder.add_view(AuditEventView, "Log Audit", label=_l("Log audit"), icon="fa-history",
                        category="Pengawasan", category_label=_l("Pengawasan"))
    appbuilder.add_view(SecurityEventView, "Log Keamanan", label=_l("Log keamanan"), icon="fa-shield-alt",
                        category="Pengawasan")
    appbuilder.add_api(CooperativeApi)
    appbuilder.add_api(RegionApi)
    from . import inventory, jobs, ledger, members, oversight, panduan, pupuk, savings, shu

    members.register(appbuilder)
    savings.register(appbuilder)
    ledger.register(appbuilder)
    shu.register(appbuilder)
    inventory.register(appbuilder)
    pupuk.register(appbuilder)
    oversight.register(appbuilder)
    panduan.register(appbuilder)
    jobs.register(appbuilder)


def _configure_sqlite(app, db):
    """File SQLite: WAL for concurrent readers, a busy timeout instead of instant 'database is locked'."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    @event.listens_for(db.engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


def _configure_logging(app):
    """INFO by default (production, gunicorn); ``KKMP_LOG_LEVEL=WARNING`` (what ``make run`` sets) keeps a
    newcomer's terminal to what a person reads: no audit line per seeded row, no FAB permission sync chatter
    (its routine "refused to delete permission view" warnings included), no line per request."""
    if app.debug or app.testing:
        return
    level = getattr(logging, os.environ.get("KKMP_LOG_LEVEL", "INFO").upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level > logging.INFO:
        logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
        logging.getLogger("werkzeug").setLevel(level)
