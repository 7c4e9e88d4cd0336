"""Subsidised fertiliser (issue 16). register() adds its views and APIs."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
    from .home import register_home
    from .views import register as register_views

    register_views(appbuilder)
    register_home()  # the realisation figure of the area home pages (app.oversight registry)
