"""The savings domain (simpanan pokok, wajib, sukarela). register() adds its views and APIs."""


def register(appbuilder):
    """Add this domain's menus, views and APIs (called by app.register_views)."""
