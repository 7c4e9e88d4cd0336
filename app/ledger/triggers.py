"""Database triggers repeating the ledger rules below the ORM (installed by migration c1ledger0001).

* journal_entry and journal_line refuse UPDATE and DELETE: a posted entry never changes;
* journal_entry refuses an INSERT dated in a closed period (the year-end closing entry, ``penutup``, excepted);
* on PostgreSQL a deferred constraint trigger checks at commit that every entry a transaction wrote balances.

No ``%`` in the PostgreSQL text: the statements go through the DBAPI's pyformat.
"""

PG_SQL = [
    """
CREATE OR REPLACE FUNCTION ledger_posted_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'posted journal entries are immutable: post a reversing entry',
                        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER journal_entry_immutable BEFORE UPDATE OR DELETE ON journal_entry "
    "FOR EACH ROW EXECUTE FUNCTION ledger_posted_immutable()",
    "CREATE TRIGGER journal_line_immutable BEFORE UPDATE OR DELETE ON journal_line "
    "FOR EACH ROW EXECUTE FUNCTION ledger_posted_immutable()",
    """
CREATE OR REPLACE FUNCTION journal_entry_open_period() RETURNS trigger AS $$
BEGIN
  IF NEW.entry_type <> 'penutup' AND EXISTS (
      SELECT 1 FROM ledger_period p
       WHERE p.cooperative_id = NEW.cooperative_id
         AND p.year = EXTRACT(YEAR FROM NEW.entry_date)::int
         AND p.month = EXTRACT(MONTH FROM NEW.entry_date)::int
         AND p.status = 'closed') THEN
    RAISE EXCEPTION USING MESSAGE = 'the accounting period of this entry is closed',
                          ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER journal_entry_open_period BEFORE INSERT ON journal_entry "
    "FOR EACH ROW EXECUTE FUNCTION journal_entry_open_period()",
    """
CREATE OR REPLACE FUNCTION journal_entry_balanced() RETURNS trigger AS $$
DECLARE d numeric; c numeric; n integer;
BEGIN
  SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) INTO d, c, n
    FROM journal_line WHERE entry_id = NEW.entry_id;
  IF d <> c OR n < 2 THEN
    RAISE EXCEPTION USING MESSAGE = 'journal entry is not balanced', ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE CONSTRAINT TRIGGER journal_line_balanced AFTER INSERT ON journal_line DEFERRABLE INITIALLY DEFERRED "
    "FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced()",
]

PG_DROP = [
    "DROP TRIGGER IF EXISTS journal_line_balanced ON journal_line",
    "DROP TRIGGER IF EXISTS journal_entry_open_period ON journal_entry",
    "DROP TRIGGER IF EXISTS journal_line_immutable ON journal_line",
    "DROP TRIGGER IF EXISTS journal_entry_immutable ON journal_entry",
    "DROP FUNCTION IF EXISTS journal_entry_balanced()",
    "DROP FUNCTION IF EXISTS journal_entry_open_period()",
    "DROP FUNCTION IF EXISTS ledger_posted_immutable()",
]

_IMMUTABLE = "SELECT RAISE(ABORT, 'posted journal entries are immutable: post a reversing entry')"
SQLITE_SQL = [
    f"CREATE TRIGGER journal_entry_no_update BEFORE UPDATE ON journal_entry BEGIN {_IMMUTABLE}; END",
    f"CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_entry BEGIN {_IMMUTABLE}; END",
    f"CREATE TRIGGER journal_line_no_update BEFORE UPDATE ON journal_line BEGIN {_IMMUTABLE}; END",
    f"CREATE TRIGGER journal_line_no_delete BEFORE DELETE ON journal_line BEGIN {_IMMUTABLE}; END",
    "CREATE TRIGGER journal_entry_open_period BEFORE INSERT ON journal_entry "
    "WHEN NEW.entry_type <> 'penutup' AND EXISTS (SELECT 1 FROM ledger_period p "
    "WHERE p.cooperative_id = NEW.cooperative_id "
    "AND p.year = CAST(strftime('%Y', NEW.entry_date) AS INTEGER) "
    "AND p.month = CAST(strftime('%m', NEW.entry_date) AS INTEGER) AND p.status = 'closed') "
    "BEGIN SELECT RAISE(ABORT, 'the accounting period of this entry is closed'); END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS journal_entry_no_update", "DROP TRIGGER IF EXISTS journal_entry_no_delete",
               "DROP TRIGGER IF EXISTS journal_line_no_update", "DROP TRIGGER IF EXISTS journal_line_no_delete",
               "DROP TRIGGER IF EXISTS journal_entry_open_period"]
