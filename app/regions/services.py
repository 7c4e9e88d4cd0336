"""Loading and looking up Kemendagri regions."""
import csv
import time

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.errors import DomainError
from app.extensions import db

from .models import Region, kind_of_code, parent_code_of

CHUNK = 5000


def read_region_csv(path):
    """Yield region dicts from the ``kode,nama`` CSV, parents before children."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != ["kode", "nama"]:
            raise DomainError(f"{path}: expected the header 'kode,nama', found {reader.fieldnames}")
        rows = []
        for line_no, row in enumerate(reader, start=2):
            code, name = row["kode"].strip(), row["nama"].strip()
            parts = code.split(".")
            if not code or not name or len(parts) > 4 or not all(p.isdigit() for p in parts):
                raise DomainError(f"{path}:{line_no}: not a Kemendagri region row: {row}")
            rows.append({"code": code, "name": name, "level": len(parts), "kind": kind_of_code(code),
                         "parent_code": parent_code_of(code)})
    # Sorting by (level, code) inserts every parent before its children, so the FK holds at every step.
    rows.sort(key=lambda r: (r["level"], r["code"]))
    return rows


def load_regions(path, session=None):
    """Insert or update every region in the CSV; running it twice changes nothing.

    :returns: (rows in the file, rows in the table afterwards, seconds taken)
    """
    session = session or db.session
    started = time.perf_counter()
    rows = read_region_csv(path)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Region.__table__
    for start in range(0, len(rows), CHUNK):
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.code],
            set_={"name": stmt.excluded.name, "level": stmt.excluded.level, "kind": stmt.excluded.kind,
                  "parent_code": stmt.excluded.parent_code},
        )
        session.execute(stmt, rows[start:start + CHUNK])
    session.commit()
    total = session.scalar(select(func.count()).select_from(Region))
    return len(rows), total, time.perf_counter() - started


def get_region(code, session=None):
    session = session or db.session
    return session.get(Region, code)


def region_counts(session=None):
    """Counts per kind, for checks and the dashboard."""
    session = session or db.session
    return dict(session.execute(select(Region.kind, func.count()).group_by(Region.kind)).all())
