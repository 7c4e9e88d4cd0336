"""The RAT package as one workbook (xlsxwriter), and the member SHU list.

Sheets: Ringkasan RAT (status, dates, deadline, attendance and quorum, minutes), the closed year's statements
(laporan posisi keuangan, PHU, perubahan ekuitas, arus kas, neraca saldo), Pembagian SHU (the decision and each
allocation, the cadangan parts), SHU anggota (each member's bases, exact and rounded share, payment), Daftar hadir
(every member with a signature column) and RAPB (next year's budget by account). User text is written as text
(never a formula); amounts as numbers in rupiah format. Large sheets are written row by row in constant memory.
"""
import os
import tempfile
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from sqlalchemy import select

from app.core.formatting import tanggal

RUPIAH_FORMAT = '"Rp"#,##0;[Red]-"Rp"#,##0;"-"'
EXACT_FORMAT = '#,##0.000000'


def statements_of(session, coop, year):
    from app.ledger import statements as st

    period = st.ReportPeriod(year)
    return [st.financial_position(session, coop, period), st.income_statement(session, coop, period),
            st.equity_changes(session, coop, period), st.cash_flow(session, coop, period),
            st.trial_balance_report(session, coop, period)]


def member_rows(session, ws):
    """(share, member) in id order, streamed."""
    from app.members.models import Member

    from .models import ShuMemberShare

    stmt = (select(ShuMemberShare, Member).join(Member, Member.id == ShuMemberShare.member_id)
            .where(ShuMemberShare.worksheet_id == ws.id).order_by(ShuMemberShare.id)
            .execution_options(yield_per=2000))
    return session.execute(stmt)


class _Book:
    def __init__(self, path):
        self.wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                             "strings_to_urls": False, "strings_to_numbers": False})
        wb = self.wb
        self.f = {"title": wb.add_format({"bold": True, "font_size": 14}),
                  "sub": wb.add_format({"bold": True}),
                  "head": wb.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1, "text_wrap": True}),
                  "text": wb.add_format({"border": 1}), "money": wb.add_format({"num_format": RUPIAH_FORMAT,
                                                                               "border": 1}),
                  "exact": wb.add_format({"num_format": EXACT_FORMAT, "border": 1}),
                  "date": wb.add_format({"num_format": "dd/mm/yyyy", "border": 1}),
                  "bold": wb.add_format({"bold": True, "border": 1}),
                  "bold_money": wb.add_format({"bold": True, "border": 1, "num_format": RUPIAH_FORMAT})}

    def sheet(self, name, title, coop, headers, widths):
        ws = self.wb.add_worksheet(name[:31])
        ws.write_string(0, 0, str(coop.name), self.f["sub"])
        ws.write_string(1, 0, str(title), self.f["title"])
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        for c, h in enumerate(headers):
            ws.write_string(3, c, str(h), self.f["head"])
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(3)
        return ws

    def cell(self, ws, r, c, value, fmt=None):
        f = self.f
        if value is None or value == "":
            ws.write_blank(r, c, None, f["text"])
        elif isinstance(value, Decimal):
            # the file stores IEEE doubles: the one conversion, at the boundary
            ws.write_number(r, c, float(value), f[fmt or "money"])
        elif isinstance(value, bool):
            ws.write_string(r, c, "Ya" if value else "Tidak", f["text"])
        elif isinstance(value, int):
            ws.write_number(r, c, value, f["text"])
        elif isinstance(value, (date, datetime)):
            day = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
            ws.write_datetime(r, c, day, f["date"])
        else:
            ws.write_string(r, c, str(value), f[fmt or "text"])

    def row(self, ws, r, values, fmts=()):
        for c, v in enumerate(values):
            self.cell(ws, r, c, v, fmts[c] if c < len(fmts) else None)


def _tmp(prefix):
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix=prefix)
    os.close(fd)
    return path


def members_xlsx(session, coop, ws):
    path = _tmp("kkmp-shu-anggota-")
    book = _Book(path)
    sheet = book.sheet("SHU anggota", f"SHU anggota tahun buku {ws.year}", coop, MEMBER_HEADERS,
                       [14, 32, 16, 16, 18, 18, 16, 14, 16, 18])
    r = 4
    for share, member in member_rows(session, ws):
        book.row(sheet, r, member_cells(share, member), MEMBER_FORMATS)
        r += 1
    book.wb.close()
    return path


MEMBER_HEADERS = ["Nomor anggota", "Nama", "Dasar jasa modal", "Dasar jasa usaha", "Jasa modal (tepat)",
                  "Jasa usaha (tepat)", "SHU dibulatkan", "Keluar tanggal", "Dibayar", "Nomor bukti"]
MEMBER_FORMATS = (None, None, "money", "money", "exact", "exact", "money")


def member_cells(share, member):
    paid = (f"{tanggal(share.paid_on)} ({share.payment_label})" if share.paid_on else "Belum dibayar")
    return [member.member_number or "", member.name, share.jm_basis, share.ju_basis, Decimal(share.jm_exact),
            Decimal(share.ju_exact), share.total_rounded, share.left_on, paid, share.receipt_number or ""]


def rat_package_xlsx(session, coop, year, ws, rat, rule, quorum):
    from .models import RapbLine

    path = _tmp("kkmp-paket-rat-")
    book = _Book(path)
    f = book.f
    # -- summary ------------------------------------------------------------------------------------------------
    s = book.sheet("Ringkasan RAT", f"Rapat Anggota Tahunan tahun buku {year}", coop, ["Uraian", "Isi"], [40, 60])
    required, present, reached = quorum
    rows = [("Status RAT", str(rat.status_label) if rat else "Belum disiapkan"),
            ("Batas waktu (6 bulan setelah tutup tahun)", tanggal(date(year + 1, 6, 30))),
            ("Terlambat", ("Ya" if rat.overdue else "Tidak") if rat else ""),
            ("Rencana tanggal", tanggal(rat.planned_date) if rat and rat.planned_date else ""),
            ("Tanggal pelaksanaan", tanggal(rat.held_date) if rat and rat.held_date else ""),
            ("Jumlah anggota", rat.members_total if rat and rat.members_total is not None else ""),
            ("Jumlah hadir", rat.attendance if rat and rat.attendance is not None else ""),
            ("Kuorum menurut AD/ART", f"{required}%".replace(".", ",")),
            ("Kehadiran", f"{present}%".replace(".", ",") if present is not None else ""),
            ("Kuorum tercapai", "Ya" if reached else "Tidak"),
            ("Nomor keputusan RAT", (rat.decision_ref or "") if rat else ""),
            ("Pimpinan rapat", (rat.chair_name or "") if rat else ""),
            ("Notulis", (rat.minutes_taker or "") if rat else ""),
            ("Notulen / risalah rapat", (rat.minutes or "") if rat else "")]
    for i, (k, v) in enumerate(rows):
        book.row(s, 4 + i, [k, v])
    # -- the statements -----------------------------------------------------------------------------------------
    for report in statements_of(session, coop, year):
        name = {"posisi-keuangan": "Posisi keuangan", "hasil-usaha": "PHU", "perubahan-ekuitas": "Perubahan ekuitas",
                "arus-kas": "Arus kas", "neraca-saldo": "Neraca saldo"}.get(report.key, report.key)
        sheet = book.sheet(name, f"{report.title} - {report.period}", coop, report.headers,
                           [14, 44] + [18] * (len(report.headers) - 2))
        r = 4
        for row in report.rows:
            strong = row.style in ("section", "subtotal", "total")
            for c, value in enumerate(row.cells):
                if strong and isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), f["bold_money"])
                elif strong and isinstance(value, str) and value:
                    sheet.write_string(r, c, value, f["bold"])
                else:
                    book.cell(sheet, r, c, value)
            r += 1
        for note in report.notes:
            r += 1
            sheet.write_string(r, 0, str(note))
    # -- SHU decision -------------------------------------------------------------------------------------------
    s = book.sheet("Pembagian SHU", f"Keputusan pembagian SHU tahun buku {year}", coop,
                   ["Uraian", "Persen", "Dasar", "Jumlah"], [52, 10, 18, 18])
    r = 4
    if rule is not None:
        book.row(s, r, ["Aturan: " + rule.allocation_text, "", "", ""])
        r += 1
        book.row(s, r, [f"Jasa modal: {rule.jm_basis_label}, {rule.balance_basis_label}; anggota keluar: "
                        f"{rule.leaver_rule_label}", "", "", ""])
        r += 1
    if ws is not None:
        for label, value in (("SHU tahun buku", ws.shu_total), ("SHU dari anggota", ws.shu_members),
                             ("SHU dari non-anggota", ws.shu_non_members)):
            book.row(s, r, [label, "", "", value])
            r += 1
        for line in ws.lines:
            book.row(s, r, [line.name, line.percent_text, line.base, line.amount])
            r += 1
        for label, value in (("Cadangan menurut aturan", ws.cadangan_rule),
                             ("Cadangan: bagian jasa anggota dari SHU non-anggota", ws.cadangan_non_member),
                             ("Cadangan: bagian anggota yang tidak dapat dibagi", ws.cadangan_undistributed),
                             ("Cadangan: selisih pembulatan SHU anggota", ws.cadangan_rounding),
                             ("Jumlah dana cadangan", ws.cadangan_total), ("Jumlah dana-dana", ws.funds_total),
                             ("Jumlah SHU anggota (dibulatkan)", ws.member_shares_total),
                             ("Rugi ditutup dari cadangan", ws.loss_covered),
                             ("Rugi belum tertutup", ws.loss_uncovered)):
            book.row(s, r, [label, "", "", value])
            r += 1
        if ws.ju_source:
            book.row(s, r, ["Dasar jasa usaha: " + ws.ju_source, "", "", ""])
    else:
        book.row(s, r, ["Kertas kerja SHU belum dihitung.", "", "", ""])
    # -- members with their SHU ---------------------------------------------------------------------------------
    sheet = book.sheet("SHU anggota", f"SHU anggota tahun buku {year}", coop, MEMBER_HEADERS,
                       [14, 32, 16, 16, 18, 18, 16, 14, 16, 18])
    if ws is not None:
        r = 4
        for share, member in member_rows(session, ws):
            book.row(sheet, r, member_cells(share, member), MEMBER_FORMATS)
            r += 1
    # -- attendance list ----------------------------------------------------------------------------------------
    sheet = book.sheet("Daftar hadir", f"Daftar hadir RAT tahun buku {year}", coop,
                       ["No.", "Nomor anggota", "Nama", "Tanda tangan"], [6, 14, 36, 30])
    from .services import attendance_list

    for i, (number, name) in enumerate(attendance_list(session, coop.id), start=1):
        book.row(sheet, 3 + i, [i, number or "", name, ""])
    # -- RAPB ---------------------------------------------------------------------------------------------------
    sheet = book.sheet("RAPB", f"Rencana anggaran pendapatan dan belanja tahun {year + 1}", coop,
                       ["Kode akun", "Nama akun", "Anggaran"], [14, 44, 18])
    if rat is not None:
        lines = session.execute(select(RapbLine).where(RapbLine.rat_id == rat.id)
                                .order_by(RapbLine.account_code)).scalars()
        for i, line in enumerate(lines):
            book.row(sheet, 4 + i, [line.account_code, line.account_name, line.amount])
    book.wb.close()
    return path
