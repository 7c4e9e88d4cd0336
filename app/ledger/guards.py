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
from sqlalchemy.orm import Session

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
                with session.no_autoflush:
                    if period_is_closed(session, coop_id, obj.entry_date):
                        raise ClosedPeriodError(_l("The period %(period)s is closed; nothing can be posted in it.",
                                                   period=f"{obj.entry_date.month:02d}/{obj.entry_date.year}"))


def _create_chart(mapper, connection, target):
    from .services import chart_rows

    connection.execute(Account.__table__.insert(), chart_rows(target.id))


event.listen(Session, "before_flush", _before_flush)
event.listen(Cooperative, "after_insert", _create_chart)
