"""Schema objects that exist on one database engine only, told apart for Alembic's comparison.

An index can be declared ``info={"dialects": ("postgresql",)}`` (the member name's trigram index: pg_trgm has no
SQLite counterpart). Autogenerate and the models-match-migrations test then neither ask SQLite for it nor report
it missing there.
"""


def include_object_for(dialect_name):
    def include_object(obj, name, type_, reflected, compare_to):
        info = getattr(obj, "info", None) or getattr(compare_to, "info", None) or {}
        dialects = info.get("dialects")
        return dialects is None or dialect_name in dialects
    return include_object
