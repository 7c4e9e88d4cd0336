"""What the audit screens call things: records by their own names, actions and fields in Indonesian (issue 11.5).

Core knows no domain model. Each domain registers, for each of its tables, a label ("Anggota") and a function
naming a batch of its records (``{"12": "A-2025-0012 Siti Aminah"}``); the cooperatives domain also registers how
to find a cooperative's name and region (for the time zone). Field labels come from the label_columns the domain's
own views already declare, so the audit log says "Tanggal transaksi", not ``tx_date``.
"""
from dataclasses import dataclass
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l

from .dates import WIB, cooperative_timezone


@dataclass(frozen=True)
class RecordKind:
    label: object
    describe: object  # fn(session, ids: list[str]) -> {id: text}; ids the record's primary keys as text


_KINDS = {}
_COOPERATIVES = []  # [fn(session, ids) -> {id: (name, region_code)}], at most one

ACTION_LABELS = {
    "create": _l("Tambah"), "update": _l("Ubah"), "delete": _l("Hapus"), "role_change": _l("Ubah peran"),
    "login": _l("Masuk"), "login_failed": _l("Gagal masuk"), "nik_reveal": _l("Tampilkan NIK lengkap"),
}
SECURITY_KIND_LABELS = {
    "scope_read": _l("Membuka data di luar wilayah"), "scope_write": _l("Mengubah data di luar wilayah"),
    "csrf": _l("Formulir tanpa token keamanan"), "rate_limit": _l("Terlalu banyak percobaan"),
}
# Columns every table has that a reader knows without a label from the domain.
COMMON_FIELD_LABELS = {"cooperative_id": _l("Koperasi"), "member_id": _l("Anggota"), "note": _l("Catatan"),
                       "roles": _l("Peran"), "password": _l("Kata sandi"), "active": _l("Aktif"),
                       "first_name": _l("Nama depan"), "last_name": _l("Nama belakang"), "email": _l("Email"),
                       "username": _l("Nama pengguna"), "field": _l("Kolom"), "nik": _l("NIK"),
                       "scope_region_code": _l("Wilayah tugas"), "province_code": _l("Kode provinsi")}


def register_record(table_name, label, describe):
    """A domain names its records in the audit log: ``register_record("member", _l("Anggota"), fn)``."""
    _KINDS[table_name] = RecordKind(label, describe)


def register_cooperatives(lookup):
    """The cooperatives domain: ``lookup(session, ids) -> {id: (name, region_code)}``."""
    _COOPERATIVES[:] = [lookup]


def table_label(table_name):
    kind = _KINDS.get(table_name)
    return kind.label if kind is not None else _TITLES.get(table_name, table_name or "")


def action_label(action):
    return ACTION_LABELS.get(action, action)


def security_kind_label(kind):
    return SECURITY_KIND_LABELS.get(kind, kind)


def describe_records(session, pairs):
    """``{(table, id): name}`` for ``pairs`` of (table_name, record_id), one query per table."""
    by_table = {}
    for table, record_id in pairs:
        if table and record_id is not None:
            by_table.setdefault(table, set()).add(str(record_id))
    out = {}
    for table, ids in by_table.items():
        kind = _KINDS.get(table)
        if kind is None:
            continue
        for record_id, text in kind.describe(session, sorted(ids)).items():
            out[(table, str(record_id))] = text
    return out


def cooperatives(session, ids):
    """``{id: (name, region_code)}`` for cooperative ids (empty when no domain registered the lookup)."""
    ids = sorted({int(i) for i in ids if i is not None})
    if not ids or not _COOPERATIVES:
        return {}
    return _COOPERATIVES[0](session, ids)


def zone_of(region_code):
    """The time zone of a region (WIB when unknown): the cooperative's own zone, as for posting dates."""
    return cooperative_timezone(SimpleNamespace(region_code=region_code)) if region_code else WIB


def field_labels(appbuilder):
    """``{table: {column: label}}`` from the model views' own ``label_columns`` and list titles.

    Only labels the domain wrote (lazy strings): FAB fills the rest with English made from the column name.
    """
    from flask_babel.speaklater import LazyString

    labels = {}
    for view in appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        table = getattr(getattr(datamodel, "obj", None), "__tablename__", None)
        if not table:
            continue
        own = labels.setdefault(table, {})
        for key, label in (getattr(view, "label_columns", None) or {}).items():
            if isinstance(label, LazyString):
                own.setdefault(key, label)
        title = getattr(view, "list_title", None)
        if isinstance(title, LazyString):
            _TITLES.setdefault(table, title)
    return labels


_TITLES = {}  # table -> the list title of its model view, the label of a table no domain registered


def by_columns(model, *columns, sep=" "):
    """A describe function naming rows of ``model`` by some of their columns, e.g. member number and name.

    It reads through the scoped session: a record the reader may not see is not named (it shows as ``#id``).
    """
    from sqlalchemy import inspect, select

    pk = inspect(model).primary_key[0]

    def describe(session, ids):
        keys = []
        for i in ids:
            try:
                keys.append(pk.type.python_type(i))
            except (TypeError, ValueError):
                continue
        if not keys:
            return {}
        rows = session.execute(select(pk, *[getattr(model, c) for c in columns]).where(pk.in_(keys)))
        return {str(r[0]): sep.join(str(v) for v in r[1:] if v not in (None, "")) for r in rows}
    return describe
