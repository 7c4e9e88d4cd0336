"""The Panduan pages: the guide of the user's own role first; every guide can be read by anyone signed in
(they describe screens, not data)."""
from flask import abort, g
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name

from .shots import BY_NAME

# role -> its guide template; the order is the order of the tabs
GUIDES = {"Sekretaris": "panduan/sekretaris.html", "Pengurus": "panduan/pengurus.html",
          "Lurah": "panduan/lurah.html", "Camat": "panduan/camat.html", "Sudin": "panduan/sudin.html"}


def own_guide(user):
    names = [r.name for r in user.roles]
    return next((role for role in GUIDES if role in names), "Sekretaris")


class PanduanView(BaseView):
    route_base = "/panduan"
    class_permission_name = "Panduan"
    default_view = "index"

    @expose("/")
    @expose("/<string:role>")
    @has_access
    @permission_name("read")
    def index(self, role=None):
        role = role or own_guide(g.user)
        if role not in GUIDES:
            abort(404)
        return self.render_template("panduan/page.html", role=role, roles=list(GUIDES), guide=GUIDES[role],
                                    shots=BY_NAME, own=own_guide(g.user))
