"""The ledger domain. register() adds its views and APIs; permissions.GRANTS feeds the role catalogue."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
