"""SHU rules per cooperative and fiscal year: the allocation (sum exactly 100.00 %), the jasa modal basis, the
leavers rule, the RAT quorum; copied forward from the year before."""
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select

from app.core.errors import DomainError, ValidationFailed

from ..models import (ALLOCATION_LABELS, BALANCE_BASIS_LABELS, JM_BASIS_LABELS, LEAVER_LABELS, RAT_ORDER,
                      RatMeeting, ShuAllocation, ShuRule, ShuWorksheet)
from .common import BOARD_ROLES, HUNDRED, check_year, coop_of, parse_percent, require_role

# The textbook pattern (kkmp-domain.md §1.3, koperasi.net): offered when a cooperative has no rule yet.
DEFAULT_SPLIT = [("cadangan", "40.00"), ("jasa_modal", "20.00"), ("jasa_usaha", "20.00"), ("dana_pengurus", "5.00"),
                 ("dana_karyawan", "5.00"), ("dana_pendidikan", "5.00"), ("dana_sosial", "5.00")]


def rule_for(session, cooperative_id, year):
    return session.execute(select(ShuRule).where(ShuRule.cooperative_id == cooperative_id,
                                                 ShuRule.year == int(year))).scalar()


def previous_rule(session, cooperative_id, year):
    return session.execute(select(ShuRule).where(ShuRule.cooperative_id == cooperative_id, ShuRule.year < int(year))
                           .order_by(ShuRule.year.desc()).limit(1)).scalar()


def rat_for(session, cooperative_id, year):
    return session.execute(select(RatMeeting).where(RatMeeting.cooperative_id == cooperative_id,
                                                    RatMeeting.year == int(year))).scalar()


def check_rule_open(session, cooperative_id, year):
    """A rule cannot change once the RAT that decides it was held or the SHU was distributed."""
    rat = rat_for(session, cooperative_id, year)
    if rat is not None and RAT_ORDER.index(rat.status) >= RAT_ORDER.index("dilaksanakan"):
        raise DomainError(gettext("RAT tahun buku %(y)s sudah %(s)s; aturan pembagian SHU-nya tidak dapat diubah.",
                                  y=year, s=str(rat.status_label).lower()))
    ws = session.execute(select(ShuWorksheet.status).where(ShuWorksheet.cooperative_id == cooperative_id,
                                                           ShuWorksheet.year == year)).scalar()
    if ws == "dibagikan":
        raise DomainError(gettext("SHU tahun buku %(y)s sudah dibagikan; aturannya tidak dapat diubah.", y=year))


def check_allocations(allocations):
    """[(kind, name, Decimal percent)] from [(kind, name, percent text)]: known kinds, a name for "lainnya",
    dana cadangan present (Pasal 45), no negative part, at most two decimals, summing to exactly 100.00."""
    out, seen = [], set()
    for raw in allocations:
        kind, name, percent = (tuple(raw) + (None, None, None))[:3]
        kind = (kind or "").strip()
        if kind not in ALLOCATION_LABELS:
            raise ValidationFailed(gettext("Jenis alokasi \"%(k)s\" tidak dikenal.", k=kind), "allocations")
        name = " ".join(str(name or "").split()) or str(ALLOCATION_LABELS[kind])
        if kind == "lain" and name == str(ALLOCATION_LABELS["lain"]):
            raise ValidationFailed(gettext("Beri nama untuk alokasi lainnya."), "allocations")
        percent = parse_percent(percent, "allocations", name)
        if percent == 0 and kind != "cadangan":
            continue
        key = (kind, name.lower())
        if key in seen or (kind != "lain" and kind in {k for k, _n in seen}):
            raise ValidationFailed(gettext("Alokasi %(n)s disebut dua kali.", n=name), "allocations")
        seen.add(key)
        out.append((kind, name[:80], percent))
    if "cadangan" not in {k for k, _n, _p in out}:
        raise ValidationFailed(gettext("Pembagian SHU harus memuat dana cadangan (UU 25/1992 Pasal 45)."),
                               "allocations")
    total = sum((p for _k, _n, p in out), Decimal("0.00"))
    if total != HUNDRED:
        raise ValidationFailed(gettext("Jumlah persentase pembagian SHU harus tepat 100,00%% (sekarang %(t)s%%).",
                                       t=f"{total:.2f}".replace(".", ",")), "allocations")
    return out


def do_set_rule(session, *, cooperative_id, year, allocations, acting_user, jm_basis="pokok_wajib",
                balance_basis="akhir_tahun", leaver_rule="sampai_keluar", quorum_percent="50", decision_ref=None,
                decided_on=None, copied_from_year=None):
    """Set (create or replace) the SHU rule of a fiscal year. Pengurus only; refused once its RAT was held."""
    require_role(acting_user, BOARD_ROLES, gettext("Hanya Pengurus yang menetapkan aturan pembagian SHU."))
    coop = coop_of(session, cooperative_id)
    year = check_year(year)
    if jm_basis not in JM_BASIS_LABELS:
        raise ValidationFailed(gettext("Pilih dasar jasa modal."), "jm_basis")
    if balance_basis not in BALANCE_BASIS_LABELS:
        raise ValidationFailed(gettext("Pilih dasar saldo simpanan."), "balance_basis")
    if leaver_rule not in LEAVER_LABELS:
        raise ValidationFailed(gettext("Pilih aturan untuk anggota yang keluar."), "leaver_rule")
    quorum = parse_percent(quorum_percent, "quorum_percent", gettext("Kuorum"))
    if quorum <= 0:
        raise ValidationFailed(gettext("Kuorum harus lebih dari 0%%."), "quorum_percent")
    parts = check_allocations(allocations)
    check_rule_open(session, coop.id, year)
    rule = rule_for(session, coop.id, year)
    if rule is None:
        rule = ShuRule(cooperative=coop, cooperative_id=coop.id, year=year)
        session.add(rule)
    rule.jm_basis, rule.balance_basis, rule.leaver_rule = jm_basis, balance_basis, leaver_rule
    rule.quorum_percent = quorum
    rule.decision_ref = (decision_ref or "").strip()[:80] or None
    rule.decided_on = decided_on
    if copied_from_year is not None:
        rule.copied_from_year = copied_from_year
    rule.allocations.clear()
    session.flush()
    for i, (kind, name, percent) in enumerate(parts):
        rule.allocations.append(ShuAllocation(cooperative_id=coop.id, position=i, kind=kind, name=name,
                                              percent=percent))
    session.flush()
    return rule


def do_copy_rule_forward(session, *, cooperative_id, year, acting_user):
    """The rule of the latest earlier year, copied to ``year`` (without its RAT decision reference)."""
    coop = coop_of(session, cooperative_id)
    year = check_year(year)
    if rule_for(session, coop.id, year) is not None:
        raise DomainError(gettext("Aturan SHU tahun %(y)s sudah ada.", y=year))
    before = previous_rule(session, coop.id, year)
    if before is None:
        raise DomainError(gettext("Belum ada aturan SHU tahun sebelumnya untuk disalin."))
    return do_set_rule(session, cooperative_id=coop.id, year=year, acting_user=acting_user,
                       allocations=[(a.kind, a.name, a.percent) for a in before.allocations],
                       jm_basis=before.jm_basis, balance_basis=before.balance_basis, leaver_rule=before.leaver_rule,
                       quorum_percent=before.quorum_percent, copied_from_year=before.year)
