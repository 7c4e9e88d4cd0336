"""The members domain. register() adds its views and APIs; permissions.GRANTS feeds the role catalogue."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
    from flask_babel import lazy_gettext as _l

    from .api import MemberApi
    from .views import MemberCountView, MemberView

    appbuilder.add_view(MemberView, "Anggota", label=_l("Anggota"), icon="fa-id-card",
                        category="Keanggotaan", category_label=_l("Keanggotaan"))
    appbuilder.add_view(MemberCountView, "Rekap Anggota", label=_l("Rekap anggota (L/P)"), icon="fa-venus-mars",
                        category="Keanggotaan")
    appbuilder.add_api(MemberApi)
