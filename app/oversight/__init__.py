"""Oversight (issue 18): the monthly review chain lurah -> camat -> Sudin, the home page per role with its figure
registry (``home.register_figure``), and the dashboard API. register() adds its views and APIs."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
    from flask import Blueprint, current_app
    from flask_babel import lazy_gettext as _l

    from app.ledger import services as ledger_services

    from . import services, tables  # noqa: F401  (tables: the home tables register themselves on import)
    from .api import DashboardApi, MonthlyReportApi
    from .home_views import HomeDetailView, render_home, waiting_label
    from .views import MonthlyReportView

    app = current_app._get_current_object()
    if "oversight_templates" not in app.blueprints:
        app.register_blueprint(Blueprint("oversight_templates", __name__, template_folder="templates"))
    app.extensions["kkmp_home"] = render_home
    if services.reset_on_reopen not in ledger_services.REOPEN_HOOKS:
        ledger_services.REOPEN_HOOKS.append(services.reset_on_reopen)
    appbuilder.add_view(MonthlyReportView, "Laporan Bulanan", label=_l("Laporan bulanan"), icon="fa-clipboard-check",
                        category="Pembukuan")
    # The reviewer's count in the navbar: the label is read when the (cached) navbar is drawn, one COUNT.
    appbuilder.add_link("Menunggu Tinjauan", label=waiting_label(), href="/laporan-bulanan/menunggu",
                        icon="fa-inbox", category="Pembukuan")  # in the menu beside the reports: one row at 125 %
    appbuilder.add_view_no_menu(HomeDetailView)
    from .export_views import SimkopdesExportView
    appbuilder.add_view(SimkopdesExportView, "Ekspor SIMKOPDES", label=_l("Ekspor SIMKOPDES"), icon="fa-file-export",
                        category="Registri")
    appbuilder.add_api(MonthlyReportApi)
    appbuilder.add_api(DashboardApi)
