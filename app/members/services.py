"""Rules of the member register. Every state change is a plain function taking ``acting_user``; none commits
(the caller's transaction holds the member row, its registry row, its number and its audit rows together).

Decisions (see the package report):

* NIK: normalised with ``app.core.nik`` (NFKC, separators dropped), checked with python-stdnum, and the birth date
  and sex it encodes (day + 40 for women) must match what was entered.
* Territory: the domicile kelurahan from the KTP must be the cooperative's own kelurahan. The NIK prefix is where the
  NIK was first issued and is never compared.
* One live membership per NIK in the whole country: ``nik_registry`` (primary key = HMAC-SHA256 of the NIK keyed
  by ``KKMP_NIK_HMAC_KEY`` or, failing that, ``SECRET_KEY``) is written in the same transaction as the member and
  removed when the membership ends. Changing the key means rebuilding the registry (``rebuild_registry``).
* Member numbers are given at approval (an application that is refused never consumes one), gapless per
  cooperative through ``member_counter`` (``UPDATE ... RETURNING`` in the approving transaction).
"""
import hashlib
import hmac
import re
import unicodedata

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.cooperatives.models import Cooperative
from app.core.errors import DomainError, ValidationFailed
from app.core.formatting import tanggal
from app.core.nik import check_nik, mask_nik, normalise_nik
from app.extensions import db

from .models import (END_STATUSES, EVER_MARRIED, LIVE, MARITAL_LABELS, Member, MemberCounter, MemberStatusEvent,
                     NikRegistry, name_key_of)

NUMBER_PREFIX = "A-"
ENTRY_ROLES = {"Sekretaris", "Pengurus"}
BOARD_ROLES = {"Pengurus"}
# Why a NIK cannot be registered: the true reason, by where and in what state the live membership is (issue 10.9).
NIK_TAKEN = _l("NIK ini sudah terdaftar pada keanggotaan atau permohonan lain yang masih berjalan.")
NIK_ACTIVE_ELSEWHERE = _l("This NIK is already an active member of another cooperative.")
NIK_APPROVED_ELSEWHERE = _l("NIK ini sudah disetujui menjadi anggota koperasi lain (belum diaktifkan).")
NIK_APPLIED_ELSEWHERE = _l("NIK ini sedang dalam permohonan keanggotaan di koperasi lain; permohonan itu harus "
                           "ditolak atau keanggotaannya diakhiri lebih dulu.")
NIK_HERE = _l("NIK ini sudah terdaftar di koperasi ini: %(who)s, status %(status)s. Buka data anggota itu; "
              "jangan mendaftarkannya dua kali.")
NAME_MAX = 120
LOOKUP_PAGE_SIZE = 20

FIELD_LABELS = {
    "cooperative": _l("Koperasi"),
    "member_number": _l("Nomor anggota"),
    "nik": _l("NIK"),
    "nik_masked": _l("NIK"),
    "name": _l("Nama"),
    "sex": _l("Jenis kelamin"),
    "sex_label": _l("Jenis kelamin"),
    "birth_date": _l("Tanggal lahir"),
    "address": _l("Alamat"),
    "rt": _l("RT"),
    "rw": _l("RW"),
    "rt_rw": _l("RT/RW"),
    "domicile_code": _l("Kode kelurahan domisili (KTP)"),
    "phone": _l("Telepon"),
    "occupation": _l("Pekerjaan"),
    "marital_status": _l("Status perkawinan"),
    "marital_label": _l("Status perkawinan"),
    "join_date": _l("Tanggal daftar"),
    "status": _l("Status"),
    "status_label": _l("Status"),
    "approved_on": _l("Disetujui tanggal"),
    "active_since": _l("Aktif sejak"),
    "ended_on": _l("Berakhir tanggal"),
    "end_note": _l("Keterangan berakhir"),
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_KELURAHAN = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


# -- small helpers ----------------------------------------------------------------------------------------------

def local_today(cooperative):
    from app.core.dates import local_today as _local_today

    return _local_today(cooperative)


def nik_hmac(nik):
    """HMAC-SHA256 of a normalised NIK: the key of the national registry and of exact NIK search."""
    key = current_app.config.get("KKMP_NIK_HMAC_KEY") or current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    return hmac.new(key, normalise_nik(nik).encode(), hashlib.sha256).hexdigest()


def role_names(user):
    return {r.name for r in getattr(user, "roles", None) or []}


def _is_admin(user):
    return current_app.config.get("AUTH_ROLE_ADMIN", "Admin") in role_names(user)


def require_role(user, allowed, message):
    if user is None or not (_is_admin(user) or role_names(user) & allowed):
        raise DomainError(message)


def clean_text(value, field, max_len, required=True):
    """NFC, trimmed, single spaces; refuses control and bidi-override characters and over-long text."""
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    text = re.sub(r"\s+", " ", text)
    if _CONTROL.search(text):
        raise ValidationFailed(_l("%(field)s berisi karakter tak terlihat atau karakter kendali; ketik ulang.",
                                  field=FIELD_LABELS.get(field, field)), field)
    if required and not text:
        raise ValidationFailed(_l("%(field)s wajib diisi.", field=FIELD_LABELS.get(field, field)), field)
    if len(text) > max_len:
        raise ValidationFailed(_l("%(field)s paling panjang %(n)d karakter.", field=FIELD_LABELS.get(field, field),
                                  n=max_len), field)
    return text or None


def _rt_rw(value, field):
    digits = normalise_nik(value or "")
    if not (digits.isdigit() and 1 <= len(digits) <= 3 and int(digits) > 0):
        raise ValidationFailed(_l("%(field)s harus angka 1 sampai 3 digit, contoh 003.",
                                  field=FIELD_LABELS[field]), field)
    return f"{int(digits):03d}"


def _phone(value):
    from app.core.identifiers import check_phone

    return check_phone(value, "phone")


def nik_birth(nik):
    """(day, month, two-digit year, sex) encoded in a NIK."""
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    return (day - 40, month, yy, "P") if day > 40 else (day, month, yy, "L")


def cross_check_nik(nik, birth_date, sex):
    """The NIK encodes date of birth and sex (day + 40 for women); they must match what was entered."""
    day, month, yy, nik_sex = nik_birth(nik)
    if sex in ("L", "P") and sex != nik_sex:
        raise ValidationFailed(
            _l("Jenis kelamin tidak cocok dengan NIK: menurut NIK (tanggal lahir %(day)02d, %(rule)s) pemiliknya "
               "%(sex)s. Periksa NIK atau jenis kelamin.", day=int(nik[6:8]),
               rule="tanggal + 40 untuk perempuan", sex="perempuan" if nik_sex == "P" else "laki-laki"), "sex")
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, yy):
        raise ValidationFailed(
            _l("Tanggal lahir tidak cocok dengan NIK: NIK menyebut %(d)02d/%(m)02d/..%(y)02d. "
               "Periksa NIK atau tanggal lahir.", d=day, m=month, y=yy), "birth_date")


MAX_AGE = 120  # a birth date further back is a typing error (1845 for 1985), not a member


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(birth_date, day):
    """Completed years of age on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_member_age(member, coop):
    """The age rule (UU 25/1992 and the AD/ART; the KTP is issued at 17 or on marriage): on the day of application
    the applicant is at least the cooperative's minimum age (``member_min_age``, 17 unless its AD/ART says more),
    or is or has been married (the KTP's status perkawinan)."""
    minimum = coop.member_min_age or 17
    age = age_on(member.birth_date, member.join_date)
    if age >= minimum or member.marital_status in EVER_MARRIED:
        return
    raise ValidationFailed(
        _l("Umur pada tanggal daftar %(age)d tahun: anggota koperasi harus berumur paling sedikit %(min)d tahun "
           "atau sudah/pernah kawin (UU 25/1992 dan AD/ART koperasi). Periksa tanggal lahir, atau isi status "
           "perkawinan sesuai KTP.", age=age, min=minimum), "birth_date")


def check_nik_city(nik, session):
    """The NIK's first four digits (PPKK) are the kabupaten/kota where it was first issued: it must be one in the
    Kemendagri list the app holds (python-stdnum checks the province only).

    A refusal, because no NIK can carry a city that does not exist: it is a typing error. Where the city is not
    the cooperative's is neither a refusal nor a warning: membership follows the KTP domicile (checked against the
    cooperative's kelurahan below), and a NIK keeps the region of its first registration for life, so most members
    who moved in carry another city's NIK (kkmp-domain.md §0.1). The kecamatan digits are not compared either:
    kecamatan are split and renumbered more often, and old NIKs keep the old code.
    """
    from app.regions.models import Region

    city = f"{nik[:2]}.{nik[2:4]}"
    if session.get(Region, city) is None:
        raise ValidationFailed(_l("NIK diawali %(code)s, padahal tidak ada kabupaten/kota dengan kode %(city)s di "
                                  "daftar wilayah Kemendagri. Periksa empat digit pertama NIK.",
                                  code=nik[:4], city=city), "nik")


def _coop_of(member, session):
    from sqlalchemy import inspect as sa_inspect

    coop = member.cooperative
    state = sa_inspect(coop) if coop is not None else None
    if state is not None and (state.transient or (state.pending and coop.region_code is None)):
        # The API's related field makes a transient row for an id it could not load (a cooperative outside the
        # user's area looks missing): that is no cooperative, not one without a kelurahan ("(None)").
        coop = None
        member.cooperative = None
    if coop is None and member.cooperative_id is not None:
        coop = session.get(Cooperative, member.cooperative_id)
    if coop is None:
        raise ValidationFailed(_l("Pilih koperasi di wilayah Anda."), "cooperative")
    return coop


# -- checking a member ------------------------------------------------------------------------------------------

def check_member(member, session=None, existing=None, today=None):
    """Normalise ``member`` in place and check every rule that needs no other row except its cooperative.

    ``existing`` is the stored row when editing (a blank NIK then keeps the stored one).
    """
    session = session or db.session
    coop = _coop_of(member, session)
    today = today or local_today(coop)
    if not (member.nik or "").strip() and existing is not None:
        member.nik = existing.nik
    if not (member.nik or "").strip():
        raise ValidationFailed(_l("NIK wajib diisi (16 digit dari KTP)."), "nik")
    member.nik = check_nik(member.nik)
    check_nik_city(member.nik, session)
    member.name = clean_text(member.name, "name", NAME_MAX)
    if member.sex not in ("L", "P"):
        raise ValidationFailed(_l("Jenis kelamin harus L (laki-laki) atau P (perempuan)."), "sex")
    if member.birth_date is None:
        raise ValidationFailed(_l("Tanggal lahir wajib diisi."), "birth_date")
    if member.birth_date > today:
        raise ValidationFailed(_l("Tanggal lahir tidak boleh di masa depan."), "birth_date")
    if member.birth_date < _years_before(today, MAX_AGE):
        raise ValidationFailed(_l("Tanggal lahir %(d)s berarti umur lebih dari %(n)d tahun; periksa tahun lahir.",
                                  d=tanggal(member.birth_date), n=MAX_AGE), "birth_date")
    cross_check_nik(member.nik, member.birth_date, member.sex)
    if member.join_date is None:
        raise ValidationFailed(_l("Tanggal daftar wajib diisi."), "join_date")
    if member.join_date > today:
        raise ValidationFailed(_l("Tanggal daftar tidak boleh di masa depan."), "join_date")
    if member.join_date < member.birth_date:
        raise ValidationFailed(_l("Tanggal daftar tidak boleh sebelum tanggal lahir."), "join_date")
    member.marital_status = (member.marital_status or "").strip() or None
    if member.marital_status is not None and member.marital_status not in MARITAL_LABELS:
        raise ValidationFailed(_l("Status perkawinan harus belum_kawin, kawin, cerai_hidup atau cerai_mati "
                                  "(sesuai KTP)."), "marital_status")
    check_member_age(member, coop)
    member.address = clean_text(member.address, "address", 255)
    member.rt = _rt_rw(member.rt, "rt")
    member.rw = _rt_rw(member.rw, "rw")
    member.phone = _phone(member.phone)
    member.occupation = clean_text(member.occupation, "occupation", 80, required=False)
    code = unicodedata.normalize("NFKC", str(member.domicile_code or "")).strip()
    if not _KELURAHAN.match(code):
        raise ValidationFailed(_l("Kode kelurahan domisili harus berbentuk PP.KK.CC.1DDD sesuai KTP, "
                                  "contoh 31.73.05.1001."), "domicile_code")
    if code != coop.region_code:
        raise ValidationFailed(
            _l("Domisili di KTP (%(code)s) bukan kelurahan koperasi ini (%(coop)s): anggota KKMP harus warga yang "
               "berdomisili di kelurahan yang sama.", code=code, coop=coop.region_code), "domicile_code")
    member.domicile_code = code
    member.nik_hmac = nik_hmac(member.nik)
    return member


def nik_taken_message(session, coop_id_of_other, holder_id=None, own_coop_id=None):
    """The refusal for a NIK already live in a membership or an application: the true reason (this cooperative, or
    another one where it is an application, approved or active); the other cooperative is named only to users who
    may see it."""
    from app.core.scope import current_scope, unscoped

    holder = None
    if holder_id is not None:
        holder = session.execute(select(Member.status, Member.member_number, Member.name)
                                 .where(Member.id == holder_id), execution_options=unscoped()).first()
    if holder is not None and own_coop_id is not None and coop_id_of_other == own_coop_id:
        from .models import STATUS_LABELS

        who = f"{holder.member_number} {holder.name}" if holder.member_number else holder.name
        return str(NIK_HERE) % {"who": who, "status": str(STATUS_LABELS.get(holder.status, holder.status))}
    message = {"permohonan": NIK_APPLIED_ELSEWHERE, "disetujui": NIK_APPROVED_ELSEWHERE,
               "aktif": NIK_ACTIVE_ELSEWHERE}.get(holder.status if holder is not None else None, NIK_TAKEN)
    scope = current_scope(session)
    if coop_id_of_other is not None and (scope.all or coop_id_of_other in scope.read_ids):
        name = session.execute(select(Cooperative.name).where(Cooperative.id == coop_id_of_other)).scalar()
        if name:
            return gettext("%(msg)s (%(coop)s)", msg=str(message), coop=name)
    return str(message)


def check_nik_free(member, session=None):
    """Refuse a NIK that already holds a live membership (of another member), before the database would."""
    session = session or db.session
    row = session.execute(select(NikRegistry.member_id, NikRegistry.cooperative_id)
                          .where(NikRegistry.nik_hmac == member.nik_hmac)).first()
    if row is not None and row.member_id != member.id:
        own = member.cooperative.id if member.cooperative is not None else member.cooperative_id
        raise ValidationFailed(nik_taken_message(session, row.cooperative_id, row.member_id, own), "nik")


def is_registry_conflict(error):
    text = str(getattr(error, "orig", error)).lower()
    return "nik_registry" in text


def registry_error(session=None):
    return ValidationFailed(str(NIK_TAKEN), "nik")


# -- state changes ----------------------------------------------------------------------------------------------

class _Role:
    def __init__(self, name):
        self.name = name


class SystemActor:
    """The acting user of seeding and CLI jobs (run inside ``system_scope()``)."""

    id = None
    username = "system"
    roles = [_Role("Admin")]


SYSTEM_ACTOR = SystemActor()


def _who(acting_user):
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy.exc import NoInspectionAvailable

    if acting_user is None:
        return None, None
    try:
        state = sa_inspect(acting_user)
    except NoInspectionAvailable:
        return getattr(acting_user, "id", None), getattr(acting_user, "username", None)
    # never trigger a refresh of the user row from here
    return (state.identity[0] if state.identity else None), state.dict.get("username")


def _event(session, member, from_status, to_status, on_date, acting_user, note=None):
    user_id, username = _who(acting_user)
    session.add(MemberStatusEvent(member=member, cooperative_id=member.cooperative_id,
                                  cooperative=member.cooperative, from_status=from_status, to_status=to_status,
                                  on_date=on_date, note=note, user_id=user_id, username=username))


def register_member(session, member, acting_user, today=None):
    """Enter an application (permohonan): checked, registered nationally by NIK, history started. No commit."""
    require_role(acting_user, ENTRY_ROLES, _l("Hanya Sekretaris atau Pengurus koperasi yang dapat mendaftarkan "
                                              "anggota."))
    check_member(member, session, today=today)
    check_nik_free(member, session)
    member.status = "permohonan"
    member.member_number = None
    member.member_seq = None
    coop = _coop_of(member, session)
    member.cooperative = coop
    member.cooperative_id = coop.id  # set now: the scope guard reads it on the pending history row
    session.add(member)
    _event(session, member, None, "permohonan", member.join_date, acting_user)
    session.flush()
    _claim_nik(session, member)
    return member


def _claim_nik(session, member):
    """Insert the registry row now (Core, so it is derived data outside the audit log, and a collision surfaces
    here rather than at commit). On a collision the transaction is spoiled: the caller must roll back."""
    try:
        session.execute(insert(NikRegistry.__table__).values(nik_hmac=member.nik_hmac, member_id=member.id,
                                                             cooperative_id=member.cooperative_id))
    except IntegrityError as e:
        if is_registry_conflict(e) or "unique" in str(e.orig).lower():
            raise registry_error() from None
        raise


def update_member(session, member, existing_nik=None, today=None):
    """After an edit: re-check, and move the registry entry if the NIK of a live membership changed."""
    check_member(member, session, today=today)
    if member.status in LIVE:
        current = session.execute(select(NikRegistry.nik_hmac).where(NikRegistry.member_id == member.id)).scalar()
        if current != member.nik_hmac:
            check_nik_free(member, session)
            _release_nik(session, member)
            _claim_nik(session, member)
    return member


def _transition_date(member, on, today, last):
    today = today or local_today(member.cooperative)
    on = on or today
    if on > today:
        raise ValidationFailed(_l("Tanggal tidak boleh di masa depan."), "on_date")
    if last is not None and on < last:
        raise ValidationFailed(_l("Tanggal tidak boleh sebelum langkah sebelumnya (%(d)s).",
                                  d=tanggal(last)), "on_date")
    return on


def next_member_number(session, cooperative_id):
    """The next gapless number of a cooperative; the counter row stays locked until the transaction ends."""
    t = MemberCounter.__table__
    bump = (update(t).where(t.c.cooperative_id == cooperative_id)
            .values(last_number=t.c.last_number + 1).returning(t.c.last_number))
    number = session.execute(bump).scalar()
    if number is None:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        session.execute(dialect_insert(t).values(cooperative_id=cooperative_id, last_number=0)
                        .on_conflict_do_nothing())
        number = session.execute(bump).scalar()
    return number


def format_number(seq):
    return f"{NUMBER_PREFIX}{seq:06d}"


def do_approve(session, member, acting_user, on=None, today=None):
    """Pengurus approves an application: the member gets the next number of the cooperative."""
    require_role(acting_user, BOARD_ROLES, _l("Hanya Pengurus yang dapat menyetujui permohonan anggota."))
    if member.status != "permohonan":
        raise DomainError(_l("Hanya permohonan yang dapat disetujui (status sekarang: %(s)s).",
                             s=member.status_label))
    on = _transition_date(member, on, today, member.join_date)
    seq = next_member_number(session, member.cooperative_id)
    member.member_seq = seq
    member.member_number = format_number(seq)
    member.status = "disetujui"
    member.approved_on = on
    _event(session, member, "permohonan", "disetujui", on, acting_user)
    return member


def do_activate(session, member, acting_user, on=None, today=None):
    """Pengurus activates an approved member (typically once the simpanan pokok is paid)."""
    require_role(acting_user, BOARD_ROLES, _l("Hanya Pengurus yang dapat mengaktifkan anggota."))
    if member.status != "disetujui":
        raise DomainError(_l("Hanya anggota yang sudah disetujui yang dapat diaktifkan (status sekarang: %(s)s).",
                             s=member.status_label))
    on = _transition_date(member, on, today, member.approved_on)
    member.status = "aktif"
    member.active_since = on
    _event(session, member, "disetujui", "aktif", on, acting_user)
    # Wajib is due from the month of activation: the bills exist at once, so the first payment can be taken today.
    from app.savings.services import bill_new_member

    session.flush()
    bill_new_member(session, member, today)
    return member


def _release_nik(session, member):
    session.execute(NikRegistry.__table__.delete().where(NikRegistry.__table__.c.member_id == member.id))


def do_end(session, member, acting_user, status, on=None, note=None, today=None):
    """Pengurus ends a membership: keluar (left), meninggal (died) or diberhentikan (expelled, reason required).

    The NIK is released from the national registry, so the person may join a cooperative again.
    """
    require_role(acting_user, BOARD_ROLES, _l("Hanya Pengurus yang dapat mengakhiri keanggotaan."))
    if status not in END_STATUSES:
        raise ValidationFailed(_l("Pilih alasan berakhir: keluar, meninggal atau diberhentikan."), "status")
    if member.status not in ("disetujui", "aktif"):
        raise DomainError(_l("Keanggotaan ini tidak dapat diakhiri (status sekarang: %(s)s).",
                             s=member.status_label))
    note = clean_text(note, "end_note", 255, required=(status == "diberhentikan"))
    on = _transition_date(member, on, today, member.active_since or member.approved_on)
    previous = member.status
    member.status = status
    member.ended_on = on
    member.end_note = note
    _release_nik(session, member)
    _event(session, member, previous, status, on, acting_user, note)
    return member


def do_reject(session, member, acting_user, on=None, note=None, today=None):
    """Pengurus refuses an application; it keeps no number and releases the NIK."""
    require_role(acting_user, BOARD_ROLES, _l("Hanya Pengurus yang dapat menolak permohonan anggota."))
    if member.status != "permohonan":
        raise DomainError(_l("Hanya permohonan yang dapat ditolak (status sekarang: %(s)s).", s=member.status_label))
    note = clean_text(note, "end_note", 255, required=False)
    on = _transition_date(member, on, today, member.join_date)
    member.status = "ditolak"
    member.ended_on = on
    member.end_note = note
    _release_nik(session, member)
    _event(session, member, "permohonan", "ditolak", on, acting_user, note)
    return member


TRANSITIONS = {"approve": do_approve, "activate": do_activate, "reject": do_reject}


def commit_or_refuse(session):
    """Commit; a registry collision (a concurrent registration of the same NIK) becomes the NIK message."""
    try:
        session.commit()
    except IntegrityError as e:
        session.rollback()
        if is_registry_conflict(e):
            raise registry_error() from None
        raise


# -- reports and lookups ----------------------------------------------------------------------------------------

def counts_by_sex(session=None, page=0, page_size=100):
    """Active members per cooperative in scope, men, women and total: one grouped SQL query (the scope layer
    restricts both tables). Returns (rows, total number of cooperatives)."""
    session = session or db.session
    men = func.coalesce(func.sum(case((Member.sex == "L", 1), else_=0)), 0)
    women = func.coalesce(func.sum(case((Member.sex == "P", 1), else_=0)), 0)
    stmt = (select(Cooperative.id, Cooperative.name, Cooperative.region_code, men.label("men"),
                   women.label("women"), func.count(Member.id).label("total"))
            .select_from(Cooperative)
            .outerjoin(Member, and_(Member.cooperative_id == Cooperative.id, Member.status == "aktif"))
            .group_by(Cooperative.id, Cooperative.name, Cooperative.region_code)
            .order_by(Cooperative.region_code)
            .limit(page_size).offset(page * page_size))
    rows = session.execute(stmt).all()
    total = session.execute(select(func.count(Cooperative.id))).scalar()
    return rows, total


def lookup_text(number, name, nik, status):
    label = number or gettext("permohonan")
    return f"{label} — {name} ({mask_nik(nik)})"


def lookup(session, q="", page=1, active_only=False, cooperative_id=None, nik_search=False):
    """Member picker: at most 20 members of the user's scope matching ``q`` (number prefix, exact NIK via its
    HMAC, or part of the name), ordered by name, through the (cooperative_id, ...) indexes. Never loads more
    than one page.

    The exact-NIK search only with ``nik_search`` (a reader who may reveal NIKs): for anyone else it would be an
    oracle, since trying the few hundred NIKs that fit a member's visible year, sex, domicile and last four digits
    would tell which one is theirs."""
    q = unicodedata.normalize("NFKC", (q or "")).strip()[:60]
    page = max(1, min(int(page or 1), 500))
    # The matching ids first, from the (name, id) index that carries name_key, status and cooperative_id, so a
    # search walks index entries only; then the shown fields of those 21 members.
    stmt = select(Member.id)
    stmt = stmt.where(Member.status.in_(("aktif",) if active_only else LIVE))
    if cooperative_id:
        stmt = stmt.where(Member.cooperative_id == cooperative_id)
    if q:
        digits = normalise_nik(q)
        conditions = [Member.name_key.contains(name_key_of(q), autoescape=True)]
        if digits.isdigit() and len(digits) == 16:
            conditions = [Member.nik_hmac == nik_hmac(digits)] if nik_search else [false()]
        elif q.upper().startswith(NUMBER_PREFIX) or q.isdigit():
            number = q.upper() if q.upper().startswith(NUMBER_PREFIX) else None
            if number is None and len(q) <= 6:
                number = format_number(int(q))
            if number:
                conditions.append(Member.member_number.startswith(number, autoescape=True))
        stmt = stmt.where(or_(*conditions))
    ids = stmt.order_by(Member.name, Member.id).limit(LOOKUP_PAGE_SIZE + 1).offset((page - 1) * LOOKUP_PAGE_SIZE)
    rows = session.execute(select(Member.id, Member.member_number, Member.name, Member.nik, Member.status)
                           .where(Member.id.in_(ids.scalar_subquery())).order_by(Member.name, Member.id)).all()
    results = [{"id": r.id, "text": lookup_text(r.member_number, r.name, r.nik, r.status)}
               for r in rows[:LOOKUP_PAGE_SIZE]]
    return {"results": results, "pagination": {"more": len(rows) > LOOKUP_PAGE_SIZE}}


def rebuild_registry(session):
    """Recompute every HMAC and the registry (after changing KKMP_NIK_HMAC_KEY); run inside system_scope()."""
    session.execute(NikRegistry.__table__.delete())
    for member in session.scalars(select(Member)):
        member.nik_hmac = nik_hmac(member.nik)
    session.flush()
    rows = session.execute(select(Member.id, Member.nik_hmac, Member.cooperative_id)
                           .where(Member.status.in_(LIVE))).all()
    if rows:
        session.execute(insert(NikRegistry.__table__), [{"nik_hmac": h, "member_id": i, "cooperative_id": c}
                                                         for i, h, c in rows])
