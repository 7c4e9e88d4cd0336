"""The navigation bar, rendered once a minute per user instead of on every page.

FAB renders the whole menu on every request and asks the security manager about every entry: for an Admin that
is some 40 permission questions and about a quarter of a list page's time. The bar depends only on who is asking
(their roles), the language and the app's menu, so it is kept for ``KKMP_NAVBAR_CACHE_SECONDS`` per (user, roles,
language). Hiding a menu entry is a convenience, not a control: every page still checks its permission on every
request, so a permission taken away in the role screen is refused at once, and disappears from the bar within
the minute.
"""
import time

from flask import current_app, g, render_template, session
from markupsafe import Markup

_cache = {}
_MAX_ENTRIES = 5000


def cached_navbar():
    user = getattr(g, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    seconds = current_app.config.get("KKMP_NAVBAR_CACHE_SECONDS", 60)
    if not authenticated or not seconds:
        return Markup(render_template("appbuilder/navbar.html", appbuilder=current_app.appbuilder))
    from flask_babel import get_locale

    key = (id(current_app._get_current_object()), user.id, user.get_full_name(),
           tuple(sorted(role.id for role in user.roles)), session.get("locale"), str(get_locale()))
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    html = Markup(render_template("appbuilder/navbar.html", appbuilder=current_app.appbuilder))
    if len(_cache) >= _MAX_ENTRIES:
        _cache.clear()
    _cache[key] = (now + seconds, html)
    return html


def register(app):
    app.jinja_env.globals["kkmp_navbar"] = cached_navbar
