"""Error pages in the user's language: what happened, what to do, and a way back.

Werkzeug's default pages are bare English HTML; a clerk on a phone meeting one has no menu and no idea what to do.
A logged-in user gets the app's layout (menu included); anyone else a plain branded page, which needs neither the
session nor the menu, so it also renders when the error came from the database. The REST API keeps answering JSON.
"""
import logging

from flask import g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

# code -> (title, what happened, what to do)
MESSAGES = {
    400: (_l("The request could not be processed"),
          _l("The page received something it cannot use, often a form that was open too long."),
          _l("Go back, reload the page and try again.")),
    403: (_l("Access denied"),
          _l("Your role does not allow this page or action."),
          _l("If you need it for your work, ask your administrator or the Sudin to grant it.")),
    404: (_l("Page not found"),
          _l("The page or record does not exist, was removed, or is outside your area."),
          _l("Check the address, or open the page again from the menu.")),
    405: (_l("Action not allowed here"),
          _l("This address cannot be used this way."),
          _l("Open the page again from the menu.")),
    413: (_l("File too large"),
          _l("The uploaded file is larger than the %(limit)s allowed."),
          _l("Split the data into smaller files, or remove unneeded sheets and images, then upload again.")),
    500: (_l("Something went wrong on our side"),
          _l("The system hit an error; nothing of this action was saved."),
          _l("Try again in a moment. If it happens again, tell your administrator what you were doing.")),
}


def _size_limit():
    from flask import current_app

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _logged_in():
    # g.user is set by FAB's before_request, which has not run when CSRF's own check met a too-large body.
    user = getattr(g, "user", None)
    if user is None:
        from flask_login import current_user

        try:
            user = current_user._get_current_object()
        except Exception:  # no usable session (e.g. the database is down): treat as not logged in
            return False
        g.user = user  # what FAB's before_request would have set; the menu asks it
    return bool(user is not None and getattr(user, "is_authenticated", False))


def error_response(error):
    code = error.code if isinstance(error, HTTPException) and error.code in MESSAGES else 500
    title, what, todo = (str(m) for m in MESSAGES[code])
    if code == 413:
        what = what % {"limit": _size_limit()}
    if request.path.startswith("/api/"):
        return jsonify(message=f"{title}. {what}"), code
    from flask.globals import request_ctx

    if request_ctx.url_adapter is None:
        # No URL adapter: the request was refused before routing (a Host outside KKMP_ALLOWED_HOSTS), so no page
        # with links can be built; a short plain answer says the same.
        return f"{code} {title}. {what}", code, {"Content-Type": "text/plain; charset=utf-8"}
    context = dict(code=code, title=title, what=what, todo=todo, back=request.referrer)
    if _logged_in():
        try:
            from flask import current_app

            if code == 500:  # the failed request may have left the session unusable
                current_app.appbuilder.session.rollback()

            return render_template("kkmp/error.html", appbuilder=current_app.appbuilder, **context), code
        except Exception:  # the layout itself failed (its menu reads the database): fall back to the plain page
            log.exception("error page layout failed")
    from flask_babel import get_locale

    return render_template("kkmp/error_plain.html", logged_in=_logged_in(), lang=str(get_locale() or "id"),
                           **context), code


def _refuse_oversized_bodies():
    """Werkzeug raises 413 only when the body is read, and FAB's API turns any exception inside a view into a
    500; so a body announced larger than the limit is refused before any view runs."""
    from flask import abort, current_app

    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        abort(413)


def install(app):
    app.before_request(_refuse_oversized_bodies)
    for code in MESSAGES:
        app.register_error_handler(code, error_response)
    # Unhandled exceptions arrive as InternalServerError with the original attached; same page.
    app.register_error_handler(InternalServerError, error_response)
