"""What every savings verb shares: roles, amounts, the cooperative's today, balances, receipt numbers, the
transaction date check, idempotent replay and the one write path (transaction row + journal)."""
import uuid
from datetime import date
from decimal import Decimal

from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import select, update

from app.cooperatives.models import Cooperative
from app.core.upsert import next_number, upsert
from app.core.dates import local_today as _today_for
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.money import parse_rupiah

from ..models import KIND_LABELS, ZERO, ReceiptCounter, SavingsBalance, SavingsTransaction

DEFAULT_MAX_AMOUNT = Decimal("1000000000")
ENTRY_ROLES = {"Sekretaris", "Pengurus"}
BOARD_ROLES = {"Pengurus"}
KIND_PURPOSE = {"pokok": "simpanan_pokok", "wajib": "simpanan_wajib", "sukarela": "simpanan_sukarela"}
CASH_PURPOSE = "kas"
LOSS_PURPOSE = "shu_belum_dibagi"  # a member's share of accumulated losses offsets the uncovered loss
ENDED_STATUSES = ("keluar", "meninggal", "diberhentikan")


class SukarelaInsufficient(DomainError):
    """The withdrawal exceeds the member's sukarela balance."""


class IdempotencyConflict(DomainError):
    """The idempotency key was already used for a different operation."""


# -- who may do what --------------------------------------------------------------------------------------------

def _role_names(user):
    return {r.name for r in getattr(user, "roles", None) or []}


def require_role(user, allowed, message):
    admin = current_app.config.get("AUTH_ROLE_ADMIN", "Admin") if has_app_context() else "Admin"
    names = _role_names(user)
    if user is None or not (admin in names or names & allowed):
        raise DomainError(message)


def actor_name(user):
    from app.members.services import _who

    return _who(user)[1] or ("system" if user is not None else None)


# -- amounts and dates ------------------------------------------------------------------------------------------

def max_amount():
    """The savings ceiling (``SAVINGS_MAX_AMOUNT``, default Rp 1 miliar), lower than the parser's Rp 1 triliun."""
    if has_app_context():
        return Decimal(str(current_app.config.get("SAVINGS_MAX_AMOUNT", DEFAULT_MAX_AMOUNT)))
    return DEFAULT_MAX_AMOUNT


def parse_amount(value, field="amount", label=None):
    """A positive whole-rupiah Decimal: ``app.core.money.parse_rupiah`` with the savings ceiling."""
    return parse_rupiah(value, field, label, maximum=max_amount())


def local_today(coop):
    """The cooperative's today (``app.core.dates``: its own time zone)."""
    return _today_for(coop)


def _coop(session, cooperative_id):
    if isinstance(cooperative_id, Cooperative):
        return cooperative_id
    coop = session.get(Cooperative, cooperative_id) if cooperative_id is not None else None
    if coop is None:
        raise NotFound(gettext("Koperasi tidak ditemukan."), "cooperative")
    return coop


_insert = upsert  # kept name: the savings modules and tests import it from here



# -- balances ---------------------------------------------------------------------------------------------------

def balances(session, member_id):
    rows = session.execute(select(SavingsBalance.kind, SavingsBalance.balance)
                           .where(SavingsBalance.member_id == member_id)).all()
    out = {k: ZERO for k in KIND_LABELS}
    out.update({k: Decimal(b).quantize(Decimal("0.01")) for k, b in rows})
    return out


def _add_to_balance(session, coop_id, member_id, kind, amount):
    table = SavingsBalance.__table__
    stmt = _insert(session, table).values(cooperative_id=coop_id, member_id=member_id, kind=kind, balance=amount)
    session.execute(stmt.on_conflict_do_update(index_elements=["member_id", "kind"],
                                               set_={"balance": table.c.balance + amount}))


def _take_from_balance(session, member_id, kind, amount):
    """The conditional UPDATE: True when the balance covered ``amount`` (and now holds the row lock)."""
    result = session.execute(
        update(SavingsBalance).where(SavingsBalance.member_id == member_id, SavingsBalance.kind == kind,
                                     SavingsBalance.balance >= amount)
        .values(balance=SavingsBalance.balance - amount).execution_options(synchronize_session=False))
    return result.rowcount == 1


# -- receipts ---------------------------------------------------------------------------------------------------

def receipt_number(year, seq):
    return f"KW-{year}-{seq:06d}"


def _next_receipt(session, cooperative_id, year):
    return next_number(session, ReceiptCounter.__table__, cooperative_id, year)


# -- deposits and withdrawals -----------------------------------------------------------------------------------

def new_idempotency_key():
    return uuid.uuid4().hex


def _member(session, member_or_id):
    from app.members.models import Member

    member = member_or_id if isinstance(member_or_id, Member) else (
        session.get(Member, int(member_or_id)) if str(member_or_id or "").isdigit() else None)
    if member is None:
        raise ValidationFailed(gettext("Pilih anggota."), "member")
    return member


def check_tx_date(session, coop, tx_date, today=None):
    from app.ledger.guards import period_is_closed

    if not isinstance(tx_date, date):
        raise ValidationFailed(gettext("Tanggal wajib diisi (dd/mm/yyyy)."), "tx_date")
    today = today or local_today(coop)
    if tx_date > today:
        raise ValidationFailed(gettext("Tanggal tidak boleh di masa depan."), "tx_date")
    if tx_date < date(2000, 1, 1):
        raise ValidationFailed(gettext("Tanggal tidak masuk akal."), "tx_date")
    if period_is_closed(session, coop.id, tx_date):
        raise ValidationFailed(gettext("Periode %(p)s sudah ditutup; pilih tanggal di periode yang masih terbuka.",
                                       p=f"{tx_date.month:02d}/{tx_date.year}"), "tx_date")
    return tx_date


def _replay(session, coop_id, key, member, kind, direction, amount):
    if not key:
        raise ValidationFailed(gettext("Formulir tidak lengkap; muat ulang halaman."), "idempotency_key")
    key = str(key)[:64]
    existing = session.execute(select(SavingsTransaction).where(SavingsTransaction.cooperative_id == coop_id,
                                                                SavingsTransaction.idempotency_key == key)).scalar()
    if existing is None:
        return key, None
    if (existing.member_id, existing.kind, existing.direction, existing.amount) != (member.id, kind, direction,
                                                                                     amount):
        raise IdempotencyConflict(gettext("Formulir ini sudah pernah dikirim untuk transaksi lain; muat ulang "
                                          "halaman."), "idempotency_key")
    return key, existing


def find_by_key(session, cooperative_id, key):
    return session.execute(select(SavingsTransaction).where(SavingsTransaction.cooperative_id == cooperative_id,
                                                            SavingsTransaction.idempotency_key == key)).scalar()


def _write(session, coop, member, kind, direction, amount, tx_date, key, note, acting_user, lines, description):
    """Receipt number, transaction row, then its journal, all in the caller's transaction (lock order everywhere:
    the member's balance or bills, the receipt counter, then the ledger's period and entry counter)."""
    from app.ledger.services import post_entry

    seq = _next_receipt(session, coop.id, tx_date.year)
    tx = SavingsTransaction(cooperative=coop, cooperative_id=coop.id, member=member, kind=kind,
                            direction=direction, amount=amount, tx_date=tx_date, idempotency_key=key,
                            note=(note or "").strip()[:255] or None, created_by=actor_name(acting_user),
                            receipt_year=tx_date.year, receipt_seq=seq, receipt_number=receipt_number(tx_date.year,
                                                                                                        seq))
    session.add(tx)
    session.flush()
    entry = post_entry(session, cooperative_id=coop.id, entry_date=tx_date, description=description, lines=lines,
                       reference=tx.receipt_number, source_type="savings_transaction", source_id=tx.id,
                       acting_user=acting_user)
    tx.journal_entry_id = entry.id
    session.flush()
    return tx


