"""Panduan: a short guide per role inside the app, with screenshots the browser tests make (app/panduan/shots.py)."""


def register(appbuilder):
    from flask_babel import lazy_gettext as _l

    from .views import PanduanView

    appbuilder.add_view(PanduanView, "Panduan", label=_l("Panduan"), icon="fa-question-circle")
