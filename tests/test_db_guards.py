"""Posted money records cannot be rewritten or deleted even with a SQL prompt (issue 9.7).

Every statement runs on a plain connection (no ORM, no scope layer) in a transaction that is rolled back, the way
someone with database access would try it.
"""
import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.core.db_guards import Guard, statements
from app.extensions import db

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")


@pytest.fixture()
def conn(app):
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()
            connection.close()


def first_id(conn, sql):
    value = conn.execute(text(sql)).scalar()
    assert value is not None, f"the demo data has no row for: {sql}"
    return value


POSTED_TX = "SELECT id FROM savings_transaction WHERE reversed_at IS NULL AND journal_entry_id IS NOT NULL ORDER BY id"
BILL = "SELECT id FROM wajib_bill ORDER BY id"
SETTLEMENT = "SELECT id FROM exit_settlement WHERE journal_entry_id IS NOT NULL ORDER BY id"

REFUSED = [
    (POSTED_TX, "UPDATE savings_transaction SET amount = amount + 1 WHERE id = :id"),
    (POSTED_TX, "UPDATE savings_transaction SET tx_date = '2020-01-01' WHERE id = :id"),
    (POSTED_TX, "UPDATE savings_transaction SET member_id = (SELECT max(m.id) FROM member m "
                "WHERE m.id <> savings_transaction.member_id) WHERE id = :id"),
    (POSTED_TX, "UPDATE savings_transaction SET direction = CASE direction WHEN 'setor' THEN 'tarik' "
                "ELSE 'setor' END WHERE id = :id"),
    (POSTED_TX, "UPDATE savings_transaction SET journal_entry_id = NULL WHERE id = :id"),
    (POSTED_TX, "DELETE FROM savings_transaction WHERE id = :id"),
    (BILL, "UPDATE wajib_bill SET amount = amount + 1 WHERE id = :id"),
    (BILL, "UPDATE wajib_bill SET month = CASE month WHEN 1 THEN 2 ELSE 1 END WHERE id = :id"),
    (BILL, "DELETE FROM wajib_bill WHERE id = :id"),
    (SETTLEMENT, "UPDATE exit_settlement SET paid_out = paid_out + 1 WHERE id = :id"),
    (SETTLEMENT, "UPDATE exit_settlement SET settle_date = '2020-01-01' WHERE id = :id"),
    (SETTLEMENT, "DELETE FROM exit_settlement WHERE id = :id"),
]


@pytest.mark.parametrize("pick,statement", REFUSED)
def test_the_database_refuses_to_rewrite_or_delete_a_posted_money_record(conn, pick, statement):
    row_id = first_id(conn, pick)
    with pytest.raises(DatabaseError, match="immutable|keeps its member"):
        result = conn.execute(text(statement), {"id": row_id})
        # A statement that matched no row proves nothing: make the test fail loudly instead.
        assert result.rowcount == 1, "the statement did not touch the row"


ALLOWED = [
    (POSTED_TX, "UPDATE savings_transaction SET reversed_at = CURRENT_TIMESTAMP, version = version + 1 "
                "WHERE id = :id"),
    (POSTED_TX, "UPDATE savings_transaction SET amount = amount WHERE id = :id"),  # no change is no rewrite
    (BILL, "UPDATE wajib_bill SET paid_amount = 0, version = version + 1 WHERE id = :id"),
]


@pytest.mark.parametrize("pick,statement", ALLOWED)
def test_what_the_application_legitimately_updates_still_works(conn, pick, statement):
    assert conn.execute(text(statement), {"id": first_id(conn, pick)}).rowcount == 1


def test_a_reversal_time_is_set_once_and_never_undone_or_moved(conn):
    row_id = first_id(conn, POSTED_TX)
    conn.execute(text("UPDATE savings_transaction SET reversed_at = '2026-01-05 10:00:00' WHERE id = :id"),
                 {"id": row_id})
    for value in ("NULL", "'2026-02-01 10:00:00'"):
        with pytest.raises(DatabaseError, match="immutable"):
            with conn.begin_nested():
                conn.execute(text(f"UPDATE savings_transaction SET reversed_at = {value} WHERE id = :id"),
                             {"id": row_id})


def test_a_guard_is_one_line_for_the_next_money_table():
    guard = Guard("sale", "posted sales are immutable", set_once=("journal_entry_id",), mutable=("version",))
    columns = ["id", "amount", "sale_date", "journal_entry_id", "version"]
    sqlite = " ".join(statements(guard, "sqlite", columns))
    assert "OLD.amount IS NOT NEW.amount" in sqlite and "OLD.version" not in sqlite
    assert "(OLD.journal_entry_id IS NOT NULL AND OLD.journal_entry_id IS NOT NEW.journal_entry_id)" in sqlite
    postgres = " ".join(statements(guard, "postgresql", columns))
    assert "BEFORE TRUNCATE ON sale FOR EACH STATEMENT" in postgres and "BEFORE DELETE ON sale" in postgres


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="TRUNCATE exists on PostgreSQL only")
@pytest.mark.parametrize("table", ["audit_event", "journal_entry", "journal_line", "savings_transaction",
                                   "exit_settlement", "wajib_bill"])
def test_postgres_refuses_truncate_of_the_append_only_tables(conn, table):
    with pytest.raises(DatabaseError, match="immutable|append-only|keeps its member"):
        conn.execute(text(f"TRUNCATE {table} CASCADE"))
