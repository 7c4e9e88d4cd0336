"""The ledger domain. register() adds its views and APIs; permissions.GRANTS feeds the role catalogue."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
    from flask import Blueprint
    from flask_babel import lazy_gettext as _l

    from .api import AccountApi, JournalEntryApi
    from .views import AccountView, JournalEntryView, JournalLineView, PeriodView

    from flask import current_app

    app = current_app._get_current_object()
    if "ledger_templates" not in app.blueprints:
        # Our templates (ledger/*.html) live in this package.
        app.register_blueprint(Blueprint("ledger_templates", __name__, template_folder="templates"))
    appbuilder.add_view(JournalEntryView, "Jurnal Umum", label=_l("Jurnal umum"), icon="fa-book",
                        category="Pembukuan", category_label=_l("Pembukuan"))
    appbuilder.add_link("Input Jurnal", label=_l("Input jurnal"), href="/jurnal/baru", icon="fa-pen",
                        category="Pembukuan")
    appbuilder.add_view(AccountView, "Bagan Akun", label=_l("Bagan akun"), icon="fa-list-ol", category="Pembukuan")
    appbuilder.add_view(PeriodView, "Periode Akuntansi", label=_l("Periode akuntansi"), icon="fa-lock",
                        category="Pembukuan")
    appbuilder.add_view_no_menu(JournalLineView)
    from .import_views import LedgerImportView
    appbuilder.add_link("Impor Saldo Awal", label=_l("Impor saldo awal"), href="/impor-pembukuan/saldo-awal",
                        icon="fa-file-import", category="Pembukuan")
    appbuilder.add_link("Impor Buku Kas", label=_l("Impor buku kas"), href="/impor-pembukuan/buku-kas",
                        icon="fa-file-import", category="Pembukuan")
    appbuilder.add_view(LedgerImportView, "Riwayat Impor", label=_l("Riwayat impor"), icon="fa-history",
                        category="Pembukuan")
    appbuilder.add_api(AccountApi)
    appbuilder.add_api(JournalEntryApi)
    from .statement_views import register as register_reports  # the accounting reports (neraca saldo .. arus kas)
    register_reports(appbuilder)
