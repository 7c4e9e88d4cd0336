"""The SHU and RAT domain (UU 25/1992 Pasal 45; kkmp-domain.md §1.3-1.4). register() adds its views and APIs."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
    from flask import Blueprint, current_app
    from flask_babel import lazy_gettext as _l

    from .api import ShuApi, ShuRuleApi
    from .views import RatMeetingView, ShuRuleView, ShuView

    app = current_app._get_current_object()
    if "shu_templates" not in app.blueprints:
        app.register_blueprint(Blueprint("shu_templates", __name__, template_folder="templates"))
    appbuilder.add_view(ShuView, "Pembagian SHU", label=_l("Pembagian SHU"), icon="fa-hand-holding-usd",
                        category="Pembukuan")
    appbuilder.add_view(ShuRuleView, "Aturan SHU", label=_l("Aturan pembagian SHU"), icon="fa-percent",
                        category="Pembukuan")
    appbuilder.add_view(RatMeetingView, "Status RAT", label=_l("Status RAT"), icon="fa-users",
                        category="Pembukuan")
    appbuilder.add_api(ShuRuleApi)
    appbuilder.add_api(ShuApi)
    from .home import register_home

    register_home()  # the RAT status figures and table of the home pages (app.oversight registry)
