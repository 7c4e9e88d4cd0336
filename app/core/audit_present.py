"""Audit rows as people read them (issue 11.5): Indonesian actions, the record's own name, the user's full name,
changed fields as "label: old → new", times in the cooperative's own time zone. NIKs stay masked.

The list and the export call :func:`present` on a page (or chunk) of rows at once, so naming 25 rows costs one
query per table involved, not one per row.
"""
import json
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext
from sqlalchemy import Boolean, Date, DateTime, Numeric, select

from . import audit_names
from .audit import redact_payload
from .dates import WIB, WIT, WITA
from .formatting import rupiah
from .nik import mask_nik

ARROW = " → "
EMPTY = "–"
ZONE_NAMES = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}
MASKED = {"nik"}
# Bookkeeping columns a reader has no use for (idempotency keys, counters behind a number already shown).
HIDDEN = {"id", "idempotency_key", "receipt_year", "receipt_seq", "name_key", "nik_hmac", "seq"}
_CACHE = "_kkmp_presented"


def _loads(text):
    # redact_payload masks again what rows written before today's masking may hold (a NIK's region digits, a
    # full birth date): the log itself is never rewritten.
    if not text:
        return {}
    try:
        value = json.loads(redact_payload(text))
    except ValueError:
        return {"?": text}
    return value if isinstance(value, dict) else {"?": value}


def local_time(utc_naive, region_code):
    """``24/11/2026 20:05 WIB``: a UTC audit time in the zone of the cooperative (or region) it concerns."""
    if utc_naive is None:
        return ""
    zone = audit_names.zone_of(region_code)
    local = utc_naive.replace(tzinfo=timezone.utc).astimezone(zone)
    return f"{local:%d/%m/%Y %H:%M} {ZONE_NAMES.get(zone, '')}".strip()


def _column(table_name, key):
    from flask_appbuilder import Model

    table = Model.metadata.tables.get(table_name or "")
    return table.columns.get(key) if table is not None else None


def _foreign_table(column):
    for fk in column.foreign_keys if column is not None else ():
        return fk.column.table.name
    return None


class _Presenter:
    def __init__(self, session, rows):
        self.session, self.rows = session, rows
        self.labels = audit_names.field_labels(current_app.appbuilder)
        pairs, coop_ids, user_ids = set(), set(), set()
        for row in rows:
            pairs.add((row.table_name, row.record_id))
            if row.cooperative_id is not None:
                coop_ids.add(row.cooperative_id)
            if row.user_id is not None:
                user_ids.add(row.user_id)
            for key, value in {**_loads(row.before), **_loads(row.after)}.items():
                target = _foreign_table(_column(row.table_name, key))
                if target and isinstance(value, (int, str)) and str(value).isdigit():
                    pairs.add((target, str(value)))
                    if target == "cooperative":
                        coop_ids.add(int(value))
        for row in rows:  # a change of a cooperative itself names the cooperative
            if row.table_name == "cooperative" and str(row.record_id or "").isdigit():
                coop_ids.add(int(row.record_id))
        self.names = audit_names.describe_records(session, pairs)
        self.coops = audit_names.cooperatives(session, coop_ids)
        self.users = self._full_names(user_ids)
        self.region = None

    def _full_names(self, ids):
        if not ids:
            return {}
        users = current_app.appbuilder.sm.user_model.__table__
        rows = self.session.execute(select(users.c.id, users.c.first_name, users.c.last_name)
                                    .where(users.c.id.in_(sorted(ids))))
        return {r.id: " ".join(p for p in (r.first_name, r.last_name) if p and p != "-").strip() for r in rows}

    def field_label(self, table, key):
        own = self.labels.get(table, {})
        label = own.get(key) or audit_names.COMMON_FIELD_LABELS.get(key)
        if label is None and key.endswith("_id"):  # account_id: the label of the relation, "Akun"
            label = own.get(key[:-3]) or audit_names.table_label(_foreign_table(_column(table, key)) or "") or None
        # A view may say "(UTC)" of a time it shows raw; here every time is shown in the local zone.
        return str(label or key).replace(" (UTC)", "")

    def value(self, table, key, value):
        if value is None or value == "":
            return EMPTY
        if key in MASKED:
            return mask_nik(str(value))
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or EMPTY
        column = _column(table, key)
        target = _foreign_table(column)
        if target and str(value).isdigit():
            if target == "cooperative" and int(value) in self.coops:
                return self.coops[int(value)][0]
            return self.names.get((target, str(value)), f"#{value}")
        kind = column.type if column is not None else None
        if isinstance(kind, Boolean) or isinstance(value, bool):
            return gettext("Ya") if value in (True, 1, "true") else gettext("Tidak")
        if isinstance(kind, Numeric) and kind.scale == 2:
            try:
                return rupiah(Decimal(str(value)))
            except (InvalidOperation, ValueError):
                return str(value)
        if isinstance(kind, (Date, DateTime)) and isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                return value
            if isinstance(kind, DateTime):  # stored in UTC, read in the cooperative's zone like the row's time
                return local_time(parsed.replace(tzinfo=None), self.region)
            return f"{parsed:%d/%m/%Y}"
        return str(value)

    def changes(self, row, region=None):
        self.region = region
        before, after = _loads(row.before), _loads(row.after)
        parts = []
        for key in sorted(set(before) | set(after)):
            if key in HIDDEN:
                continue
            label = self.field_label(row.table_name, key)
            if row.action in ("update", "role_change"):
                parts.append(f"{label}: {self.value(row.table_name, key, before.get(key))}{ARROW}"
                             f"{self.value(row.table_name, key, after.get(key))}")
            else:
                shown = after.get(key) if key in after else before.get(key)
                if shown in (None, "", []):
                    continue
                parts.append(f"{label}: {self.value(row.table_name, key, shown)}")
        return "; ".join(parts)

    def presented(self, row):
        coop = self.coops.get(row.cooperative_id) if row.cooperative_id is not None else None
        if coop is None and row.table_name == "cooperative" and str(row.record_id or "").isdigit():
            coop = self.coops.get(int(row.record_id))
        region = coop[1] if coop else row.region_code
        name = self.names.get((row.table_name, str(row.record_id)))
        record = str(audit_names.table_label(row.table_name)) if row.table_name else ""
        if name:
            record = name if name.startswith(record) else f"{record} {name}".strip()
        elif row.record_id is not None:
            record = f"{record} #{row.record_id}".strip()
        full = self.users.get(row.user_id) or ""
        username = None if row.username == "system" else row.username  # the CLI and the demo loader
        who = f"{full} ({username})" if full and username else (full or username or gettext("sistem"))
        return {"when": local_time(row.occurred_at, region), "who": who,
                "action": str(audit_names.action_label(row.action)), "record": record,
                "cooperative": coop[0] if coop else "", "changes": self.changes(row, region)}


def present(session, rows):
    """Name every row of ``rows`` (a page or an export chunk) in one go."""
    rows = [r for r in rows if _CACHE not in r.__dict__]
    if not rows:
        return
    presenter = _Presenter(session, rows)
    for row in rows:
        row.__dict__[_CACHE] = presenter.presented(row)


def presented(row, key):
    if _CACHE not in row.__dict__:
        from app.extensions import db

        present(db.session, [row])
    return row.__dict__[_CACHE][key]



def present_security(session, rows):
    """The same for security-log rows: time in the actor's zone, the kind in Indonesian, the record's name."""
    rows = [r for r in rows if _CACHE not in r.__dict__]
    if not rows:
        return
    names = audit_names.describe_records(session, [(r.table_name, r.record_id) for r in rows])
    for row in rows:
        label = str(audit_names.table_label(row.table_name)) if row.table_name else ""
        name = names.get((row.table_name, row.record_id)) or (f"#{row.record_id}" if row.record_id else "")
        row.__dict__[_CACHE] = {"when": local_time(row.occurred_at, row.actor_region_code),
                                "who": row.username or "", "kind": str(audit_names.security_kind_label(row.kind)),
                                "record": f"{label} {name}".strip()}


def presented_security(row, key):
    if _CACHE not in row.__dict__:
        from app.extensions import db

        present_security(db.session, [row])
    return row.__dict__[_CACHE][key]
