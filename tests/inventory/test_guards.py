"""Stock movements, sales and goods receipts cannot be rewritten or deleted even with a SQL prompt: a correction
is a void (a reversing movement and journal), never an edit."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.test_db_guards import conn, first_id  # noqa: F401  (the fixture: a rolled-back plain connection)

MOVEMENT = "SELECT id FROM inv_stock_movement ORDER BY id"
SALE = "SELECT id FROM inv_sale WHERE voided_at IS NULL ORDER BY id"
SALE_LINE = "SELECT id FROM inv_sale_line ORDER BY id"
RECEIPT = "SELECT id FROM inv_goods_receipt ORDER BY id"
RECEIPT_LINE = "SELECT id FROM inv_goods_receipt_line ORDER BY id"


@pytest.mark.parametrize("pick,statement", [
    (MOVEMENT, "UPDATE inv_stock_movement SET quantity_out = quantity_out + 1 WHERE id = :id"),
    (MOVEMENT, "UPDATE inv_stock_movement SET value = value + 1 WHERE id = :id"),
    (MOVEMENT, "UPDATE inv_stock_movement SET movement_date = '2020-01-01' WHERE id = :id"),
    (MOVEMENT, "DELETE FROM inv_stock_movement WHERE id = :id"),
    (SALE, "UPDATE inv_sale SET total = total + 1, paid = paid + 1 WHERE id = :id"),
    (SALE, "UPDATE inv_sale SET journal_entry_id = NULL WHERE id = :id"),
    (SALE, "DELETE FROM inv_sale WHERE id = :id"),
    (SALE_LINE, "UPDATE inv_sale_line SET quantity = quantity + 1 WHERE id = :id"),
    (SALE_LINE, "DELETE FROM inv_sale_line WHERE id = :id"),
    (RECEIPT, "UPDATE inv_goods_receipt SET total = total + 1 WHERE id = :id"),
    (RECEIPT_LINE, "UPDATE inv_goods_receipt_line SET unit_cost = unit_cost + 1 WHERE id = :id"),
    (RECEIPT_LINE, "DELETE FROM inv_goods_receipt_line WHERE id = :id"),
])
def test_the_database_refuses_to_rewrite_or_delete_a_posted_stock_record(conn, pick, statement):  # noqa: F811
    row_id = first_id(conn, pick)
    with pytest.raises(DatabaseError):
        with conn.begin_nested():
            conn.execute(text(statement), {"id": row_id})


def test_voiding_is_the_one_update_a_sale_takes_and_only_once(conn):  # noqa: F811
    row_id = first_id(conn, SALE)
    with conn.begin_nested():
        conn.execute(text("UPDATE inv_sale SET voided_at = '2026-01-01 00:00:00', void_reason = 'uji' WHERE id = :id"),
                     {"id": row_id})
    with pytest.raises(DatabaseError):
        with conn.begin_nested():
            conn.execute(text("UPDATE inv_sale SET voided_at = '2026-02-01 00:00:00' WHERE id = :id"), {"id": row_id})
