"""Rules of member savings (kkmp-domain.md §1.2): products, effective-dated wajib rates, monthly bills, deposits,
withdrawals, exit settlements, passbook and arrears.

Every state change is a plain function taking ``acting_user`` that validates, writes the business rows, posts the
journal through ``app.ledger.services.post_entry`` and leaves the audit rows to ``app.core.audit``, all in the
caller's transaction. None commits: the caller commits once, or rolls everything back.

Concurrency (reliability §4):

* sukarela withdrawals take the money with one conditional ``UPDATE savings_balance SET balance = balance - :a
  WHERE member_id = :m AND kind = 'sukarela' AND balance >= :a``; ``rowcount = 0`` is a refusal. The row lock holds
  until commit, so concurrent withdrawals serialise on it; ``CHECK (balance >= 0)`` is the backstop.
* wajib payments lock the member's open bills ``FOR UPDATE`` (oldest first) before settling them.
* the receipt number comes from ``savings_receipt_counter`` by an atomic upsert ``RETURNING``, taken last, so a
  refused operation never consumes a number and a rolled-back one rolls its number back (gapless per cooperative
  and year).
* the idempotency key is UNIQUE per cooperative: a replayed submission returns the transaction already written.
"""
import re
import uuid
from calendar import monthrange
from collections import namedtuple
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects import postgresql, sqlite

from app.cooperatives.models import Cooperative
from app.core.audit import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.formatting import rupiah
from app.core.scope import unscoped

from .models import (KIND_LABELS, MONTHS_ID, ZERO, ExitSettlement, ReceiptCounter, SavingsBalance, SavingsProduct,
                     SavingsTransaction, WajibBill, WajibRate)

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

_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,0{1,2})?$")
_PLAIN = re.compile(r"^\d+(,0{1,2})?$")


def max_amount():
    if has_app_context():
        return Decimal(str(current_app.config.get("SAVINGS_MAX_AMOUNT", DEFAULT_MAX_AMOUNT)))
    return DEFAULT_MAX_AMOUNT


def parse_amount(value, field="amount"):
    """A positive whole-rupiah Decimal from Indonesian input (``1.500.000``, ``1500000``, ``Rp 1.500.000``), an int,
    a Decimal or an integral spreadsheet number. Zero, negative, fractional, absurd (> the configured maximum),
    NaN/Infinity, floats with fractions and ``1,5``-style input are refused with a message naming the field."""
    label = gettext("Jumlah")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed(gettext("%(f)s wajib diisi.", f=label), field)
    if isinstance(value, bool):
        raise ValidationFailed(gettext("%(f)s harus berupa angka rupiah.", f=label), field)
    if isinstance(value, str):
        raw = value.strip()
        cleaned = re.sub(r"^rp\.?\s*", "", raw, flags=re.IGNORECASE).replace(" ", "")
        if cleaned.startswith("-"):
            raise ValidationFailed(gettext("%(f)s harus lebih dari nol.", f=label), field)
        if not (_GROUPED.match(cleaned) or _PLAIN.match(cleaned)):
            raise ValidationFailed(gettext("Tulis jumlah dalam rupiah utuh, misalnya 1.500.000 atau 1500000 "
                                           "(tertulis: %(v)s).", v=raw[:40]), field)
        amount = Decimal(cleaned.split(",")[0].replace(".", ""))
    else:
        try:
            amount = value if isinstance(value, Decimal) else Decimal(str(value))
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationFailed(gettext("%(f)s harus berupa angka rupiah.", f=label), field) from None
        if not amount.is_finite():
            raise ValidationFailed(gettext("%(f)s harus berupa angka rupiah.", f=label), field)
        if amount != amount.to_integral_value():
            raise ValidationFailed(gettext("%(f)s dalam rupiah utuh, tanpa sen.", f=label), field)
    if amount <= 0:
        raise ValidationFailed(gettext("%(f)s harus lebih dari nol.", f=label), field)
    if amount > max_amount():
        raise ValidationFailed(gettext("%(f)s terlalu besar (paling banyak %(max)s).", f=label,
                                       max=rupiah(max_amount())), field)
    return amount.quantize(Decimal("0.01"))


def local_today(coop):
    from app.ledger.services import local_today as ledger_today

    return ledger_today(coop)


def _coop(session, cooperative_id):
    if isinstance(cooperative_id, Cooperative):
        return cooperative_id
    coop = session.get(Cooperative, cooperative_id) if cooperative_id is not None else None
    if coop is None:
        raise NotFound(gettext("Koperasi tidak ditemukan."), "cooperative")
    return coop


def _insert(session, table):
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


# -- products and rates -----------------------------------------------------------------------------------------

def check_product(product, existing=None, session=None):
    """A product: pokok needs its one amount and 1-12 instalments; one product of each kind per cooperative."""
    from app.extensions import db

    session = session or db.session
    if product.kind not in KIND_LABELS:
        raise ValidationFailed(gettext("Pilih jenis simpanan."), "kind")
    if not (product.name or "").strip():
        product.name = str(KIND_LABELS[product.kind])
    product.name = product.name.strip()[:80]
    if product.kind == "pokok" or product.amount is not None:
        product.amount = parse_amount(product.amount, "amount")
    product.instalments = int(product.instalments or 1)
    if not 1 <= product.instalments <= 12:
        raise ValidationFailed(gettext("Cicilan simpanan pokok 1 sampai 12 kali."), "instalments")
    if product.kind != "pokok" and product.instalments != 1:
        raise ValidationFailed(gettext("Cicilan hanya untuk simpanan pokok."), "instalments")
    if product.decided_on and product.decided_on > date.today():
        raise ValidationFailed(gettext("Tanggal tidak boleh di masa depan."), "decided_on")
    coop_id = product.cooperative.id if product.cooperative is not None else product.cooperative_id
    stmt = select(SavingsProduct.id).where(SavingsProduct.cooperative_id == coop_id,
                                           SavingsProduct.kind == product.kind)
    if existing is not None and existing.id is not None:
        stmt = stmt.where(SavingsProduct.id != existing.id)
    if coop_id is not None and session.execute(stmt, execution_options=unscoped()).first():
        raise ValidationFailed(gettext("Koperasi ini sudah punya produk %(k)s.", k=KIND_LABELS[product.kind]),
                               "kind")
    return product


def check_rate(rate, existing=None, session=None):
    """A wajib rate starts on the first day of a month; one rate per month per cooperative."""
    from app.extensions import db

    session = session or db.session
    rate.amount = parse_amount(rate.amount, "amount")
    if rate.valid_from is None:
        raise ValidationFailed(gettext("Berlaku mulai wajib diisi."), "valid_from")
    rate.valid_from = rate.valid_from.replace(day=1)
    if rate.decided_on and rate.decided_on > date.today():
        raise ValidationFailed(gettext("Tanggal tidak boleh di masa depan."), "decided_on")
    coop_id = rate.cooperative.id if rate.cooperative is not None else rate.cooperative_id
    stmt = select(WajibRate.id).where(WajibRate.cooperative_id == coop_id, WajibRate.valid_from == rate.valid_from)
    if existing is not None and existing.id is not None:
        stmt = stmt.where(WajibRate.id != existing.id)
    if coop_id is not None and session.execute(stmt, execution_options=unscoped()).first():
        raise ValidationFailed(gettext("Sudah ada tarif yang berlaku mulai bulan itu."), "valid_from")
    if coop_id is not None:
        billed = session.execute(select(func.count(WajibBill.id)).where(
            WajibBill.cooperative_id == coop_id,
            (WajibBill.year * 100 + WajibBill.month) >= rate.valid_from.year * 100 + rate.valid_from.month),
            execution_options=unscoped()).scalar()
        if billed:
            raise ValidationFailed(gettext("Tagihan bulan itu sudah dibuat; tarif baru berlaku mulai bulan yang "
                                           "belum ditagih."), "valid_from")
    return rate


def set_product(session, cooperative_id, kind, acting_user, amount=None, instalments=1, name=None,
                decided_on=None, decision_ref=None):
    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menetapkan produk simpanan."))
    coop = _coop(session, cooperative_id)
    product = session.execute(select(SavingsProduct).where(SavingsProduct.cooperative_id == coop.id,
                                                           SavingsProduct.kind == kind)).scalar()
    existing = product
    if product is None:
        product = SavingsProduct(cooperative=coop, kind=kind)
    product.amount, product.instalments, product.name = amount, instalments, name
    product.decided_on, product.decision_ref = decided_on, decision_ref
    with session.no_autoflush:
        check_product(product, existing, session)
    session.add(product)
    session.flush()
    return product


def set_wajib_rate(session, cooperative_id, valid_from, amount, acting_user, decided_on=None, decision_ref=None):
    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menetapkan simpanan wajib."))
    coop = _coop(session, cooperative_id)
    rate = WajibRate(cooperative=coop, valid_from=valid_from, amount=amount, decided_on=decided_on,
                     decision_ref=decision_ref)
    with session.no_autoflush:
        check_rate(rate, None, session)
    session.add(rate)
    session.flush()
    return rate


def wajib_rate_for(session, cooperative_id, year, month):
    """The monthly wajib amount in effect in that month (None when no rate started yet)."""
    first = date(year, month, 1)
    return session.execute(select(WajibRate.amount).where(WajibRate.cooperative_id == cooperative_id,
                                                          WajibRate.valid_from <= first)
                           .order_by(WajibRate.valid_from.desc()).limit(1),
                           execution_options=unscoped()).scalar()


def product_of(session, cooperative_id, kind):
    return session.execute(select(SavingsProduct).where(SavingsProduct.cooperative_id == cooperative_id,
                                                        SavingsProduct.kind == kind)).scalar()


# -- bills ------------------------------------------------------------------------------------------------------

def _check_month(year, month):
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("Pilih bulan dan tahun."), "month") from None
    if not (1 <= month <= 12 and 2000 <= year <= 2200):
        raise ValidationFailed(gettext("Pilih bulan dan tahun."), "month")
    return year, month


def generate_wajib_bills(session, cooperative_id, year, month, acting_user, today=None):
    """Bill simpanan wajib of ``year``/``month`` to every member active in that month, at the rate in effect then.
    Only members whose status is still ``aktif`` are billed: a member who left, died or was expelled gets no new
    bill, also when an earlier month is billed late. Idempotent: members already billed for the month are skipped (and UNIQUE(member, year, month) backs it up).
    Returns the number of bills created."""
    from app.members.models import Member

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang membuat tagihan simpanan wajib."))
    coop = _coop(session, cooperative_id)
    year, month = _check_month(year, month)
    today = today or local_today(coop)
    if (year, month) > (today.year, today.month):
        raise ValidationFailed(gettext("Tagihan bulan yang akan datang belum dapat dibuat."), "month")
    amount = wajib_rate_for(session, coop.id, year, month)
    if amount is None:
        raise ValidationFailed(gettext("Belum ada tarif simpanan wajib yang berlaku pada %(m)s %(y)s.",
                                       m=MONTHS_ID[month - 1], y=year), "month")
    last_day = date(year, month, monthrange(year, month)[1])
    billed = select(WajibBill.member_id).where(WajibBill.cooperative_id == coop.id, WajibBill.year == year,
                                               WajibBill.month == month)
    members = session.execute(
        select(Member.id).where(Member.cooperative_id == coop.id, Member.status == "aktif",
                                func.coalesce(Member.active_since, Member.join_date) <= last_day,
                                Member.id.notin_(billed)).order_by(Member.id)).scalars().all()
    for member_id in members:
        session.add(WajibBill(cooperative_id=coop.id, cooperative=coop, member_id=member_id, year=year,
                              month=month, amount=amount, paid_amount=ZERO))
    session.flush()
    return len(members)


ArrearsRow = namedtuple("ArrearsRow", "member_id member_number name phone cooperative_id cooperative_name "
                                      "months amount oldest_year oldest_month")


def _arrears_stmt(cooperative_id=None, member_id=None):
    from app.members.models import Member

    outstanding = func.sum(WajibBill.amount - WajibBill.paid_amount)
    oldest = func.min(WajibBill.year * 100 + WajibBill.month)
    stmt = (select(Member.id, Member.member_number, Member.name, Member.phone, Cooperative.id, Cooperative.name,
                   func.count(WajibBill.id).label("months"), outstanding.label("amount"), oldest)
            .select_from(WajibBill).join(Member, Member.id == WajibBill.member_id)
            .join(Cooperative, Cooperative.id == WajibBill.cooperative_id)
            .where(WajibBill.paid_amount < WajibBill.amount, Member.status.notin_(ENDED_STATUSES))
            .group_by(Member.id, Member.member_number, Member.name, Member.phone, Cooperative.id, Cooperative.name))
    if cooperative_id is not None:
        stmt = stmt.where(WajibBill.cooperative_id == cooperative_id)
    if member_id is not None:
        stmt = stmt.where(WajibBill.member_id == member_id)
    return stmt


def arrears(session, cooperative_id=None, member_id=None, limit=None, offset=0):
    """Unpaid wajib per member (months with something outstanding, and the rupiah outstanding), aggregated in SQL,
    within the user's scope (the session listener filters both tables).

    Members who left, died or were expelled are not in arrears: their open bills stay as history, but they are no
    longer collected (the exit settlement pays back what they hold; ``generate_wajib_bills`` bills only members
    who are active when it runs)."""
    from app.members.models import Member

    stmt = _arrears_stmt(cooperative_id, member_id).order_by(
        Cooperative.name, func.count(WajibBill.id).desc(), Member.name)
    if limit:
        stmt = stmt.limit(limit).offset(offset)
    return [ArrearsRow(mid, num, name, phone, cid, cname, int(n), Decimal(total).quantize(Decimal("0.01")),
                       o // 100, o % 100)
            for mid, num, name, phone, cid, cname, n, total, o in session.execute(stmt)]


ArrearsTotals = namedtuple("ArrearsTotals", "members months amount")


def arrears_totals(session, cooperative_id=None):
    """The whole arrears list summed (every page, not only the one on screen), in one SQL statement over the
    same rows as ``arrears``; the scope is written out because the session listener does not reach into a
    subquery under a Core select."""
    from app.core.scope import read_condition

    stmt = _arrears_stmt(cooperative_id)
    condition = read_condition(WajibBill)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = stmt.subquery()
    members, months, amount = session.execute(select(func.count(), func.coalesce(func.sum(rows.c.months), 0),
                                                     func.coalesce(func.sum(rows.c.amount), 0))).one()
    return ArrearsTotals(int(members), int(months), Decimal(amount).quantize(Decimal("0.01")))


def normalise_phone(phone):
    """``0812-3456-7890`` / ``+62 812...`` / ``62812...`` -> ``628123457890``; None when it is not a mobile number."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("628") or not 10 <= len(digits) <= 15:
        return None
    return digits


def reminder_message(name, coop_name, months, amount):
    return (f"Yth. Bapak/Ibu {name}, salam hangat dari pengurus {coop_name}. Dengan hormat kami mengingatkan "
            f"bahwa simpanan wajib Bapak/Ibu belum dibayar selama {months} bulan, sebesar {rupiah(amount)}. "
            f"Pembayaran dapat dilakukan di kantor koperasi. Bila sudah membayar, mohon abaikan pesan ini. "
            f"Terima kasih atas perhatian dan dukungannya.")


def whatsapp_link(phone, name, coop_name, months, amount):
    number = normalise_phone(phone)
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(reminder_message(name, coop_name, months, amount), safe='')}"


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
    table = ReceiptCounter.__table__
    stmt = _insert(session, table).values(cooperative_id=cooperative_id, year=year, last_number=1)
    stmt = stmt.on_conflict_do_update(index_elements=["cooperative_id", "year"],
                                      set_={"last_number": table.c.last_number + 1}).returning(table.c.last_number)
    return session.execute(stmt).scalar_one()


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


def _pokok_rules(session, coop, member, amount):
    product = product_of(session, coop.id, "pokok")
    if product is None or product.amount is None:
        raise ValidationFailed(gettext("Pengurus belum menetapkan simpanan pokok koperasi ini."), "kind")
    paid = balances(session, member.id)["pokok"]
    remaining = product.amount - paid
    if remaining <= 0:
        raise ValidationFailed(gettext("Simpanan pokok anggota ini sudah lunas."), "amount")
    if amount > remaining:
        raise ValidationFailed(gettext("Simpanan pokok tinggal %(r)s.", r=rupiah(remaining)), "amount")
    count = session.execute(select(func.count(SavingsTransaction.id)).where(
        SavingsTransaction.member_id == member.id, SavingsTransaction.kind == "pokok",
        SavingsTransaction.direction == "setor", SavingsTransaction.reversed_at.is_(None),
        SavingsTransaction.reversal_of_id.is_(None))).scalar()
    if count + 1 >= product.instalments and amount != remaining:
        if product.instalments == 1:
            raise ValidationFailed(gettext("Simpanan pokok dibayar sekaligus: %(r)s.", r=rupiah(remaining)),
                                   "amount")
        raise ValidationFailed(gettext("Ini cicilan terakhir simpanan pokok (paling banyak %(n)d kali): harus "
                                       "%(r)s.", n=product.instalments, r=rupiah(remaining)), "amount")


def allocate_wajib(session, member_id, amount):
    """Settle the member's oldest open bills first (rows locked FOR UPDATE); returns [(bill, part)]. Refuses an
    amount above what is billed and unpaid (next months are billed when they come)."""
    bills = session.execute(select(WajibBill).where(WajibBill.member_id == member_id,
                                                    WajibBill.paid_amount < WajibBill.amount)
                            .order_by(WajibBill.year, WajibBill.month).with_for_update(of=WajibBill)
                            .execution_options(populate_existing=True)).unique().scalars().all()
    open_total = sum((b.amount - b.paid_amount for b in bills), ZERO)
    if amount > open_total:
        if open_total == 0:
            raise ValidationFailed(gettext("Anggota ini tidak punya tagihan simpanan wajib yang belum dibayar."),
                                   "amount")
        raise ValidationFailed(gettext("Lebih besar dari tagihan simpanan wajib yang belum dibayar (%(t)s).",
                                       t=rupiah(open_total)), "amount")
    left, parts = amount, []
    for bill in bills:
        if left <= 0:
            break
        part = min(left, bill.amount - bill.paid_amount)
        bill.paid_amount = bill.paid_amount + part
        parts.append((bill, part))
        left -= part
    return parts


def do_deposit(session, *, member, kind, amount, tx_date, idempotency_key, acting_user, note=None, today=None):
    """Setoran: pokok (within the product amount and its instalments), wajib (settles the oldest open bills
    first) or sukarela. Dr kas / Cr simpanan_<kind>. Returns the SavingsTransaction (the existing one when the
    same idempotency key is replayed)."""
    require_role(acting_user, ENTRY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat menerima setoran."))
    member = _member(session, member)
    coop = _coop(session, member.cooperative_id)
    if kind not in KIND_LABELS:
        raise ValidationFailed(gettext("Pilih jenis simpanan."), "kind")
    amount = parse_amount(amount, "amount")
    tx_date = check_tx_date(session, coop, tx_date, today)
    key, existing = _replay(session, coop.id, idempotency_key, member, kind, "setor", amount)
    if existing is not None:
        return existing
    if member.status != "aktif" and not (kind == "pokok" and member.status == "disetujui"):
        raise ValidationFailed(gettext("Setoran hanya untuk anggota aktif (status anggota ini: %(s)s).",
                                       s=member.status_label), "member")
    if kind == "pokok":
        _pokok_rules(session, coop, member, amount)
    elif kind == "wajib":
        allocate_wajib(session, member.id, amount)
    _add_to_balance(session, coop.id, member.id, kind, amount)
    description = f"Setoran {KIND_LABELS[kind]} {member.member_number or ''} {member.name}".replace("  ", " ")
    return _write(session, coop, member, kind, "setor", amount, tx_date, key, note, acting_user,
                  [(CASH_PURPOSE, amount, ZERO), (KIND_PURPOSE[kind], ZERO, amount)], description)


def do_withdraw(session, *, member, kind, amount, tx_date, idempotency_key, acting_user, note=None, today=None):
    """Penarikan of simpanan sukarela (pokok and wajib only through the exit settlement). Never below zero, also
    under concurrent withdrawals. Dr simpanan_sukarela / Cr kas."""
    require_role(acting_user, ENTRY_ROLES, gettext("Hanya Sekretaris atau Pengurus yang dapat melayani penarikan."))
    member = _member(session, member)
    coop = _coop(session, member.cooperative_id)
    if kind in ("pokok", "wajib"):
        raise ValidationFailed(gettext("Simpanan pokok dan wajib hanya dikembalikan saat anggota keluar "
                                       "(penyelesaian keluar oleh Pengurus)."), "kind")
    if kind != "sukarela":
        raise ValidationFailed(gettext("Pilih jenis simpanan."), "kind")
    amount = parse_amount(amount, "amount")
    tx_date = check_tx_date(session, coop, tx_date, today)
    key, existing = _replay(session, coop.id, idempotency_key, member, kind, "tarik", amount)
    if existing is not None:
        return existing
    if not _take_from_balance(session, member.id, "sukarela", amount):
        available = balances(session, member.id)["sukarela"]
        raise SukarelaInsufficient(gettext("Saldo simpanan sukarela tidak cukup (saldo %(b)s).",
                                           b=rupiah(available)), "amount")
    description = f"Penarikan {KIND_LABELS[kind]} {member.member_number or ''} {member.name}".replace("  ", " ")
    return _write(session, coop, member, kind, "tarik", amount, tx_date, key, note, acting_user,
                  [(KIND_PURPOSE[kind], amount, ZERO), (CASH_PURPOSE, ZERO, amount)], description)


def do_exit_settlement(session, *, member, settle_date, loss_share, acting_user, note=None, today=None):
    """Pay back pokok and wajib to a member who left, less the share of losses the board entered; posts
    Dr simpanan_pokok, Dr simpanan_wajib / Cr kas (paid out), Cr shu_belum_dibagi (loss share). Pokok and wajib
    balances go to zero through two withdrawal transactions (with receipts) of one settlement."""
    from app.ledger.services import post_entry

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menyelesaikan simpanan anggota keluar."))
    member = _member(session, member)
    coop = _coop(session, member.cooperative_id)
    if member.status not in ENDED_STATUSES:
        raise ValidationFailed(gettext("Simpanan pokok dan wajib dikembalikan hanya setelah anggota keluar."),
                               "member")
    if session.execute(select(ExitSettlement.id).where(ExitSettlement.member_id == member.id)).first():
        raise ValidationFailed(gettext("Simpanan anggota ini sudah diselesaikan."), "member")
    settle_date = check_tx_date(session, coop, settle_date, today)
    loss = ZERO if str(loss_share if loss_share is not None else "").strip() in ("", "0") or loss_share == 0 \
        else parse_amount(loss_share, "loss_share")
    held = balances(session, member.id)
    pokok, wajib = held["pokok"], held["wajib"]
    if pokok + wajib <= 0:
        raise ValidationFailed(gettext("Anggota ini tidak punya simpanan pokok atau wajib."), "member")
    if loss > pokok + wajib:
        raise ValidationFailed(gettext("Bagian kerugian tidak boleh melebihi simpanan pokok dan wajib (%(t)s).",
                                       t=rupiah(pokok + wajib)), "loss_share")
    paid_out = pokok + wajib - loss
    for kind, value in (("pokok", pokok), ("wajib", wajib)):
        if value > 0 and not _take_from_balance(session, member.id, kind, value):
            raise DomainError(gettext("Saldo berubah saat diproses; ulangi."))
    settlement = ExitSettlement(cooperative=coop, cooperative_id=coop.id, member=member, settle_date=settle_date,
                                pokok=pokok, wajib=wajib, loss_share=loss, paid_out=paid_out,
                                note=(note or "").strip()[:255] or None, created_by=actor_name(acting_user))
    session.add(settlement)
    session.flush()
    txs = []
    for kind, value in (("pokok", pokok), ("wajib", wajib)):
        if value <= 0:
            continue
        seq = _next_receipt(session, coop.id, settle_date.year)
        tx = SavingsTransaction(cooperative=coop, cooperative_id=coop.id, member=member, kind=kind,
                                direction="tarik", amount=value, tx_date=settle_date,
                                idempotency_key=f"exit-{settlement.id}-{kind}", settlement_id=settlement.id,
                                note=gettext("Pengembalian saat keluar"), created_by=actor_name(acting_user),
                                receipt_year=settle_date.year, receipt_seq=seq,
                                receipt_number=receipt_number(settle_date.year, seq))
        session.add(tx)
        txs.append(tx)
    session.flush()
    lines = [(KIND_PURPOSE[k], v, ZERO) for k, v in (("pokok", pokok), ("wajib", wajib)) if v > 0]
    if paid_out > 0:
        lines.append((CASH_PURPOSE, ZERO, paid_out, "Dibayarkan kepada anggota"))
    if loss > 0:
        lines.append((LOSS_PURPOSE, ZERO, loss, "Bagian tanggungan kerugian"))
    entry = post_entry(session, cooperative_id=coop.id, entry_date=settle_date,
                       description=f"Penyelesaian simpanan anggota keluar {member.member_number or ''} "
                                   f"{member.name}", lines=lines, source_type="exit_settlement",
                       source_id=settlement.id, acting_user=acting_user)
    settlement.journal_entry_id = entry.id
    for tx in txs:
        tx.journal_entry_id = entry.id
    session.flush()
    return settlement


# -- reversal (koreksi) ------------------------------------------------------------------------------------------

class AlreadyReversed(DomainError):
    """The transaction was reversed already (or is itself a reversal)."""


def unallocate_wajib(session, member_id, amount):
    """Undo ``amount`` of wajib payments on the member's bills, newest paid first (rows locked FOR UPDATE), so the
    paid part stays the oldest months and arrears come back as they were. Returns [(bill, part)]."""
    bills = session.execute(select(WajibBill).where(WajibBill.member_id == member_id, WajibBill.paid_amount > 0)
                            .order_by(WajibBill.year.desc(), WajibBill.month.desc()).with_for_update(of=WajibBill)
                            .execution_options(populate_existing=True)).unique().scalars().all()
    if sum((b.paid_amount for b in bills), ZERO) < amount:
        raise DomainError(gettext("Pembayaran tagihan simpanan wajib anggota ini tidak cocok dengan setoran yang "
                                  "dibatalkan; hubungi administrator."))
    left, parts = amount, []
    for bill in bills:
        if left <= 0:
            break
        part = min(left, bill.paid_amount)
        bill.paid_amount = bill.paid_amount - part
        parts.append((bill, part))
        left -= part
    return parts


def reversal_of(session, transaction):
    """The transaction that reversed ``transaction`` (None when it stands)."""
    tx_id = transaction.id if isinstance(transaction, SavingsTransaction) else transaction
    return session.execute(select(SavingsTransaction).where(SavingsTransaction.reversal_of_id == tx_id)).scalar()


def do_reverse_transaction(session, *, transaction, reason, acting_user, today=None):
    """Koreksi: reverse a deposit or a sukarela withdrawal entered by mistake. Nothing is edited or deleted: a new
    transaction of the same kind in the other direction, with its own receipt number, points at the original, and
    its journal is the ledger's reversal of the original's journal (``reverse_entry``), so ledger and balances
    agree. Dated ``today`` (the cooperative's date), which must lie in an open period.

    Pengurus (or Admin) only, with a reason; once per transaction, also under concurrency (the original row is
    locked FOR UPDATE and re-read, and UNIQUE(reversal_of_id) backs it up). A sukarela deposit is reversed only
    while the balance still holds it; a wajib deposit also takes its payment back off the bills, newest first; a
    transaction of an exit settlement, a reversal, or any transaction of a member whose savings were settled is
    refused. Returns the reversing SavingsTransaction."""
    from app.ledger.services import reverse_entry

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang dapat membatalkan (mengoreksi) transaksi "
                                                   "simpanan."))
    tx_id = transaction.id if isinstance(transaction, SavingsTransaction) else transaction
    try:
        tx_id = int(tx_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("Transaksi simpanan tidak ditemukan."), "transaction") from None
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(gettext("Alasan pembatalan wajib diisi."), "reason")
    if len(reason) < 5:
        raise ValidationFailed(gettext("Tulis alasan pembatalan dengan jelas (paling sedikit 5 huruf)."), "reason")
    # The row lock first (lock order: the original, the member's balance or bills, the receipt counter, the
    # ledger): a concurrent reversal waits here and then sees reversed_at set.
    tx = session.execute(select(SavingsTransaction).where(SavingsTransaction.id == tx_id)
                         .with_for_update(of=SavingsTransaction)
                         .execution_options(populate_existing=True)).unique().scalar()
    if tx is None:
        raise NotFound(gettext("Transaksi simpanan tidak ditemukan."), "transaction")
    if tx.reversal_of_id is not None:
        raise AlreadyReversed(gettext("Transaksi ini adalah koreksi atas transaksi lain dan tidak dapat dibatalkan."),
                              "transaction")
    if tx.reversed_at is not None:
        done = reversal_of(session, tx)
        raise AlreadyReversed(gettext("Transaksi ini sudah dibatalkan (kwitansi koreksi %(n)s).",
                                      n=done.receipt_number if done is not None else "-"), "transaction")
    if tx.settlement_id is not None:
        raise ValidationFailed(gettext("Transaksi ini bagian dari penyelesaian simpanan anggota keluar dan tidak "
                                       "dapat dibatalkan."), "transaction")
    if session.execute(select(ExitSettlement.id).where(ExitSettlement.member_id == tx.member_id)).first():
        raise ValidationFailed(gettext("Simpanan anggota ini sudah diselesaikan saat keluar; transaksinya tidak "
                                       "dapat dibatalkan lagi."), "transaction")
    if tx.journal_entry_id is None:
        raise DomainError(gettext("Transaksi ini tidak punya jurnal; tidak dapat dibatalkan."))
    member, coop = tx.member, _coop(session, tx.cooperative_id)
    day = check_tx_date(session, coop, today or local_today(coop), today)
    if day < tx.tx_date:
        raise ValidationFailed(gettext("Tanggal koreksi tidak boleh sebelum tanggal transaksi."), "tx_date")

    if tx.direction == "setor":
        if not _take_from_balance(session, member.id, tx.kind, tx.amount):
            held = balances(session, member.id)[tx.kind]
            raise SukarelaInsufficient(gettext(
                "Setoran %(k)s ini tidak dapat dibatalkan: saldonya tinggal %(b)s, kurang dari %(a)s (sebagian "
                "sudah ditarik).", k=KIND_LABELS[tx.kind], b=rupiah(held), a=rupiah(tx.amount)), "transaction")
        if tx.kind == "wajib":
            unallocate_wajib(session, member.id, tx.amount)
        direction = "tarik"
    else:
        if tx.kind != "sukarela":  # pokok and wajib leave only through the exit settlement (refused above)
            raise ValidationFailed(gettext("Transaksi ini tidak dapat dibatalkan."), "transaction")
        _add_to_balance(session, coop.id, member.id, tx.kind, tx.amount)
        direction = "setor"

    tx.reversed_at = utcnow()
    seq = _next_receipt(session, coop.id, day.year)
    number = receipt_number(day.year, seq)
    reversal = SavingsTransaction(cooperative=coop, cooperative_id=coop.id, member=member, kind=tx.kind,
                                  direction=direction, amount=tx.amount, tx_date=day,
                                  idempotency_key=f"koreksi-{tx.id}", reversal_of_id=tx.id,
                                  note=f"Koreksi atas {tx.receipt_number}: {reason}"[:255],
                                  created_by=actor_name(acting_user), receipt_year=day.year, receipt_seq=seq,
                                  receipt_number=number)
    session.add(reversal)
    try:
        session.flush()
    except IntegrityError:  # the unique reversal_of_id: another reversal of this transaction got in first
        raise AlreadyReversed(gettext("Transaksi ini sudah dibatalkan."), "transaction") from None
    entry = reverse_entry(session, tx.journal_entry_id, day, f"koreksi simpanan {tx.receipt_number} ({number}): "
                          f"{reason}"[:200], acting_user=acting_user, _owner="savings_transaction")
    reversal.journal_entry_id = entry.id
    session.flush()
    return reversal


# -- passbook ---------------------------------------------------------------------------------------------------

PassbookLine = namedtuple("PassbookLine", "tx_date receipt_number kind direction debit credit balance kind_balance "
                                          "note correction")


def passbook(session, member_id, limit=500):
    """The member's buku simpanan: every transaction in date order with running balances (total and per kind)."""
    rows = session.execute(select(SavingsTransaction).where(SavingsTransaction.member_id == member_id)
                           .order_by(SavingsTransaction.tx_date, SavingsTransaction.id).limit(limit)).scalars()
    total, per_kind, lines = ZERO, {k: ZERO for k in KIND_LABELS}, []
    for tx in rows:
        sign = 1 if tx.direction == "setor" else -1
        total += sign * tx.amount
        per_kind[tx.kind] += sign * tx.amount
        lines.append(PassbookLine(tx.tx_date, tx.receipt_number, tx.kind_label, tx.direction_label,
                                  tx.amount if sign < 0 else None, tx.amount if sign > 0 else None, total,
                                  per_kind[tx.kind], tx.note, tx.correction_label))
    return lines
