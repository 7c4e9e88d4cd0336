"""Subsidised fertiliser (issue 16). register() adds its views and APIs."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
    from .views import register as register_views

    register_views(appbuilder)
