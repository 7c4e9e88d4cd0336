"""Translations looked up once per request, not once per message.

A list page asks Flask-Babel for some 80 translated strings (labels, tooltips, the lazy status names of its
rows). For each, Flask-Babel's ``Domain.get_translations`` goes through the ``g`` proxy twice, runs the locale
selector's cached answer through ``get_locale`` and looks the catalogue up in a dict keyed by ``str(locale)``:
about a tenth of the profiled member list (bench/README.md, "Render cost of a list page").

``RequestDomain`` keeps the answer on the request's ``g._flask_babel`` beside the locale it was looked up for.
The kept catalogue is used only while ``g._flask_babel.babel_locale`` is *the same object*: ``force_locale``
sets a new Locale object and ``refresh`` removes it, so either makes the next message look the catalogue up
again, as Flask-Babel itself would. Outside an application context it answers like Flask-Babel (no
translations).
"""
from babel import support
from flask.globals import _cv_app
from flask_babel import Domain

_KEPT = "kkmp_translations"


class RequestDomain(Domain):
    def get_translations(self):
        ctx = _cv_app.get(None)
        if ctx is None:
            return support.NullTranslations()
        state = ctx.g.__dict__.get("_flask_babel")
        if state is not None:
            kept = state.__dict__.get(_KEPT)
            if kept is not None and kept[0] is state.__dict__.get("babel_locale") and kept[0] is not None:
                return kept[1]
        translations = super().get_translations()
        state = ctx.g._flask_babel  # made by Flask-Babel's lookup above
        setattr(state, _KEPT, (getattr(state, "babel_locale", None), translations))
        return translations


def install(app):
    """Make the request-kept domain Flask-Babel's default one and let the templates' ``{{ _('...') }}`` use it
    directly. Called once FAB has set Flask-Babel up (after ``appbuilder.init_app``)."""
    babel = app.extensions["babel"].instance
    domain = RequestDomain(domain=babel.domain)
    # Babel.domain_instance is a cached_property: the value put in the instance's dict is the one it answers.
    babel.__dict__["domain_instance"] = domain
    get = domain.get_translations
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: get().ugettext(s),
        ngettext=lambda s, p, n: get().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: get().upgettext(c, s),
        npgettext=lambda c, s, p, n: get().unpgettext(c, s, p, n),
    )
