"""The ledger's rules: the one posting service every module uses, reversals, periods, year-end close, the chart.

Every function takes the caller's session and never commits: the caller's business row, its journal entry and the
audit rows (written by ``app.core.audit`` at flush) commit together or not at all (design.md §3, reliability §4.6).

Concurrency (reliability §4.5):

* a posting first makes sure the period row of its month exists (``INSERT .. ON CONFLICT DO NOTHING``), then reads
  it ``FOR SHARE``; closing a month reads it ``FOR UPDATE``. On PostgreSQL the two serialise: a posting racing a
  close either commits before the close takes its lock, or waits and then sees the period closed and is refused.
  SQLite has a single writer: the period upsert takes the database write lock for the rest of the transaction.
* the entry number comes from ``journal_counter`` by ``INSERT .. ON CONFLICT DO UPDATE SET last_number =
  last_number + 1 RETURNING last_number``: the row stays locked until the posting commits, and a rolled-back
  posting rolls its number back, so numbers are gapless per cooperative and year (never ``count()+1``). The
  counter is taken last, after every check, so a refused posting never consumes a number.
* lock order is always period, then counter; a close takes only the period.
"""
import re
from calendar import monthrange
from collections import namedtuple
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select

from app.cooperatives.models import BusinessUnit, Cooperative
from app.core.audit import utcnow
from app.core.formatting import tanggal
from app.core.upsert import next_number, upsert_rows
from app.core.errors import ValidationFailed
from app.core.scope import unscoped

from .balances import record_entry
from .chart import DEFAULT_PURPOSES, KINDS, NOMINAL_KINDS, NORMAL_BALANCE, TEMPLATE, kind_for_code
from .guards import (ClosedPeriodError, ImmutableEntryError, LedgerError, forget_period,  # noqa: F401
                     locked_period_status, period_is_closed, remember_period)
from .models import (ZERO, Account, AccountPurpose, JournalCounter, JournalEntry, JournalLine, LedgerYear, Period)

CENT = Decimal("0.01")


class UnbalancedEntryError(LedgerError):
    """Debits and credits differ, or the entry has too few lines."""


class AccountError(LedgerError):
    """An account is unknown, inactive, a group, or belongs to another cooperative."""


class FutureDateError(LedgerError):
    """The date lies after today in the cooperative's time zone."""


class OverdrawnCashError(LedgerError):
    """A posting would take a kas or bank account below zero on its date or at a later date."""


# -- time zones (Permendagri regions -> WIB / WITA / WIT) ------------------------------------------------------

# Business dates live in app.core.dates; re-exported here for the modules that import them from the ledger.
from app.core.dates import WIB, WIT, WITA, cooperative_timezone, local_today  # noqa: E402,F401


# -- chart of accounts ------------------------------------------------------------------------------------------

def chart_rows(cooperative_id, existing_codes=()):
    """Rows of the template chart for one cooperative (those not already present)."""
    return [dict(cooperative_id=cooperative_id, code=code, name=name, kind=kind, normal_balance=NORMAL_BALANCE[kind],
                 is_header=header, is_active=True, member_flag=flag, is_system=True, version=1)
            for code, name, kind, header, flag in TEMPLATE if code not in existing_codes]


def ensure_chart_of_accounts(session, cooperative):
    """Give ``cooperative`` every template account it lacks (idempotent; the cooperative insert hook calls the
    same rows, so this only repairs charts of cooperatives made before the ledger existed)."""
    coop_id = cooperative if isinstance(cooperative, int) else cooperative.id
    existing = set(session.execute(select(Account.code).where(Account.cooperative_id == coop_id),
                                   execution_options=unscoped()).scalars())
    rows = chart_rows(coop_id, existing)
    if rows:
        session.execute(Account.__table__.insert(), rows)


def account_code(session, cooperative_id, purpose):
    """The account code a cooperative uses for ``purpose`` (its own mapping, else the KKMP default)."""
    return account_codes(session, cooperative_id, purpose)[0]


def account_codes(session, cooperative_id, *purposes):
    """The account codes for several purposes at once (one statement; the posting path asks for kas and bank on
    every entry), in the order asked."""
    own = dict(session.execute(select(AccountPurpose.purpose, AccountPurpose.account_code)
                               .where(AccountPurpose.cooperative_id == cooperative_id,
                                      AccountPurpose.purpose.in_(purposes)),
                               execution_options=unscoped()).all())
    codes = []
    for purpose in purposes:
        if own.get(purpose):
            codes.append(own[purpose])
        elif purpose in DEFAULT_PURPOSES:
            codes.append(DEFAULT_PURPOSES[purpose])
        else:
            raise AccountError(_l("Unknown account or purpose: %(key)s.", key=purpose), "lines")
    return codes


def set_account_purpose(session, cooperative_id, purpose, code, acting_user=None):
    """Point a purpose at another account of the cooperative (e.g. simpanan wajib as a liability)."""
    if purpose not in DEFAULT_PURPOSES:
        raise ValidationFailed(_l("Unknown purpose %(p)s.", p=purpose), "purpose")
    account = _account_by_code(session, cooperative_id, code)
    if account is None or account.is_header or not account.is_active:
        raise AccountError(_l("Account %(code)s is not an active posting account of this cooperative.", code=code),
                           "account_code")
    row = session.execute(select(AccountPurpose).where(AccountPurpose.cooperative_id == cooperative_id,
                                                       AccountPurpose.purpose == purpose)).scalar()
    if row is None:
        row = AccountPurpose(cooperative_id=cooperative_id, purpose=purpose, account_code=code)
        session.add(row)
    else:
        row.account_code = code
    session.flush()
    return row


def purposes_of(session, cooperative_id, code):
    """Purposes currently mapped to ``code`` for this cooperative."""
    own = dict(session.execute(select(AccountPurpose.purpose, AccountPurpose.account_code)
                               .where(AccountPurpose.cooperative_id == cooperative_id),
                               execution_options=unscoped()).all())
    mapping = dict(DEFAULT_PURPOSES, **own)
    return sorted(p for p, c in mapping.items() if c == code)


def _account_by_code(session, cooperative_id, code):
    return session.execute(select(Account).where(Account.cooperative_id == cooperative_id,
                                                 Account.code == code)).scalar()


def account_has_postings(session, account_id):
    return session.execute(select(exists().where(JournalLine.account_id == account_id)),
                           execution_options=unscoped()).scalar()


def check_account(session, account, existing=None):
    """Rules for adding an account (code, kind, parent) or changing one (deactivation)."""
    coop_id = account.cooperative.id if account.cooperative is not None else account.cooperative_id
    if existing is None:
        code = (account.code or "").strip()
        if not re.fullmatch(r"[1-5][0-9]{5}", code):
            raise ValidationFailed(_l("The account code must be 6 digits starting with 1 to 5."), "code")
        account.code = code
        implied = kind_for_code(code)
        if account.kind is None:
            account.kind = implied
        if account.kind not in KINDS or (account.kind != implied and {account.kind, implied} != {"hpp", "beban"}):
            raise ValidationFailed(_l("Accounts starting with %(d)s are %(kind)s.", d=code[0], kind=implied), "kind")
        if account.member_flag and account.kind != "pendapatan":
            raise ValidationFailed(_l("Only revenue accounts are split by member and non-member."), "member_flag")
        account.normal_balance = NORMAL_BALANCE[account.kind]
        if coop_id is not None and session.execute(
                select(Account.id).where(Account.cooperative_id == coop_id, Account.code == code),
                execution_options=unscoped()).first():
            raise ValidationFailed(_l("Account %(code)s already exists in this chart.", code=code), "code")
        account.is_system = False
        if account.is_active is None:
            account.is_active = True
        if account.is_header is None:
            account.is_header = False
    elif existing.is_active and account.is_active is False:
        used_for = purposes_of(session, coop_id, existing.code)
        if used_for:
            raise ValidationFailed(_l("This account is used for %(p)s; map that purpose to another account first.",
                                      p=", ".join(used_for)), "is_active")
        debit, credit = session.execute(
            select(func.coalesce(func.sum(JournalLine.debit), 0), func.coalesce(func.sum(JournalLine.credit), 0))
            .where(JournalLine.account_id == existing.id), execution_options=unscoped()).one()
        if Decimal(debit) != Decimal(credit):
            raise ValidationFailed(_l("An account with a balance cannot be deactivated."), "is_active")
    return account


def check_delete_account(session, account):
    if account_has_postings(session, account.id):
        raise LedgerError(_l("An account with postings cannot be deleted; deactivate it instead."))
    if account.is_system:
        raise LedgerError(_l("Accounts of the KKMP template cannot be deleted; deactivate it instead."))


def add_account(session, cooperative_id, code, name, kind=None, member_flag=None, acting_user=None):
    account = Account(cooperative_id=cooperative_id, code=code, name=(name or "").strip(), kind=kind,
                      member_flag=member_flag, is_active=True, is_header=False)
    if not account.name:
        raise ValidationFailed(_l("The account name is required."), "name")
    check_account(session, account)
    session.add(account)
    session.flush()
    return account


# -- amounts --------------------------------------------------------------------------------------------------

def to_amount(value, field="lines"):
    """A non-negative Decimal with at most two decimals (floats refused: they are not exact)."""
    if value is None or value == "":
        return ZERO
    if isinstance(value, float) or isinstance(value, bool):
        raise ValidationFailed(_l("Amounts must be exact (Decimal), not floating point."), field)
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_l("%(v)s is not an amount.", v=str(value)), field) from None
    if not amount.is_finite():
        raise ValidationFailed(_l("%(v)s is not an amount.", v=str(value)), field)
    if amount != amount.quantize(CENT):
        raise ValidationFailed(_l("Amounts have at most two decimals (sen)."), field)
    return amount.quantize(CENT)


# -- posting --------------------------------------------------------------------------------------------------

ParsedLine = namedtuple("ParsedLine", "key debit credit memo")


def _parse_lines(lines):
    parsed = []
    for raw in lines:
        raw = tuple(raw)
        if len(raw) not in (3, 4):
            raise ValidationFailed(_l("A journal line is (account, debit, credit[, memo])."), "lines")
        key, debit, credit = str(raw[0]).strip(), to_amount(raw[1]), to_amount(raw[2])
        memo = (raw[3] or None) if len(raw) == 4 else None
        if debit < 0 or credit < 0:
            raise UnbalancedEntryError(_l("Amounts cannot be negative."), "lines")
        if (debit > 0) == (credit > 0):
            raise UnbalancedEntryError(_l("Each line has either a debit or a credit amount, greater than zero."),
                                       "lines")
        parsed.append(ParsedLine(key, debit, credit, memo))
    if len(parsed) < 2:
        raise UnbalancedEntryError(_l("A journal entry needs at least two lines."), "lines")
    debit = sum((l.debit for l in parsed), ZERO)
    credit = sum((l.credit for l in parsed), ZERO)
    if debit != credit:
        raise UnbalancedEntryError(_l("Debits (%(d)s) and credits (%(c)s) are not equal.", d=_rp(debit),
                                      c=_rp(credit)), "lines")
    return parsed, debit


def _rp(amount):
    from app.core.formatting import rupiah
    return rupiah(amount, with_cents=amount != amount.quantize(Decimal(1)))


def _cooperative(session, cooperative_id):
    if isinstance(cooperative_id, Cooperative):
        return cooperative_id
    try:
        coop = session.get(Cooperative, int(cooperative_id)) if cooperative_id is not None else None
    except (TypeError, ValueError):
        coop = None
    if coop is None:
        raise LedgerError(_l("Unknown cooperative."), "cooperative")
    return coop


def _ensure_period_row(session, cooperative_id, year, month):
    upsert_rows(session, Period.__table__, [{"cooperative_id": cooperative_id, "year": year, "month": month,
                                             "status": "open", "version": 1}], ("cooperative_id", "year", "month"))


def lock_period_for_posting(session, cooperative_id, day):
    """Make sure the month's period row exists and hold it FOR SHARE until commit; return its status. Asked again
    in the same transaction (a sale checks its date first, then posts), the status read under the lock is
    answered without a statement (guards.locked_period_status)."""
    known = locked_period_status(session, cooperative_id, day.year, day.month)
    if known is not None:
        return known
    table = Period.__table__
    stmt = (select(table.c.status).where(table.c.cooperative_id == cooperative_id, table.c.year == day.year,
                                         table.c.month == day.month).with_for_update(read=True))
    if session.get_bind().dialect.name == "sqlite":
        # SQLite: the upsert first, always. It takes the database's one write lock at once, which serialises two
        # postings before either reads the cash balance (check_cash_not_overdrawn).
        _ensure_period_row(session, cooperative_id, day.year, day.month)
        status = session.execute(stmt).scalar_one()
    else:
        # PostgreSQL: the month's row exists for all but its first posting, so it is held first and created only
        # when missing (an upsert that finds the row still costs a statement on every posting).
        status = session.execute(stmt).scalar()
        if status is None:
            _ensure_period_row(session, cooperative_id, day.year, day.month)
            status = session.execute(stmt).scalar_one()
    remember_period(session, cooperative_id, day.year, day.month, status)
    return status


def _next_number(session, cooperative_id, year):
    return next_number(session, JournalCounter.__table__, cooperative_id, year)


def entry_number(year, seq):
    return f"JU-{year}-{seq:06d}"


def _actor_name(acting_user):
    if acting_user is None:
        return None, "system"
    return getattr(acting_user, "id", None), getattr(acting_user, "username", str(acting_user))


def _closed_message(day):
    return _l("The period %(period)s is closed; nothing can be posted in it.", period=f"{day.month:02d}/{day.year}")


def post_entry(session, *, cooperative_id, entry_date, description, lines, reference=None, business_unit_id=None,
               source_type=None, source_id=None, acting_user=None, _entry_type="umum", _reverses_id=None,
               _allow_closed=False, _now=None):
    """Validate, number, add and flush one balanced journal entry; never commits.

    :param lines: iterable of ``(account code or purpose, debit, credit[, memo])`` with Decimal amounts.
    :raises LedgerError: (a DomainError) unbalanced, fewer than two lines, a zero/negative/two-sided line, an
        unknown, inactive, group or foreign account, a future date, a date in a closed period.
    """
    coop = _cooperative(session, cooperative_id)
    if not isinstance(entry_date, date) or isinstance(entry_date, datetime):
        raise ValidationFailed(_l("The date is required."), "entry_date")
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_l("The description is required."), "description")
    parsed, total = _parse_lines(lines)
    if entry_date > local_today(coop, _now):
        raise FutureDateError(_l("The date cannot be in the future."), "entry_date")
    unit = None
    if business_unit_id not in (None, ""):
        try:
            unit = session.get(BusinessUnit, int(business_unit_id))
        except (TypeError, ValueError):
            unit = None
        if unit is None or unit.cooperative_id != coop.id:
            raise ValidationFailed(_l("Unknown business unit."), "business_unit")

    # Purposes and accounts of every line in one statement each (a sale or a redemption posts four to six lines).
    # The kas and bank accounts (the cash check below) are asked in the same statement.
    purposes = [line.key for line in parsed if not re.fullmatch(r"[0-9]{6}", line.key)]
    *found, kas, bank = account_codes(session, coop.id, *purposes, "kas", "bank")
    by_purpose = dict(zip(purposes, found))
    codes = [by_purpose.get(line.key, line.key) for line in parsed]
    chart = {a.code: a for a in session.execute(select(Account).where(Account.cooperative_id == coop.id,
                                                                      Account.code.in_(set(codes)))).scalars()}
    accounts = []
    for code in codes:
        account = chart.get(code)
        if account is None:
            raise AccountError(_l("Account %(code)s is not in this cooperative's chart.", code=code), "lines")
        if not account.is_active:
            raise AccountError(_l("Account %(code)s %(name)s is inactive.", code=code, name=account.name), "lines")
        if account.is_header:
            raise AccountError(_l("Account %(code)s %(name)s is a group; post to one of its sub-accounts.",
                                  code=code, name=account.name), "lines")
        accounts.append(account)

    status = lock_period_for_posting(session, coop.id, entry_date)
    if status == "closed" and not _allow_closed:
        raise ClosedPeriodError(_closed_message(entry_date), "entry_date")
    check_cash_not_overdrawn(session, coop.id, entry_date, parsed, accounts, _cash_prefixes(kas, bank))

    seq = _next_number(session, coop.id, entry_date.year)
    user_id, username = _actor_name(acting_user)
    entry = JournalEntry(cooperative_id=coop.id, number=entry_number(entry_date.year, seq), year=entry_date.year,
                         seq=seq, entry_date=entry_date, description=description[:255],
                         reference=(reference or None) and str(reference)[:60], business_unit=unit,
                         source_type=source_type, source_id=None if source_id is None else str(source_id),
                         reverses_id=_reverses_id, entry_type=_entry_type, status="posted", posted_at=utcnow(),
                         posted_by_id=user_id, posted_by=username, total=total)
    for i, (line, account) in enumerate(zip(parsed, accounts), start=1):
        entry.lines.append(JournalLine(cooperative_id=coop.id, line_no=i, account=account, debit=line.debit,
                                       credit=line.credit, memo=line.memo and str(line.memo)[:255]))
    session.add(entry)
    session.flush()
    # The balances every statement reads, in the same transaction (balances.py).
    record_entry(session, entry, [(account, line.debit, line.credit) for line, account in zip(parsed, accounts)],
                 unit_id=unit.id if unit is not None else None)
    return entry


# -- kas and bank never below zero ------------------------------------------------------------------------------

def _cash_prefixes(*codes):
    """Code prefixes of the cooperative's cash accounts from the codes its ``kas`` and ``bank`` purposes map to:
    those accounts and their sub-accounts (111000 -> 111xxx), the set the buku kas / bank and the cash flow read."""
    return [(code.rstrip("0") or code) for code in codes]


def is_cash_account(account, prefixes):
    return not account.is_header and any(account.code.startswith(p) for p in prefixes)


def _cash_total(session, cooperative_id, account_id):
    """The account's balance over every kept month (written by every posting, checked by ``reconcile``), later
    months included. Summing every line since the first posting took ~230 ms at 90,000 kas lines, on every
    payment; this reads one row per month."""
    from .balances import AccountBalance

    b = AccountBalance.__table__
    total = session.execute(
        select(func.coalesce(func.sum(b.c.debit - b.c.credit), 0))
        .where(b.c.cooperative_id == cooperative_id, b.c.account_id == account_id)).scalar()
    return Decimal(total).quantize(CENT)


def check_cash_not_overdrawn(session, cooperative_id, entry_date, parsed, accounts, prefixes):
    """Refuse a posting that would leave a kas or bank account below zero at the end of its date or of any later
    date on which that account moved (a backdated payment must not overdraw a later day). Other accounts are free.

    The accounts the posting reduces are locked first (``SELECT ... FOR UPDATE`` on their ``account`` rows, in id
    order so two postings never deadlock), so two concurrent payments that each fit but not together are
    serialised: the second reads the first's committed lines and is refused. Only reductions lock: a receipt cannot
    overdraw. On SQLite the period upsert before this already holds the single write lock.
    """
    change = {}
    for line, account in zip(parsed, accounts):
        if is_cash_account(account, prefixes):
            change[account.id] = change.get(account.id, ZERO) + line.debit - line.credit
    reduced = sorted(account_id for account_id, delta in change.items() if delta < 0)
    if not reduced:
        return
    table = Account.__table__
    session.execute(select(table.c.id).where(table.c.id.in_(reduced)).order_by(table.c.id).with_for_update())
    for account_id in reduced:
        delta = change[account_id]
        # Later days on which the account moved, driven by the entries' (cooperative, date) index: for a posting
        # dated today there are none, for a backdated one the days since. The balance at the end of the entry's
        # date is the kept total less those later movements (no line of the month is summed).
        net = JournalLine.debit - JournalLine.credit
        later = session.execute(
            select(JournalEntry.entry_date, func.sum(net)).select_from(JournalEntry)
            .join(JournalLine, JournalEntry.id == JournalLine.entry_id)
            .where(JournalEntry.cooperative_id == cooperative_id, JournalEntry.entry_date > entry_date,
                   JournalLine.account_id == account_id)
            .group_by(JournalEntry.entry_date).order_by(JournalEntry.entry_date),
            execution_options=unscoped()).all()
        balance = _cash_total(session, cooperative_id, account_id) - sum((Decimal(m) for _d, m in later), ZERO)
        lowest, lowest_day = balance, entry_date
        running = balance
        for day, moved in later:
            running += Decimal(moved)
            if running < lowest:
                lowest, lowest_day = running.quantize(CENT), day
        if lowest + delta < 0:
            account = next(a for a in accounts if a.id == account_id)
            if lowest_day == entry_date:
                message = _l("%(code)s %(name)s would go below zero: its balance on %(day)s is %(balance)s and "
                             "this posting takes out %(amount)s.", code=account.code, name=account.name,
                             day=tanggal(entry_date), balance=_rp(balance), amount=_rp(-delta))
            else:
                message = _l("%(code)s %(name)s would go below zero on %(later)s: its balance then is %(balance)s "
                             "and this posting dated %(day)s takes out %(amount)s.", code=account.code,
                             name=account.name, later=tanggal(lowest_day), balance=_rp(lowest),
                             day=tanggal(entry_date), amount=_rp(-delta))
            raise OverdrawnCashError(message, "lines")


# Entries another domain posted for its own records: reversing one from the ledger alone would leave that
# record (a member's savings balance, a settlement) out of step with the books, so it is corrected where it was made.
OWNED_SOURCES = {
    "savings_transaction": _l("This entry belongs to a savings transaction: correct it with \"Batalkan (koreksi)\" "
                              "on that transaction, so the member's balance follows."),
    "exit_settlement": _l("This entry belongs to the settlement of a member who left; it cannot be reversed "
                          "from the ledger."),
    "shu_distribution": _l("This entry is the SHU distribution decided by the RAT; it cannot be reversed from the "
                           "ledger."),
    "shu_payment": _l("This entry pays a member's SHU; it cannot be reversed from the ledger."),
    "inv_sale": _l("This entry belongs to a kiosk sale: void the sale, so the stock follows."),
    "inv_goods_receipt": _l("This entry belongs to a goods receipt; it cannot be reversed from the ledger, the "
                            "stock would no longer match."),
    "pupuk_redemption": _l("This entry belongs to a fertiliser redemption: correct the redemption, so the stock "
                           "and the farmer's quota follow."),
}


def reverse_entry(session, entry, entry_date, reason, acting_user=None, _now=None, _owner=None):
    """Post the mirror image of ``entry`` (debits and credits swapped), referencing it, dated in an open period.

    ``_owner``: the source type of the domain service calling (e.g. "savings_transaction"), which may reverse its
    own entries; from the ledger screens and API an entry of OWNED_SOURCES is refused.
    """
    if not isinstance(entry, JournalEntry):
        entry = session.get(JournalEntry, entry)
        if entry is None:
            raise LedgerError(_l("Unknown journal entry."))
    if entry.source_type in OWNED_SOURCES and entry.source_type != _owner:
        raise LedgerError(OWNED_SOURCES[entry.source_type])
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationFailed(_l("Write the reason for the reversal."), "reason")
    if entry.entry_type == "penutup":
        raise LedgerError(_l("A year-end closing entry cannot be reversed."))
    # A reversal dated before its entry would leave the books wrong for the days between (a cash balance that
    # never was, a statement of a month that shows the undoing but not the thing undone).
    if isinstance(entry_date, date) and not isinstance(entry_date, datetime) and entry_date < entry.entry_date:
        raise ValidationFailed(_l("The reversal cannot be dated before the entry it reverses (%(day)s).",
                                  day=tanggal(entry.entry_date)), "entry_date")
    already = session.execute(select(JournalEntry.number).where(JournalEntry.reverses_id == entry.id),
                              execution_options=unscoped()).scalar()
    if already:
        raise LedgerError(_l("This entry was already reversed by %(n)s.", n=already))
    lines = [(l.account.code, l.credit, l.debit, l.memo) for l in entry.lines]
    return post_entry(session, cooperative_id=entry.cooperative_id, entry_date=entry_date,
                      description=f"Pembalik {entry.number}: {reason}", lines=lines, reference=entry.number,
                      business_unit_id=entry.business_unit_id, source_type="journal_entry", source_id=entry.id,
                      acting_user=acting_user, _entry_type="pembalik", _reverses_id=entry.id, _now=_now)


# -- periods --------------------------------------------------------------------------------------------------

def _role_names(user):
    return {r.name for r in getattr(user, "roles", [])} if user is not None else set()


def _locked_period(session, cooperative_id, year, month):
    # This session is about to change the month's status: what a posting of this transaction read is stale.
    forget_period(session, cooperative_id, year, month)
    _ensure_period_row(session, cooperative_id, year, month)
    return session.execute(select(Period).where(Period.cooperative_id == cooperative_id, Period.year == year,
                                                Period.month == month)
                           .with_for_update(of=Period).execution_options(populate_existing=True)).scalar_one()


def _check_month(year, month):
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Choose a month and a year."), "month") from None
    if not 1 <= month <= 12 or not 2000 <= year <= 2200:
        raise ValidationFailed(_l("Choose a month and a year."), "month")
    return year, month


def close_period(session, cooperative_id, year, month, acting_user=None, _now=None):
    """Close a month (Pengurus): afterwards nothing can be posted or reversed with a date in it."""
    coop = _cooperative(session, cooperative_id)
    year, month = _check_month(year, month)
    if date(year, month, monthrange(year, month)[1]) >= local_today(coop, _now):
        raise ValidationFailed(_l("A month can be closed only after it has ended."), "month")
    period = _locked_period(session, coop.id, year, month)
    if period.status == "closed":
        raise LedgerError(_l("The period %(p)s is already closed.", p=period.label))
    period.status = "closed"
    period.closed_at = utcnow()  # taken after the lock: every posting that got in before committed earlier
    period.closed_by = _actor_name(acting_user)[1]
    session.flush()
    return period


# Called as hook(session, period, reason, acting_user) in the reopen transaction, after the period is open again:
# a domain that hangs state on a closed month (the monthly review of app.oversight) registers here, so that the
# ledger does not import it.
REOPEN_HOOKS = []


def reopen_period(session, cooperative_id, year, month, reason, acting_user=None):
    """Reopen a closed month (Sudin or Admin only), with a written reason kept in the audit log."""
    coop = _cooperative(session, cooperative_id)
    year, month = _check_month(year, month)
    if acting_user is not None and not _role_names(acting_user) & {"Sudin", "Admin"}:
        raise LedgerError(_l("Only the Sudin or an administrator may reopen a period."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed(_l("Write the reason for reopening (at least 10 characters)."), "reason")
    if session.execute(select(LedgerYear.id).where(LedgerYear.cooperative_id == coop.id, LedgerYear.year == year),
                       execution_options=unscoped()).first():
        raise LedgerError(_l("The financial year %(y)s is closed; its months cannot be reopened.", y=year))
    period = _locked_period(session, coop.id, year, month)
    if period.status != "closed":
        raise LedgerError(_l("The period %(p)s is not closed.", p=period.label))
    period.status = "open"
    period.reopened_at = utcnow()
    period.reopened_by = _actor_name(acting_user)[1]
    period.reopen_reason = reason
    session.flush()
    for hook in REOPEN_HOOKS:
        hook(session, period, reason, acting_user)
    return period


# -- balances and year end ------------------------------------------------------------------------------------

Balance = namedtuple("Balance", "account_id code name kind normal_balance debit credit")


def account_balances(session, cooperative_id, date_from=None, date_to=None, business_unit_id=None,
                     kinds=None, exclude_types=()):
    """Debit and credit totals per account, aggregated in SQL (only accounts with postings)."""
    conds = [JournalLine.cooperative_id == cooperative_id]
    if date_from is not None:
        conds.append(JournalEntry.entry_date >= date_from)
    if date_to is not None:
        conds.append(JournalEntry.entry_date <= date_to)
    if business_unit_id is not None:
        conds.append(JournalEntry.business_unit_id == business_unit_id)
    if kinds:
        conds.append(Account.kind.in_(kinds))
    if exclude_types:
        conds.append(JournalEntry.entry_type.notin_(exclude_types))
    stmt = (select(Account.id, Account.code, Account.name, Account.kind, Account.normal_balance,
                   func.coalesce(func.sum(JournalLine.debit), 0), func.coalesce(func.sum(JournalLine.credit), 0))
            .select_from(JournalLine).join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .join(Account, Account.id == JournalLine.account_id).where(and_(*conds))
            .group_by(Account.id, Account.code, Account.name, Account.kind, Account.normal_balance)
            .order_by(Account.code))
    return [Balance(a, c, n, k, nb, Decimal(d).quantize(CENT), Decimal(cr).quantize(CENT))
            for a, c, n, k, nb, d, cr in session.execute(stmt)]


def signed_balance(balance):
    """The balance on the account's normal side (positive when normal)."""
    diff = balance.debit - balance.credit
    return diff if balance.normal_balance == "D" else -diff


def trial_balance(session, cooperative_id, date_to=None, date_from=None, business_unit_id=None):
    """(rows, total debit, total credit); each row's net balance is shown on its debit or credit side."""
    rows = account_balances(session, cooperative_id, date_from, date_to, business_unit_id)
    total_debit = sum((max(b.debit - b.credit, ZERO) for b in rows), ZERO)
    total_credit = sum((max(b.credit - b.debit, ZERO) for b in rows), ZERO)
    return rows, total_debit, total_credit


def financial_year_start(session, cooperative, year):
    """1 January, or for the first financial year the founding date (earliest posting or akta date)."""
    coop = _cooperative(session, cooperative)
    first_post = session.execute(select(func.min(JournalEntry.entry_date)).where(JournalEntry.cooperative_id == coop.id),
                                 execution_options=unscoped()).scalar()
    candidates = [d for d in (first_post, coop.akta_date) if d is not None]
    founding = min(candidates) if candidates else None
    if founding is None or founding.year < year:
        return date(year, 1, 1)
    if founding.year == year:
        return founding
    raise LedgerError(_l("The cooperative had no financial year %(y)s.", y=year))


def close_year(session, cooperative_id, year, acting_user=None, _now=None):
    """Year-end close (tutup buku), once every month of the financial year is closed.

    1. Closing entry (``penutup``) dated 31 December: every revenue, HPP and expense account's balance for the year
       is moved to 316000 SHU tahun berjalan: Dr each revenue account by its (credit) balance, Cr each HPP/expense
       account by its (debit) balance, and the difference, the year's SHU, Cr 316000 (Dr when it is a loss). It is
       the only entry allowed into the closed December.
    2. Transfer entry (``pembuka``) dated 1 January of the next year: the balance of 316000 goes to 317000 SHU belum
       dibagi (Dr 316000 / Cr 317000; reversed sides for a loss). January must be open.
    Real accounts (aset, kewajiban, ekuitas) need no entry: balances are cumulative, so next year's opening balance
    of each is its closing balance (``opening_balances``); nominal accounts open at zero.
    """
    coop = _cooperative(session, cooperative_id)
    year = int(year)
    end = date(year, 12, 31)
    if local_today(coop, _now) <= end:
        raise LedgerError(_l("The financial year %(y)s has not ended yet.", y=year))
    if session.execute(select(LedgerYear.id).where(LedgerYear.cooperative_id == coop.id, LedgerYear.year == year),
                       execution_options=unscoped()).first():
        raise LedgerError(_l("The financial year %(y)s is already closed.", y=year))
    start = financial_year_start(session, coop, year)
    closed = set(session.execute(select(Period.month).where(Period.cooperative_id == coop.id, Period.year == year,
                                                            Period.status == "closed"),
                                 execution_options=unscoped()).scalars())
    missing = [m for m in range(start.month, 13) if m not in closed]
    if missing:
        raise LedgerError(_l("Close every month of %(y)s first (still open: %(m)s).", y=year,
                             m=", ".join(f"{m:02d}" for m in missing)))
    if period_is_closed(session, coop.id, date(year + 1, 1, 1)):
        raise ClosedPeriodError(_l("January %(y)s must be open to carry the SHU forward.", y=year + 1))

    shu_code = account_code(session, coop.id, "shu_berjalan")
    retained_code = account_code(session, coop.id, "shu_belum_dibagi")
    lines, shu = [], ZERO
    for b in account_balances(session, coop.id, date_from=start, date_to=end, kinds=NOMINAL_KINDS):
        net = b.debit - b.credit  # positive: debit balance
        if net == 0:
            continue
        lines.append((b.code, ZERO, net, "Penutupan") if net > 0 else (b.code, -net, ZERO, "Penutupan"))
        shu -= net
    closing = transfer = None
    if lines:
        if shu > 0:
            lines.append((shu_code, ZERO, shu, "SHU tahun berjalan"))
        elif shu < 0:
            lines.append((shu_code, -shu, ZERO, "Rugi tahun berjalan"))
        closing = post_entry(session, cooperative_id=coop.id, entry_date=end,
                             description=f"Jurnal penutup tahun buku {year}", lines=lines,
                             reference=f"TUTUP-{year}", source_type="year_close", source_id=year,
                             acting_user=acting_user, _entry_type="penutup", _allow_closed=True, _now=_now)
    carried = ZERO
    for b in account_balances(session, coop.id, date_to=end):
        if b.code == shu_code:
            carried = b.credit - b.debit
    if carried != 0:
        transfer_lines = ([(shu_code, carried, ZERO), (retained_code, ZERO, carried)] if carried > 0
                          else [(retained_code, -carried, ZERO), (shu_code, ZERO, -carried)])
        transfer = post_entry(session, cooperative_id=coop.id, entry_date=date(year + 1, 1, 1),
                              description=f"Pemindahan SHU tahun buku {year} ke SHU belum dibagi",
                              lines=transfer_lines, reference=f"TUTUP-{year}", source_type="year_close",
                              source_id=year, acting_user=acting_user, _entry_type="pembuka", _now=_now)
    record = LedgerYear(cooperative_id=coop.id, year=year, start_date=start, shu=shu, closed_at=utcnow(),
                        closed_by=_actor_name(acting_user)[1], closing_entry_id=closing and closing.id,
                        transfer_entry_id=transfer and transfer.id)
    session.add(record)
    session.flush()
    return record


def opening_balances(session, cooperative_id, year):
    """Opening balance of every account on 1 January of ``year``: the closing balance of the year before
    (real accounts carry; nominal accounts are zero once the previous year was closed)."""
    return {b.code: b.debit - b.credit for b in account_balances(session, cooperative_id, date_to=date(year - 1, 12, 31))
            if b.debit != b.credit}
