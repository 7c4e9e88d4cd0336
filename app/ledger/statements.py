"""Accounting reports (issue 4 item 6): neraca saldo, buku besar, buku kas / bank, Laporan Posisi Keuangan,
Laporan Hasil Usaha (PHU), Laporan Perubahan Ekuitas, Laporan Arus Kas, and the Sudin's city consolidation.

Every figure is aggregated in SQL from the monthly balances the posting service keeps (``balances.py``:
conditional ``SUM(CASE ...)`` grouped by account, or by cooperative for the consolidation); only the line-level
pages of the buku besar / kas / bank read journal lines (running balances with a window function), their opening
balance coming from the balances too. Python only arranges the aggregated rows. Money is
``Decimal`` end to end: ``Numeric(18,2)`` sums, quantized to the sen, never float.

A report covers a month or a year (``ReportPeriod``) and is compared with the previous month or year; an optional
business unit keeps only the entries tagged with that unit (each entry balances, so every identity still holds).

Definitions:

* **Neraca saldo**: per account the balance at the end of the previous period (= saldo awal), the period's debit
  and credit movements and the closing balance on its debit or credit side. "Seimbang" when total debit = total
  credit (and the movements balance too).
* **Buku besar** (one account), **buku kas** (the account the ``kas`` purpose maps to and its sub-accounts, e.g.
  111000, 111100 ...), **buku bank** (likewise ``bank``, 112xxx): opening balance, the period's lines with a running
  balance computed by ``SUM(..) OVER (ORDER BY date, entry, line)``, closing balance; compared with the previous
  period's opening / movements / closing.
* **Laporan Posisi Keuangan** at the end of the period, compared with the end of the previous one. Until the year
  is closed, revenue, HPP and expenses are still open: their net (revenue - HPP - beban) for the current financial
  year is shown inside equity as "SHU tahun berjalan (belum dibukukan)"; a net left over from an earlier year that
  was never closed is shown as its own equity line. After the year-end close the closing entry has moved it into
  the 316000 account, and the computed line is zero. So aset = kewajiban + ekuitas always holds.
* **Laporan Hasil Usaha (PHU)**: revenue, HPP and expenses of the period, without the year-end closing entry
  (``penutup``). Revenue is split by the account's ``member_flag``: dari anggota (partisipasi anggota), dari
  non-anggota, and other revenue. HPP and expenses are not booked per member, so the member / non-member results
  allocate them in proportion to member and non-member revenue: ``hasil anggota = pendapatan anggota - (HPP +
  beban) * pendapatan anggota / (pendapatan anggota + pendapatan non-anggota)``, rounded half-up to the rupiah;
  ``hasil non-anggota = SHU - hasil anggota`` (it carries other revenue), so the two add up to the SHU exactly.
* **Laporan Perubahan Ekuitas**: per equity account saldo awal, penambahan (credits), pengurangan (debits) and
  saldo akhir, plus the computed "SHU tahun berjalan (belum dibukukan)" line as above; the total equals the equity
  of the Laporan Posisi Keuangan. The previous period's additions and reductions are the comparison.
* **Laporan Arus Kas**, direct method: cash = the kas and bank accounts (111xxx, 112xxx). Each entry's net change
  in cash was classified when it was posted (``balances.cash_flows_of``): a receipt is shared among the entry's
  credit-side counter-lines, a payment among its debit-side ones, in proportion to their amounts, so a credit
  purchase shows only the cash actually paid, and the flows add up exactly to the change in cash (transfers
  between kas and bank move no net cash and drop out). Counter-accounts are classified: aset tetap (12xxxx) -> investasi; equity
  (3xxxxx), simpanan sukarela (211), utang SHU anggota (213) and long-term bank debt (22xxxx) -> pendanaan;
  everything else (revenue, HPP, expenses, persediaan, piutang, utang usaha, pajak) -> operasi. The report checks
  saldo kas awal + kenaikan bersih = saldo kas akhir.
* **Konsolidasi kota** (Sudin): one SQL aggregate grouped by cooperative over all cooperatives of the city: aset,
  kewajiban, ekuitas (with the open SHU), pendapatan anggota / non-anggota, HPP + beban and SHU of the period,
  kas + bank (codes 111xxx / 112xxx), and each cooperative's debit = credit check; cooperatives without postings
  appear with zeros; the totals row adds the per-cooperative rows.
"""
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Numeric, and_, case, func, literal, or_, select, type_coerce

from flask_babel import gettext

from app.cooperatives.models import Cooperative
from app.core.formatting import month_name, rupiah

from .balances import AccountBalance, CashFlow, first_month, last_month, month_of
from .chart import DEFAULT_PURPOSES
from .models import ZERO, Account, AccountPurpose, JournalEntry, JournalLine

CENT = Decimal("0.01")
RUPIAH = Decimal("1")
MONEY = Numeric(18, 2)
KIND_SECTIONS = {"aset": "ASET", "kewajiban": "KEWAJIBAN", "ekuitas": "EKUITAS"}


# -- periods --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportPeriod:
    """A month (``month`` 1-12) or a whole year (``month`` None)."""

    year: int
    month: int = None

    @property
    def start(self):
        return date(self.year, self.month or 1, 1)

    @property
    def end(self):
        if self.month is None:
            return date(self.year, 12, 31)
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    @property
    def label(self):
        return f"{month_name(self.month)} {self.year}" if self.month else gettext("Tahun %(y)s", y=self.year)

    @property
    def short_label(self):
        return f"{self.month:02d}/{self.year}" if self.month else str(self.year)

    def previous(self):
        if self.month is None:
            return ReportPeriod(self.year - 1)
        return ReportPeriod(self.year - 1, 12) if self.month == 1 else ReportPeriod(self.year, self.month - 1)


def _q(value):
    return (value if isinstance(value, Decimal) else Decimal(value or 0)).quantize(CENT)


# -- the report model shared by the screens and the xlsx exports ---------------------------------------------

@dataclass
class Row:
    cells: tuple
    style: str = "line"  # section / line / subtotal / total / note


@dataclass
class Check:
    label: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    key: str
    title: str
    cooperative: str
    period: str
    compare: str
    headers: list
    rows: list = field(default_factory=list)
    money_columns: tuple = ()
    date_columns: tuple = ()
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    unit: str = ""
    data: dict = field(default_factory=dict)  # the key figures, for tests and callers
    page: int = 1
    pages: int = 1

    @property
    def balanced(self):
        return all(c.ok for c in self.checks)


# -- the one aggregate every statement uses ------------------------------------------------------------------

@dataclass
class AccountSums:
    id: int
    code: str
    name: str
    kind: str
    member_flag: str
    debit: dict
    credit: dict
    lines: dict = None  # {bucket: number of lines}, for the buckets asked with ``count_lines``

    def net(self, bucket):
        """Debit minus credit in a bucket."""
        return self.debit[bucket] - self.credit[bucket]

    def normal(self, bucket):
        """The balance on the account's normal side (aset, HPP, beban: debit; the others: credit)."""
        n = self.net(bucket)
        return n if self.kind in ("aset", "hpp", "beban") else -n


def _bucket_months(spec):
    """(first month index or None, last month index or None, without the closing entry) of a bucket."""
    start, end, *rest = spec
    return first_month(start), last_month(end), bool(rest and rest[0])


def _in_months(lo, hi):
    months = month_of(AccountBalance.__table__)
    conds = ([months >= lo] if lo is not None else []) + ([months <= hi] if hi is not None else [])
    return and_(*conds) if conds else literal(True)


def account_sums(session, cooperative_id, buckets, business_unit_id=None, account_ids=None, kinds=None,
                 count_lines=()):
    """{code: AccountSums} for accounts with postings, from the monthly balances (balances.py) in one
    ``GROUP BY account`` query: a year is twelve rows per account, however many lines were posted.

    :param buckets: {name: (date_from or None, date_to or None[, without_closing_entry])}, whole months (a
        bucket starts on the 1st and ends on a month's last day); each becomes a
        ``SUM(CASE WHEN <in bucket> THEN debit ELSE 0 END)`` (and credit) column.
    :param count_lines: bucket names whose number of lines is wanted too (the buku besar's pages), in the same
        query.
    """
    b = AccountBalance.__table__
    cols, names = [], list(buckets)
    for name in names:
        lo, hi, without_closing = _bucket_months(buckets[name])
        cond = _in_months(lo, hi)
        debit = (b.c.debit - b.c.closing_debit) if without_closing else b.c.debit
        credit = (b.c.credit - b.c.closing_credit) if without_closing else b.c.credit
        cols.append(type_coerce(func.coalesce(func.sum(case((cond, debit), else_=0)), 0), MONEY))
        cols.append(type_coerce(func.coalesce(func.sum(case((cond, credit), else_=0)), 0), MONEY))
    for name in count_lines:
        lo, hi, _without_closing = _bucket_months(buckets[name])
        cols.append(func.coalesce(func.sum(case((_in_months(lo, hi), b.c.lines), else_=0)), 0))
    conds = [b.c.cooperative_id == cooperative_id]
    ends = [_bucket_months(spec)[1] for spec in buckets.values()]
    if all(e is not None for e in ends):
        conds.append(month_of(b) <= max(ends))
    if business_unit_id is not None:
        conds.append(b.c.unit_id == business_unit_id)
    if account_ids is not None:
        conds.append(b.c.account_id.in_(list(account_ids) or [-1]))
    if kinds:
        conds.append(Account.kind.in_(kinds))
    stmt = (select(Account.id, Account.code, Account.name, Account.kind, Account.member_flag, *cols)
            .select_from(b).join(Account, Account.id == b.c.account_id).where(*conds)
            .group_by(Account.id, Account.code, Account.name, Account.kind, Account.member_flag)
            .order_by(Account.code))
    out = {}
    for row in session.execute(stmt):
        values = row[5:]
        counted = values[2 * len(names):]
        out[row.code] = AccountSums(row.id, row.code, row.name, row.kind, row.member_flag,
                                    {n: _q(values[2 * i]) for i, n in enumerate(names)},
                                    {n: _q(values[2 * i + 1]) for i, n in enumerate(names)},
                                    {n: int(counted[i]) for i, n in enumerate(count_lines)})
    return out


def _total(items, fn):
    return sum((fn(i) for i in items), ZERO)


def _header(key, title, coop, period, unit_label, headers, money, **kw):
    return Report(key=key, title=title, cooperative=coop.name, period=period.label,
                  compare=period.previous().label, headers=headers, money_columns=money, unit=unit_label or "",
                  **kw)


def _balanced_check(label, left, right):
    diff = left - right
    return Check(label, diff == 0, "" if diff == 0 else f"selisih {_rp(diff)}")


def _rp(amount):
    """Rupiah as everywhere else (Rp70.000), with sen only when there are any."""
    amount = Decimal(amount)
    return rupiah(amount, with_cents=amount != amount.quantize(Decimal(1)))


# -- neraca saldo ------------------------------------------------------------------------------------------------

def trial_balance_report(session, coop, period, business_unit_id=None, unit_label=""):
    prev = period.previous()
    sums = account_sums(session, coop.id, {"open": (None, prev.end), "cur": (period.start, period.end)},
                        business_unit_id)
    r = _header("neraca-saldo", "Neraca Saldo", coop, period, unit_label,
                ["Kode akun", "Nama akun", f"Saldo awal debet ({prev.short_label})",
                 f"Saldo awal kredit ({prev.short_label})", "Mutasi debet", "Mutasi kredit", "Saldo akhir debet",
                 "Saldo akhir kredit"], (2, 3, 4, 5, 6, 7))
    t = dict(od=ZERO, oc=ZERO, md=ZERO, mc=ZERO, cd=ZERO, cc=ZERO)
    for s in sums.values():
        opening = s.net("open")
        closing = opening + s.net("cur")
        if opening == 0 and closing == 0 and s.debit["cur"] == 0 and s.credit["cur"] == 0:
            continue
        cells = (s.code, s.name, max(opening, ZERO), max(-opening, ZERO), s.debit["cur"], s.credit["cur"],
                 max(closing, ZERO), max(-closing, ZERO))
        for k, v in zip(("od", "oc", "md", "mc", "cd", "cc"), cells[2:]):
            t[k] += v
        r.rows.append(Row(cells))
    r.rows.append(Row(("", "Jumlah", t["od"], t["oc"], t["md"], t["mc"], t["cd"], t["cc"]), "total"))
    r.checks = [_balanced_check("Saldo akhir: jumlah debet = jumlah kredit", t["cd"], t["cc"]),
                _balanced_check("Mutasi: jumlah debet = jumlah kredit", t["md"], t["mc"]),
                _balanced_check("Saldo awal: jumlah debet = jumlah kredit", t["od"], t["oc"])]
    r.data = dict(t, rows={row.cells[0]: row.cells[2:] for row in r.rows if row.style == "line"})
    return r


# -- buku besar, buku kas, buku bank -----------------------------------------------------------------------------

def purpose_account_ids(session, coop_id, *purposes):
    """The accounts some purposes map to (kas, bank) and their posting sub-accounts (same code prefix): two
    statements however many purposes (the cooperative's own mappings, then the accounts)."""
    own = dict(session.execute(select(AccountPurpose.purpose, AccountPurpose.account_code).where(
        AccountPurpose.cooperative_id == coop_id, AccountPurpose.purpose.in_(purposes))).all())
    codes = [own.get(p) or DEFAULT_PURPOSES[p] for p in purposes]
    prefixes = [code.rstrip("0") or code for code in codes]
    return [i for i, in session.execute(select(Account.id).where(
        Account.cooperative_id == coop_id, or_(*[Account.code.like(p + "%") for p in prefixes]),
        Account.is_header.is_(False)).order_by(Account.code))]


def _ledger_lines_stmt(coop_id, account_ids, period, business_unit_id, sign):
    conds = [JournalLine.cooperative_id == coop_id, JournalLine.account_id.in_(list(account_ids) or [-1]),
             JournalEntry.entry_date >= period.start, JournalEntry.entry_date <= period.end]
    if business_unit_id is not None:
        conds.append(JournalEntry.business_unit_id == business_unit_id)
    order = (JournalEntry.entry_date, JournalEntry.id, JournalLine.line_no)
    running = type_coerce(func.sum((JournalLine.debit - JournalLine.credit) * sign).over(
        order_by=order, rows=(None, 0)), MONEY)
    return (select(JournalEntry.entry_date, JournalEntry.number, JournalEntry.description, JournalEntry.reference,
                   Account.code, JournalLine.memo, JournalLine.debit, JournalLine.credit, running)
            .select_from(JournalLine).join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .join(Account, Account.id == JournalLine.account_id).where(*conds).order_by(*order))


def ledger_report(session, coop, period, account_ids, title, key, business_unit_id=None, unit_label="",
                  page=1, page_size=500, all_lines=False):
    """Opening balance, the period's lines with a running balance, closing balance; previous period summary.

    ``all_lines`` streams every line (exports); otherwise one page of ``page_size`` lines (the running balance is
    computed over the whole period in SQL before the page is cut).
    """
    prev = period.previous()
    # One query for the opening balances, the period's totals and its number of lines (the pager), from the kept
    # balances; the accounts' kinds come with it (an account without postings has no lines to sign).
    sums = account_sums(session, coop.id, {"open": (None, prev.end), "cur": (period.start, period.end),
                                           "popen": (None, prev.start - timedelta(days=1)),
                                           "prev": (prev.start, prev.end)}, business_unit_id, account_ids,
                        count_lines=("cur",))
    items = list(sums.values())
    kinds = {s.kind for s in items}
    credit_normal = bool(kinds) and kinds <= {"kewajiban", "ekuitas", "pendapatan"}
    sign = -1 if credit_normal else 1
    opening = sign * _total(items, lambda s: s.net("open"))
    debit, credit = _total(items, lambda s: s.debit["cur"]), _total(items, lambda s: s.credit["cur"])
    closing = opening + sign * (debit - credit)
    p_open = sign * _total(items, lambda s: s.net("popen"))
    p_debit, p_credit = _total(items, lambda s: s.debit["prev"]), _total(items, lambda s: s.credit["prev"])
    p_close = p_open + sign * (p_debit - p_credit)
    r = _header(key, title, coop, period, unit_label,
                ["Tanggal", "Nomor jurnal", "Uraian", "Bukti", "Akun", "Debet", "Kredit", "Saldo"], (5, 6, 7),
                date_columns=(0,))
    r.rows.append(Row((period.start, "", "Saldo awal", "", "", None, None, opening), "subtotal"))
    count = sum(s.lines["cur"] for s in items)
    stmt = _ledger_lines_stmt(coop.id, account_ids, period, business_unit_id, sign)
    if all_lines:
        result = session.execute(stmt.execution_options(yield_per=2000))
    else:
        r.pages = max(1, -(-count // page_size))
        r.page = min(max(1, page), r.pages)
        result = session.execute(stmt.limit(page_size).offset((r.page - 1) * page_size))
    r.rows = _LazyRows(r.rows, result, opening, ("Saldo akhir", period.end, debit, credit, closing),
                       last_page=all_lines or r.page == r.pages)
    r.data = dict(opening=opening, debit=debit, credit=credit, closing=closing, lines=count,
                  prev_opening=p_open, prev_debit=p_debit, prev_credit=p_credit, prev_closing=p_close)
    r.notes.append(f"Periode pembanding {prev.label}: saldo awal {_rp(p_open)}, debet {_rp(p_debit)}, "
                   f"kredit {_rp(p_credit)}, saldo akhir {_rp(p_close)}.")
    r.data["compare_rows"] = [("Saldo awal", p_open, opening), ("Debet", p_debit, debit),
                              ("Kredit", p_credit, credit), ("Saldo akhir", p_close, closing)]
    r.checks = [_balanced_check("Saldo awal + debet - kredit = saldo akhir", opening + sign * (debit - credit),
                                closing)]
    return r


class _LazyRows:
    """The head row, the lines as the database yields them (exports stream), then the closing row."""

    def __init__(self, head, result, opening, tail, last_page):
        self.head, self.result, self.opening, self.tail, self.last_page = head, result, opening, tail, last_page

    def __iter__(self):
        yield from self.head
        for d, number, desc, ref, code, memo, debit, credit, run in self.result:
            text = desc if not memo else f"{desc} ({memo})"
            yield Row((d, number, text, ref or "", code, _q(debit) or None, _q(credit) or None,
                       self.opening + _q(run)))
        if self.last_page:
            label, end, debit, credit, closing = self.tail
            yield Row((end, "", label, "", "", debit, credit, closing), "total")


# -- Laporan Posisi Keuangan -------------------------------------------------------------------------------------

NOMINAL = ("pendapatan", "hpp", "beban")


def _position_figures(sums, bucket, ytd_bucket):
    real = {k: [s for s in sums.values() if s.kind == k] for k in ("aset", "kewajiban", "ekuitas")}
    nominal = [s for s in sums.values() if s.kind in NOMINAL]
    shu_all = -_total(nominal, lambda s: s.net(bucket))            # revenue - HPP - expenses, not yet closed
    shu_ytd = -_total(nominal, lambda s: s.net(ytd_bucket))
    return real, shu_ytd, shu_all - shu_ytd


def financial_position(session, coop, period, business_unit_id=None, unit_label=""):
    prev = period.previous()
    sums = account_sums(session, coop.id, {"cur": (None, period.end), "cur_ytd": (date(period.end.year, 1, 1),
                                                                                   period.end),
                                           "prev": (None, prev.end), "prev_ytd": (date(prev.end.year, 1, 1),
                                                                                  prev.end)}, business_unit_id)
    r = _header("posisi-keuangan", "Laporan Posisi Keuangan", coop, period, unit_label,
                ["Kode akun", "Uraian", f"Per {period.end:%d/%m/%Y}", f"Per {prev.end:%d/%m/%Y}"], (2, 3))
    cur = _position_figures(sums, "cur", "cur_ytd")
    old = _position_figures(sums, "prev", "prev_ytd")
    totals = {}
    for kind in ("aset", "kewajiban", "ekuitas"):
        r.rows.append(Row(("", KIND_SECTIONS[kind], None, None), "section"))
        accounts = sorted({s.code: s for s in cur[0][kind] + old[0][kind]}.values(), key=lambda s: s.code)
        tc = tp = ZERO
        for s in accounts:
            a, b = s.normal("cur"), s.normal("prev")
            if a == 0 and b == 0:
                continue
            r.rows.append(Row((s.code, s.name, a, b)))
            tc, tp = tc + a, tp + b
        if kind == "ekuitas":
            r.rows.append(Row(("", "SHU tahun berjalan (belum dibukukan)", cur[1], old[1])))
            tc, tp = tc + cur[1], tp + old[1]
            if cur[2] or old[2]:
                r.rows.append(Row(("", "SHU tahun lalu yang belum ditutup buku", cur[2], old[2])))
                tc, tp = tc + cur[2], tp + old[2]
        r.rows.append(Row(("", f"Jumlah {KIND_SECTIONS[kind].lower()}", tc, tp), "subtotal"))
        totals[kind] = (tc, tp)
    le = (totals["kewajiban"][0] + totals["ekuitas"][0], totals["kewajiban"][1] + totals["ekuitas"][1])
    r.rows.append(Row(("", "JUMLAH KEWAJIBAN DAN EKUITAS", le[0], le[1]), "total"))
    r.checks = [_balanced_check(f"Aset = kewajiban + ekuitas ({period.end:%d/%m/%Y})", totals["aset"][0], le[0]),
                _balanced_check(f"Aset = kewajiban + ekuitas ({prev.end:%d/%m/%Y})", totals["aset"][1], le[1])]
    r.data = dict(aset=totals["aset"][0], kewajiban=totals["kewajiban"][0], ekuitas=totals["ekuitas"][0],
                  shu_berjalan=cur[1], shu_lalu=cur[2], prev_aset=totals["aset"][1],
                  prev_kewajiban=totals["kewajiban"][1], prev_ekuitas=totals["ekuitas"][1], prev_shu_berjalan=old[1])
    r.notes.append("SHU tahun berjalan (belum dibukukan) = pendapatan - HPP - beban tahun buku berjalan yang belum "
                   "dipindahkan oleh jurnal penutup tahun buku.")
    return r


# -- Laporan Hasil Usaha (PHU) -----------------------------------------------------------------------------------

def member_split(member_revenue, non_member_revenue, costs, shu):
    """(hasil usaha anggota, hasil usaha non-anggota): HPP + beban (``costs``) allocated by revenue share,
    half-up to the rupiah; the non-member result is the rest of the SHU."""
    base = member_revenue + non_member_revenue
    if base == 0:
        return ZERO, shu
    member = (member_revenue - (costs * member_revenue / base)).quantize(RUPIAH, rounding=ROUND_HALF_UP)
    member = member.quantize(CENT)
    return member, shu - member


def income_statement(session, coop, period, business_unit_id=None, unit_label=""):
    prev = period.previous()
    sums = account_sums(session, coop.id, {"cur": (period.start, period.end, True),
                                           "prev": (prev.start, prev.end, True)}, business_unit_id, kinds=NOMINAL)
    r = _header("hasil-usaha", "Laporan Hasil Usaha (Perhitungan Hasil Usaha)", coop, period, unit_label,
                ["Kode akun", "Uraian", period.label, prev.label], (2, 3))
    groups = [("PENDAPATAN DARI ANGGOTA (PARTISIPASI ANGGOTA)", lambda s: s.kind == "pendapatan"
               and s.member_flag == "anggota", "anggota"),
              ("PENDAPATAN DARI NON-ANGGOTA", lambda s: s.kind == "pendapatan" and s.member_flag == "non_anggota",
               "non_anggota"),
              ("PENDAPATAN LAIN", lambda s: s.kind == "pendapatan" and not s.member_flag, "lain"),
              ("HARGA POKOK PENJUALAN", lambda s: s.kind == "hpp", "hpp"),
              ("BEBAN USAHA", lambda s: s.kind == "beban", "beban")]
    f = {}
    for title, pick, key in groups:
        items = [s for s in sums.values() if pick(s) and (s.normal("cur") or s.normal("prev"))]
        tc, tp = _total(items, lambda s: s.normal("cur")), _total(items, lambda s: s.normal("prev"))
        f[key] = (tc, tp)
        if not items and key == "lain":
            continue
        r.rows.append(Row(("", title, None, None), "section"))
        for s in items:
            r.rows.append(Row((s.code, s.name, s.normal("cur"), s.normal("prev"))))
        r.rows.append(Row(("", f"Jumlah {title.lower()}", tc, tp), "subtotal"))
        if key == "hpp":
            rev = [f["anggota"][i] + f["non_anggota"][i] + f["lain"][i] for i in (0, 1)]
            r.rows.append(Row(("", "JUMLAH PENDAPATAN", rev[0], rev[1]), "subtotal"))
            r.rows.append(Row(("", "LABA KOTOR (pendapatan - HPP)", rev[0] - tc, rev[1] - tp), "subtotal"))
    out = {}
    for i, name in ((0, "cur"), (1, "prev")):
        revenue = f["anggota"][i] + f["non_anggota"][i] + f["lain"][i]
        shu = revenue - f["hpp"][i] - f["beban"][i]
        member, non_member = member_split(f["anggota"][i], f["non_anggota"][i], f["hpp"][i] + f["beban"][i],
                                          shu)
        out[name] = dict(pendapatan_anggota=f["anggota"][i], pendapatan_non_anggota=f["non_anggota"][i],
                         pendapatan_lain=f["lain"][i], pendapatan=revenue, hpp=f["hpp"][i], beban=f["beban"][i],
                         shu=shu, hasil_anggota=member, hasil_non_anggota=non_member)
    c, p = out["cur"], out["prev"]
    r.rows.append(Row(("", "SISA HASIL USAHA (SHU) SEBELUM PAJAK", c["shu"], p["shu"]), "total"))
    r.rows.append(Row(("", "HASIL USAHA DENGAN ANGGOTA / NON-ANGGOTA", None, None), "section"))
    r.rows.append(Row(("", "Hasil usaha dari anggota", c["hasil_anggota"], p["hasil_anggota"])))
    r.rows.append(Row(("", "Hasil usaha dari non-anggota (termasuk pendapatan lain)", c["hasil_non_anggota"],
                       p["hasil_non_anggota"])))
    r.notes.append("HPP dan beban dialokasikan ke anggota dan non-anggota menurut perbandingan pendapatan dari "
                   "anggota dan dari non-anggota (dibulatkan ke rupiah); pendapatan lain masuk hasil non-anggota.")
    r.notes.append("Jurnal penutup tahun buku tidak ikut dihitung.")
    r.data = dict(c, prev=p)
    return r


# -- Laporan Perubahan Ekuitas -----------------------------------------------------------------------------------

def equity_changes(session, coop, period, business_unit_id=None, unit_label=""):
    prev = period.previous()
    ystart = date(period.start.year, 1, 1)
    day_before = period.start - timedelta(days=1)
    sums = account_sums(session, coop.id, {
        "open": (None, day_before), "cur": (period.start, period.end), "open_ytd": (ystart, day_before),
        "prev": (prev.start, prev.end)}, business_unit_id, kinds=("ekuitas",) + NOMINAL)
    r = _header("perubahan-ekuitas", "Laporan Perubahan Ekuitas", coop, period, unit_label,
                ["Kode akun", "Uraian", "Saldo awal", "Penambahan", "Pengurangan", "Saldo akhir",
                 f"Penambahan {prev.label}", f"Pengurangan {prev.label}"], (2, 3, 4, 5, 6, 7))
    totals = [ZERO] * 6
    for s in (s for s in sums.values() if s.kind == "ekuitas"):
        opening = -s.net("open")
        cells = (opening, s.credit["cur"], s.debit["cur"], opening + s.credit["cur"] - s.debit["cur"],
                 s.credit["prev"], s.debit["prev"])
        if not any(cells):
            continue
        r.rows.append(Row((s.code, s.name) + cells))
        totals = [a + b for a, b in zip(totals, cells)]
    nominal = [s for s in sums.values() if s.kind in NOMINAL]
    shu_open_ytd = -_total(nominal, lambda s: s.net("open_ytd"))
    shu_change = -_total(nominal, lambda s: s.net("cur"))
    shu_prev_change = -_total(nominal, lambda s: s.net("prev"))
    # Nominal balances from years before this one that were never closed (zero once every year is closed).
    older = -_total(nominal, lambda s: s.net("open")) - shu_open_ytd
    rows = [("SHU tahun berjalan (belum dibukukan)", shu_open_ytd, shu_change, shu_prev_change)]
    if older:
        rows.append(("SHU tahun lalu yang belum ditutup buku", older, ZERO, ZERO))
    for label, opening, change, prev_change in rows:
        if period.start == ystart and label.startswith("SHU tahun berjalan"):
            opening = ZERO
        cells = (opening, max(change, ZERO), max(-change, ZERO), opening + change, max(prev_change, ZERO),
                 max(-prev_change, ZERO))
        r.rows.append(Row(("", label) + cells))
        totals = [a + b for a, b in zip(totals, cells)]
    r.rows.append(Row(("", "JUMLAH EKUITAS") + tuple(totals), "total"))
    r.checks = [_balanced_check("Saldo awal + penambahan - pengurangan = saldo akhir",
                                totals[0] + totals[1] - totals[2], totals[3])]
    r.data = dict(opening=totals[0], additions=totals[1], reductions=totals[2], closing=totals[3],
                  prev_additions=totals[4], prev_reductions=totals[5])
    return r


# -- Laporan Arus Kas (direct method) ----------------------------------------------------------------------------

def cash_flow_section(code, kind):
    if code.startswith("12"):
        return "investasi"
    if kind == "ekuitas" or code.startswith(("211", "213", "22")):
        return "pendanaan"
    return "operasi"


SECTION_TITLES = {"operasi": "ARUS KAS DARI AKTIVITAS OPERASI", "investasi": "ARUS KAS DARI AKTIVITAS INVESTASI",
                  "pendanaan": "ARUS KAS DARI AKTIVITAS PENDANAAN"}


def cash_flow(session, coop, period, business_unit_id=None, unit_label=""):
    prev = period.previous()
    cash_ids = sorted(set(purpose_account_ids(session, coop.id, "kas", "bank")))
    f = CashFlow.__table__
    months = month_of(f)
    cur = and_(months >= first_month(period.start), months <= last_month(period.end))
    old = and_(months >= first_month(prev.start), months <= last_month(prev.end))
    flow = f.c.inflow - f.c.outflow
    conds = [f.c.cooperative_id == coop.id, months >= first_month(prev.start), months <= last_month(period.end)]
    if business_unit_id is not None:
        conds.append(f.c.unit_id == business_unit_id)
    stmt = (select(Account.code, Account.name, Account.kind,
                   type_coerce(func.sum(case((cur, flow), else_=0)), MONEY),
                   type_coerce(func.sum(case((old, flow), else_=0)), MONEY))
            .select_from(f).join(Account, Account.id == f.c.account_id).where(*conds)
            .group_by(Account.code, Account.name, Account.kind).order_by(Account.code))
    by_section = {k: [] for k in SECTION_TITLES}
    for code, name, kind, cur_flow, old_flow in session.execute(stmt):
        cur_flow, old_flow = _q(cur_flow), _q(old_flow)
        if cur_flow or old_flow:
            by_section[cash_flow_section(code, kind)].append((code, name, cur_flow, old_flow))
    balances = account_sums(session, coop.id, {"cur_open": (None, period.start - timedelta(days=1)),
                                               "cur_close": (None, period.end),
                                               "prev_open": (None, prev.start - timedelta(days=1))},
                            business_unit_id, cash_ids)
    items = list(balances.values())
    opening = _total(items, lambda s: s.net("cur_open"))
    closing = _total(items, lambda s: s.net("cur_close"))
    p_open = _total(items, lambda s: s.net("prev_open"))
    r = _header("arus-kas", "Laporan Arus Kas (metode langsung)", coop, period, unit_label,
                ["Kode akun", "Uraian", period.label, prev.label], (2, 3))
    net_cur = net_prev = ZERO
    sections = {}
    for key, title in SECTION_TITLES.items():
        r.rows.append(Row(("", title, None, None), "section"))
        for code, name, cur, old in by_section[key]:
            verb = "Penerimaan" if (cur or old) > 0 else "Pembayaran"
            r.rows.append(Row((code, f"{verb} terkait {name}", cur, old)))
        tc, tp = _total(by_section[key], lambda x: x[2]), _total(by_section[key], lambda x: x[3])
        sections[key] = tc
        r.rows.append(Row(("", f"Kas bersih dari aktivitas {key}", tc, tp), "subtotal"))
        net_cur, net_prev = net_cur + tc, net_prev + tp
    r.rows.append(Row(("", "KENAIKAN (PENURUNAN) BERSIH KAS", net_cur, net_prev), "total"))
    r.rows.append(Row(("", "Saldo kas dan bank awal periode", opening, p_open)))
    r.rows.append(Row(("", "SALDO KAS DAN BANK AKHIR PERIODE", opening + net_cur, p_open + net_prev), "total"))
    r.checks = [_balanced_check("Saldo awal + kenaikan bersih = saldo kas dan bank menurut buku", opening + net_cur,
                                closing),
                _balanced_check(f"Periode pembanding {prev.label}", p_open + net_prev, opening)]
    r.notes.append("Metode langsung: perubahan kas/bank setiap jurnal dibagi ke akun lawannya di sisi seberang "
                   "(penerimaan ke akun yang dikredit, pembayaran ke akun yang didebet) menurut besarnya, sehingga "
                   "pembelian sebagian kredit hanya mencatat uang yang benar-benar dibayar. Aset tetap = investasi; "
                   "ekuitas, simpanan sukarela, utang SHU dan utang bank jangka panjang = pendanaan; lainnya = "
                   "operasi. "
                   "Pemindahan antara kas dan bank tidak dihitung.")
    r.data = dict(sections, net=net_cur, opening=opening, closing=closing, prev_net=net_prev)
    return r


# -- the Sudin's consolidated view -------------------------------------------------------------------------------

def _in_region(code):
    """Cooperatives of a city (``31.73``) or a whole province (``31``)."""
    if len(code) == 2:
        return Cooperative.region_code.like(code + ".%")
    return Cooperative.city_code == code


def consolidated(session, city_code, period):
    """Per cooperative of the city or province (one aggregate grouped by cooperative) plus totals."""
    b = AccountBalance.__table__
    months = month_of(b)
    net = b.c.debit - b.c.credit
    # The period's revenue and costs without the year-end closing entry (which empties them into equity).
    period_net = (b.c.debit - b.c.closing_debit) - (b.c.credit - b.c.closing_credit)
    in_period = months >= first_month(period.start)

    def sum_when(cond, value):
        return type_coerce(func.coalesce(func.sum(case((cond, value), else_=0)), 0), MONEY)

    is_cash = or_(Account.code.like("111%"), Account.code.like("112%"))
    city_coops = select(Cooperative.id).where(_in_region(city_code))
    agg = (select(b.c.cooperative_id.label("cid"),
                  sum_when(Account.kind == "aset", net).label("aset"),
                  sum_when(Account.kind == "kewajiban", -net).label("kewajiban"),
                  sum_when(Account.kind == "ekuitas", -net).label("ekuitas"),
                  sum_when(Account.kind.in_(NOMINAL), -net).label("shu_open"),
                  sum_when(and_(in_period, Account.member_flag == "anggota"), -period_net).label("rev_member"),
                  sum_when(and_(in_period, Account.member_flag == "non_anggota"), -period_net).label("rev_non"),
                  sum_when(and_(in_period, Account.kind == "pendapatan"), -period_net).label("revenue"),
                  sum_when(and_(in_period, Account.kind.in_(("hpp", "beban"))), period_net).label("costs"),
                  sum_when(is_cash, net).label("cash"),
                  type_coerce(func.coalesce(func.sum(b.c.debit), 0), MONEY).label("debit"),
                  type_coerce(func.coalesce(func.sum(b.c.credit), 0), MONEY).label("credit"))
           .select_from(b).join(Account, Account.id == b.c.account_id)
           .where(b.c.cooperative_id.in_(city_coops), months <= last_month(period.end))
           .group_by(b.c.cooperative_id).subquery())
    stmt = (select(Cooperative.region_code, Cooperative.name, agg.c.aset, agg.c.kewajiban, agg.c.ekuitas,
                   agg.c.shu_open, agg.c.rev_member, agg.c.rev_non, agg.c.revenue, agg.c.costs, agg.c.cash,
                   agg.c.debit, agg.c.credit)
            .select_from(Cooperative).outerjoin(agg, agg.c.cid == Cooperative.id)
            .where(_in_region(city_code)).order_by(Cooperative.region_code))
    from app.regions.models import Region

    city_name = session.execute(select(Region.name).where(Region.code == city_code)).scalar()
    r = Report(key="konsolidasi", title=gettext("Laporan Keuangan Konsolidasi Koperasi Se-Kota/Kabupaten"),
               cooperative=f"{city_name or 'Wilayah'} ({city_code})", period=period.label, compare="", unit="",
               headers=["Kode kelurahan", "Koperasi", "Aset", "Kewajiban", "Ekuitas (termasuk SHU berjalan)",
                        "Pendapatan dari anggota", "Pendapatan dari non-anggota", "Jumlah pendapatan",
                        "HPP dan beban", "SHU periode", "Kas dan bank", "Seimbang"],
               money_columns=tuple(range(2, 11)))
    totals = [ZERO] * 9
    unbalanced = []
    for row in session.execute(stmt):
        aset, kew, eq, shu_open, rm, rn, rev, costs, cash, debit, credit = (_q(v) for v in row[2:])
        cells = (aset, kew, eq + shu_open, rm, rn, rev, costs, rev - costs, cash)
        ok = debit == credit and aset == kew + eq + shu_open
        if not ok:
            unbalanced.append(row.region_code)
        r.rows.append(Row((row.region_code, row.name) + cells + ("Seimbang" if ok else "TIDAK SEIMBANG",)))
        totals = [a + b for a, b in zip(totals, cells)]
    r.rows.append(Row(("", f"JUMLAH ({len(r.rows)} koperasi)") + tuple(totals) + ("",), "total"))
    r.checks = [Check("Setiap koperasi: debet = kredit dan aset = kewajiban + ekuitas", not unbalanced,
                      ", ".join(unbalanced))]
    r.data = dict(count=len(r.rows) - 1, aset=totals[0], kewajiban=totals[1], ekuitas=totals[2],
                  pendapatan=totals[5], shu=totals[7], kas=totals[8],
                  codes=[row.cells[0] for row in r.rows[:-1]])
    return r
