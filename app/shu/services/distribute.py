"""After the RAT: the distribution journal, and paying each member's SHU (cash, or credited to sukarela).

Distribution (kkmp-domain.md §1.7 step 5), dated the RAT day (an open period after the year end):
    Dr SHU belum dibagi (the year's SHU)
        Cr Cadangan (rule + non-member portion + undistributed + rounding remainder)
        Cr Utang SHU anggota (the members' rounded shares; the worksheet's member rows are its sub-ledger)
        Cr Dana ... (one line per named fund, account of the ``dana_shu`` purpose)
A loss year: Dr Cadangan / Cr SHU belum dibagi for the part cadangan covers; the rest stays as uncovered loss.

Payment: Dr Utang SHU anggota / Cr Kas with an SHU receipt (``SHU-YYYY-NNNNNN``), or Dr Utang SHU anggota /
Cr Simpanan sukarela through the savings service (the savings receipt ``KW-``), once per member share; the
share row is locked FOR UPDATE first so two payments of one share cannot both pass.
"""
from datetime import date

from flask_babel import gettext
from sqlalchemy import select

from app.core.audit import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.upsert import next_number

from ..models import RAT_ORDER, ZERO, ShuMemberShare, ShuReceiptCounter
from .common import BOARD_ROLES, PAYING_ROLES, actor_name, check_year, coop_of, require_role
from .compute import worksheet_for
from .rules import rat_for


def distribution_lines(ws):
    if ws.shu_total <= 0:
        if ws.loss_covered <= 0:
            return []
        return [("cadangan", ws.loss_covered, ZERO, "Penutupan rugi dari cadangan"),
                ("shu_belum_dibagi", ZERO, ws.loss_covered, f"Rugi tahun buku {ws.year}")]
    lines = [("shu_belum_dibagi", ws.shu_total, ZERO, f"SHU tahun buku {ws.year}")]
    if ws.cadangan_total > 0:
        lines.append(("cadangan", ZERO, ws.cadangan_total, "Dana cadangan"))
    elif ws.cadangan_total < 0:
        lines.append(("cadangan", -ws.cadangan_total, ZERO, "Selisih pembulatan"))
    if ws.member_shares_total > 0:
        lines.append(("utang_shu", ZERO, ws.member_shares_total, f"SHU {ws.member_count} anggota"))
    for line in ws.lines:
        if line.kind not in ("cadangan", "jasa_modal", "jasa_usaha") and line.amount > 0:
            lines.append(("dana_shu", ZERO, line.amount, line.name))
    return lines


def do_distribute(session, *, cooperative_id, year, acting_user, entry_date=None):
    """Post the distribution decided by the RAT (held, with its decision reference). Pengurus only, once."""
    from app.ledger.services import post_entry

    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang memposting pembagian SHU."))
    coop = coop_of(session, cooperative_id)
    year = check_year(year)
    ws = worksheet_for(session, coop.id, year)
    if ws is None:
        raise DomainError(gettext("Kertas kerja SHU tahun buku %(y)s belum dihitung.", y=year))
    if ws.status == "dibagikan":
        raise DomainError(gettext("SHU tahun buku %(y)s sudah dibagikan.", y=year))
    rat = rat_for(session, coop.id, year)
    if rat is None or RAT_ORDER.index(rat.status) < RAT_ORDER.index("dilaksanakan") or not rat.decision_ref:
        raise DomainError(gettext("Pembagian SHU diposting setelah RAT tahun buku %(y)s dilaksanakan dan "
                                  "keputusannya dicatat.", y=year))
    entry_date = entry_date or rat.held_date
    if not isinstance(entry_date, date) or entry_date <= date(year, 12, 31):
        raise ValidationFailed(gettext("Tanggal pembagian harus sesudah akhir tahun buku."), "entry_date")
    lines = distribution_lines(ws)
    entry = None
    if lines:
        entry = post_entry(session, cooperative_id=coop.id, entry_date=entry_date,
                           description=f"Pembagian SHU tahun buku {year} sesuai keputusan RAT {rat.decision_ref}",
                           lines=lines, reference=(rat.decision_ref or "")[:60], source_type="shu_distribution",
                           source_id=ws.id, acting_user=acting_user)
    ws.status = "dibagikan"
    ws.distribution_entry_id = entry.id if entry is not None else None
    ws.distributed_at, ws.distributed_by = utcnow(), actor_name(acting_user)
    session.flush()
    return ws


def receipt_number(year, seq):
    return f"SHU-{year}-{seq:06d}"


def do_pay_share(session, *, share, method, pay_date, acting_user, idempotency_key=None):
    """Pay one member's SHU: ``tunai`` (Dr utang SHU / Cr kas, SHU receipt) or ``sukarela`` (credited to the
    member's simpanan sukarela through the savings service, savings receipt). Once per share."""
    from app.ledger.services import post_entry
    from app.savings.services import check_tx_date, credit_sukarela

    require_role(acting_user, PAYING_ROLES, gettext("Hanya Pengurus atau Sekretaris yang membayar SHU anggota."))
    share_id = share.id if isinstance(share, ShuMemberShare) else share
    try:
        share_id = int(share_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("SHU anggota tidak ditemukan."), "share") from None
    row = session.execute(select(ShuMemberShare).where(ShuMemberShare.id == share_id)
                          .with_for_update(of=ShuMemberShare).execution_options(populate_existing=True)).scalar()
    if row is None:
        raise NotFound(gettext("SHU anggota tidak ditemukan."), "share")
    if row.worksheet.status != "dibagikan":
        raise DomainError(gettext("SHU baru dapat dibayarkan setelah pembagiannya diposting."))
    if row.paid_on is not None:
        raise DomainError(gettext("SHU anggota ini sudah dibayarkan (%(r)s).", r=row.receipt_number or ""))
    if row.total_rounded <= 0:
        raise DomainError(gettext("Anggota ini tidak mendapat SHU."))
    if method not in ("tunai", "sukarela"):
        raise ValidationFailed(gettext("Pilih cara pembayaran: tunai atau ke simpanan sukarela."), "method")
    coop = coop_of(session, row.cooperative_id)
    pay_date = check_tx_date(session, coop, pay_date)
    member = row.member
    description = f"Pembayaran SHU {row.worksheet.year} {member.member_number or ''} {member.name}".replace("  ", " ")
    if method == "sukarela":
        if member.status != "aktif":
            raise ValidationFailed(gettext("Anggota ini tidak aktif lagi; bayarkan SHU-nya tunai."), "method")
        tx = credit_sukarela(session, member=member, amount=row.total_rounded, tx_date=pay_date,
                             idempotency_key=idempotency_key or f"shu-{row.id}", acting_user=acting_user,
                             debit_purpose="utang_shu", description=description,
                             note=gettext("SHU tahun buku %(y)s", y=row.worksheet.year))
        row.savings_transaction_id, row.receipt_number, row.payment_entry_id = tx.id, tx.receipt_number, \
            tx.journal_entry_id
    else:
        seq = next_number(session, ShuReceiptCounter.__table__, coop.id, pay_date.year)
        row.receipt_number = receipt_number(pay_date.year, seq)
        entry = post_entry(session, cooperative_id=coop.id, entry_date=pay_date, description=description,
                           lines=[("utang_shu", row.total_rounded, ZERO), ("kas", ZERO, row.total_rounded)],
                           reference=row.receipt_number, source_type="shu_payment", source_id=row.id,
                           acting_user=acting_user)
        row.payment_entry_id = entry.id
    row.payment_method, row.paid_on, row.paid_by = method, pay_date, actor_name(acting_user)
    session.flush()
    return row


def unpaid_shares(session, cooperative_id, year):
    from .compute import member_shares

    ws = worksheet_for(session, cooperative_id, year)
    if ws is None or ws.status != "dibagikan":
        return []
    return member_shares(session, ws, unpaid_only=True)
