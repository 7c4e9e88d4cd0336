"""Ledger rules enforced below the services, for every SQLAlchemy session (not only the app's scoped one):

* a ``before_flush`` guard refuses any UPDATE or DELETE of a journal entry or line, a line added to an entry that
  is already posted, an unbalanced new entry, and a new entry dated in a closed period (the year-end closing entry
  excepted: it is dated 31 December, after the months were closed);
* an ``after_insert`` hook on ``Cooperative`` copies the KKMP template chart into the new cooperative, in the same
  transaction, whatever created it (screens, API, CLI, demo seed, a plain session in a test).

The database triggers in the migration repeat the immutability and closed-period rules below the ORM.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session, scoped_session

from app.cooperatives.models import Cooperative
from app.core.errors import DomainError

from .models import Account, JournalEntry, JournalLine, Period


class LedgerError(DomainError):
    """A ledger rule refused the operation."""


class ImmutableEntryError(LedgerError):
    """Posted journal entries and their lines never change."""


class ClosedPeriodError(LedgerError):
    """The date lies in a closed accounting period."""


def period_is_closed(session_or_conn, cooperative_id, day):
    from app.core.scope import unscoped

    stmt = select(Period.status).where(Period.cooperative_id == cooperative_id, Period.year == day.year,
                                       Period.month == day.month)
    # Unscoped for every caller: a Session, the request's scoped_session (db.session, which is no Session
    # instance) or a plain Connection (where the option is simply unused). The answer must not depend on what
    # the asking user may read.
    return session_or_conn.execute(stmt, execution_options=unscoped()).scalar() == "closed"


# -- what this transaction already knows of a period ------------------------------------------------------------
# A posting holds its month's period row FOR SHARE until commit (services.lock_period_for_posting), so no other
# transaction can close or reopen that month meanwhile: the status it read stays true for the rest of the
# transaction. Kept per session, tagged with the innermost transaction that took the lock; once that transaction
# (or savepoint, whose rollback releases its locks) has ended, the entry no longer counts. This session's own
# close or reopen (services._locked_period) forgets it first.
_LOCKS = "kkmp_period_locks"


def _innermost(session):
    if isinstance(session, scoped_session):  # the request's db.session proxies no transaction accessors
        session = session()
    return session.get_nested_transaction() or session.get_transaction()


def remember_period(session, cooperative_id, year, month, status):
    session.info.setdefault(_LOCKS, {})[(cooperative_id, year, month)] = (_innermost(session), status)


def forget_period(session, cooperative_id, year, month):
    session.info.get(_LOCKS, {}).pop((cooperative_id, year, month), None)


def locked_period_status(session, cooperative_id, year, month):
    """The status this transaction read under its share lock of the period, or None when it holds none."""
    known = session.info.get(_LOCKS, {}).get((cooperative_id, year, month))
    if known is None or known[0] is None or not known[0].is_active:
        return None
    return known[1]


def _coop_id(obj):
    if obj.cooperative_id is not None:
        return obj.cooperative_id
    return obj.cooperative.id if obj.cooperative is not None else None


def _before_flush(session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, (JournalEntry, JournalLine)):
            raise ImmutableEntryError(_l("A posted journal entry cannot be deleted; post a reversing entry."))
    for obj in session.dirty:
        if isinstance(obj, (JournalEntry, JournalLine)) and session.is_modified(obj, include_collections=False):
            raise ImmutableEntryError(_l("A posted journal entry cannot be changed; post a reversing entry."))
    for obj in session.new:
        if isinstance(obj, JournalLine):
            entry = obj.entry
            if entry is None or entry not in session.new:
                raise ImmutableEntryError(_l("Lines cannot be added to a posted journal entry."))
            account = obj.account
            if account is not None and _coop_id(account) != _coop_id(obj):
                raise LedgerError(_l("Account %(code)s belongs to another cooperative.", code=account.code))
        elif isinstance(obj, JournalEntry):
            lines = list(obj.lines)
            debit = sum((l.debit or Decimal(0) for l in lines), Decimal(0))
            credit = sum((l.credit or Decimal(0) for l in lines), Decimal(0))
            if len(lines) < 2 or debit != credit or debit <= 0:
                raise LedgerError(_l("A journal entry needs at least two lines and equal debits and credits."))
            coop_id = _coop_id(obj)
            if obj.entry_type != "penutup" and coop_id is not None and obj.entry_date is not None:
                known = locked_period_status(session, coop_id, obj.entry_date.year, obj.entry_date.month)
                with session.no_autoflush:
                    if known == "closed" or (known is None and period_is_closed(session, coop_id, obj.entry_date)):
                        raise ClosedPeriodError(_l("The period %(period)s is closed; nothing can be posted in it.",
                                                   period=f"{obj.entry_date.month:02d}/{obj.entry_date.year}"))


def _create_chart(mapper, connection, target):
    from .services import chart_rows

    connection.execute(Account.__table__.insert(), chart_rows(target.id))


event.listen(Session, "before_flush", _before_flush)
event.listen(Cooperative, "after_insert", _create_chart)
