"""Web hardening: headers, rate limits, lockout, password policy, session timeout (issue 3 §6)."""


def init_hardening(app, appbuilder):
    """Called by create_app() after AppBuilder is initialised."""
