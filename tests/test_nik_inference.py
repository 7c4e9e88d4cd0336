"""No reader can rebuild a NIK from what the app shows them (issue 9.1; design.md §3 "Personal data").

A NIK is region (6) + birth date DDMMYY with 40 added to the day for women (6) + serial (4). For every demo role
this walks every GET route of the app (from the URL map, so a new screen, export or API joins by itself) with
sample rows of every model, plus the member picker's pages and searches, and searches each response (HTML, JSON,
CSV, and the XML inside xlsx files) for:

* any member's or board member's full 16-digit NIK: never, for any role;
* for a reader without ``can_reveal_nik``: the six birth-date digits in NIK order, or the birth date in any
  format (dd/mm/yyyy, ISO, dd-mm-yyyy, dd.mm.yyyy, ddmmyyyy, "4 Agustus 1990", an Excel date serial).

The reveal itself still works, for the roles allowed it only, and is on the audit log.
"""
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from flask_appbuilder import BaseView
from flask_appbuilder.api import BaseApi
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative, OrganMember
from app.core.audit import AuditEvent
from app.core.nik import mask_nik
from app.core.tenancy import TenantMixin
from app.members.models import Member
from tests.conftest import Session, api_token
from tests.members.conftest import _remove_members_added_by_this_module  # noqa: F401 (autouse cleanup)
from tests.members.helpers import KEBON_JERUK, coop_id, make_nik, member_form
from tests.test_scope_matrix import permitted

ROLES = ["admin", "sudin.jakbar", "camat.kebonjeruk", "lurah.kebonjeruk", "pengurus.kebonjeruk",
         "sekretaris.kebonjeruk"]
# Kebon Jeruk, its sibling in the kecamatan, and a cooperative in another city: rows inside and outside each scope.
COOPS = [KEBON_JERUK, "31.73.05.1002", "35.73.03.1010"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]
# Routes that log out, switch language, serve files, or take a name we cannot sample; for time, the region list
# (91,599 rows) and FAB's role and permission screens and API description, which hold no personal data.
SKIP_ENDPOINTS = re.compile(r"(^static$|\.static$|^AuthDBView\.|^LocaleView\.|\.action$|\.delete$|\.download$"
                            r"|^RegionView\.|^RegionApi\.|^UtilView\.|^(Role|Permission|PermissionView|ViewMenu|"
                            r"UserGroup)ModelView\.|^OpenApi\.|^SwaggerView\.)")
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


@dataclass
class Person:
    what: str
    nik: str
    birth: date | None

    def birth_patterns(self):
        """What would give the birth date away: the NIK's own six digits, and the date in any format."""
        out = [self.nik[6:12]]
        d = self.birth
        if d is not None:
            out += [d.isoformat(), f"{d:%d/%m/%Y}", f"{d:%d-%m-%Y}", f"{d:%d.%m.%Y}", f"{d:%d%m%Y}",
                    f"{d.day} {MONTHS[d.month - 1]} {d.year}", f"<v>{d.toordinal() - _EXCEL_EPOCH}</v>"]
        return out


def people(sysdb, extra=()):
    sysdb.expire_all()
    found = [Person(f"member #{i}", nik, born) for i, nik, born in sysdb.execute(
        select(Member.id, Member.nik, Member.birth_date))]
    found += [Person(f"organ member #{i}", nik, None) for i, nik in sysdb.execute(
        select(OrganMember.id, OrganMember.nik).where(OrganMember.nik.is_not(None)))]
    from app.inventory.models import Sale

    found += [Person(f"LPG buyer of sale #{i}", nik, None) for i, nik in sysdb.execute(
        select(Sale.id, Sale.nik).where(Sale.nik.is_not(None)))]
    return found + list(extra)


class Detector:
    """One regular expression over every secret, so a response is scanned once."""

    def __init__(self, persons, strict):
        self.owner, bare = {}, {}
        for p in persons:
            self.owner.setdefault(p.nik, f"full NIK of {p.what}")
            if strict:
                # The birth digits beside the region code or beside the serial (a mask showing "317305580890••••"
                # or "••••••5808900001") give them away whatever surrounds them.
                for pattern in (p.nik[:12], p.nik[6:]):
                    self.owner.setdefault(pattern, f"birth data {p.nik[6:12]!r} (NIK order) of {p.what}")
                for pattern in p.birth_patterns():
                    bare.setdefault(pattern, f"birth data {pattern!r} of {p.what}")
        # Not inside a run of letters: six digits can occur by chance in a random token (a CSP nonce, a CSRF token,
        # an idempotency key), which says nothing about anyone's birth date.
        self.regex = self._alternation(self.owner, r"(?<![A-Za-z])", r"(?![A-Za-z])")
        # The birth patterns on their own, nor inside a longer number either: "260894" inside the amount 12608945
        # or a 16-digit journal reference is chance (it failed a CI run once); as a number of its own, or next to
        # a mask's dots, it is the birth date.
        # Nor as the whole-rupiah part of an amount ("211184.00", "211.184,00" is another pattern): a journal
        # total of Rp211.184 failed a CI run too. A birth date is never written with a decimal part.
        self.bare = bare
        self.bare_regex = self._alternation(bare, r"(?<![A-Za-z0-9])(?<![0-9][.,])", r"(?![A-Za-z0-9]|[.,][0-9])")

    @staticmethod
    def _alternation(patterns, before, after):
        if not patterns:
            return re.compile(r"(?!x)x")
        return re.compile(before + "(?:" + "|".join(
            re.escape(s) for s in sorted(patterns, key=len, reverse=True)) + ")" + after)

    def leaks(self, text):
        found = {self.owner[m.group(0)] for m in self.regex.finditer(text)}
        found |= {self.bare[m.group(0)] for m in self.bare_regex.finditer(text)}
        return sorted(found)


def response_text(r):
    """Everything a reader receives: the body, or for an xlsx every part of the zip (sheets, shared strings)."""
    data = r.data
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(zf.read(name).decode("utf-8", "replace") for name in zf.namelist())
    return data.decode("utf-8", "replace")


def sample_ids(sysdb, model):
    """A few rows of a model: per cooperative of interest the first (and the last, and a woman and a man, for
    people); for other tables the first and last rows (for the audit log: the member and board-member events)."""
    pk = model.__mapper__.primary_key[0]
    if issubclass(model, TenantMixin):
        ids = []
        person = "nik" in model.__table__.columns
        for code in COOPS:
            cid = coop_id(sysdb, code)
            where = [model.cooperative_id == cid]
            ids.append(sysdb.scalar(select(func.min(pk)).where(*where)))
            if person:
                ids.append(sysdb.scalar(select(func.max(pk)).where(*where)))
            if model is Member:
                ids += [sysdb.scalar(select(func.min(pk)).where(*where, Member.sex == sex)) for sex in ("L", "P")]
        if model.__tablename__ == "inv_sale":  # the LPG 3 kg sales, wherever they are (their buyer's NIK)
            ids += sysdb.scalars(select(pk).where(model.nik.is_not(None)).order_by(pk).limit(3)).all()
        return sorted({i for i in ids if i is not None})
    where = []
    if model is AuditEvent:
        where = [AuditEvent.table_name.in_(("member", "organ_member")) | (AuditEvent.action == "nik_reveal")]
    first = sysdb.scalars(select(pk).where(*where).order_by(pk).limit(2)).all()
    last = sysdb.scalars(select(pk).where(*where).order_by(pk.desc()).limit(6)).all()
    return sorted(set(first) | set(last))


def get_routes(app, sysdb):
    """(url, is_api) for every GET route of the app, with sample ids for <pk> and <member_id>."""
    views = {type(v).__name__: v for v in app.appbuilder.baseviews}
    member_ids = sample_ids(sysdb, Member)
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or SKIP_ENDPOINTS.search(rule.endpoint):
            continue
        view = views.get(rule.endpoint.split(".")[0])
        if view is None or not isinstance(view, (BaseView, BaseApi)):
            continue
        args = set(rule.arguments)
        is_api = rule.rule.startswith("/api/")
        if not args:
            url = rule.rule
            if rule.endpoint.endswith(".list") and not is_api:
                url += f"?psize_{type(view).__name__}=1000"
            elif rule.endpoint.endswith(".get_list"):
                url += "?q=(page_size:100)"
            out.append((url, is_api))
        elif args == {"version"}:
            out.append((rule.rule.replace("<version>", "v1"), is_api))
        elif args in ({"pk"}, {"member_id"}):
            model = Member if args == {"member_id"} else getattr(getattr(view, "datamodel", None), "obj", None)
            if model is None:
                continue
            name = next(iter(args))
            for pk in sample_ids(sysdb, model):
                out.append((re.sub(r"<(?:\w+:)?" + name + ">", str(pk), rule.rule), is_api))
    return sorted(out)


def picker_urls(sysdb):
    urls = [f"/anggota/lookup?page={n}" for n in range(1, 6)]
    for nik, name in sysdb.execute(select(Member.nik, Member.name).order_by(Member.id).limit(5)):
        urls += [f"/anggota/lookup?q={nik}", f"/anggota/lookup?q={name.split()[0]}"]
    return urls


@pytest.fixture(scope="module")
def edited_member(app):
    """A member whose NIK and birth date were corrected once, so the audit log holds a change of both."""
    from sqlalchemy.orm import Session as OrmSession

    from app.extensions import db

    s = Session(app, "sekretaris.kebonjeruk")
    with app.app_context():
        sysdb = OrmSession(db.engine)
    try:
        data = member_form(born=date(1987, 5, 23), sex="P", name="Rahmawati Koreksi")
        data["cooperative"] = str(coop_id(sysdb, KEBON_JERUK))
        assert s.post("/anggota/add", data, form_url="/anggota/add").status_code == 302
        m = sysdb.scalar(select(Member).where(Member.nik == data["nik"]))
        old = Person("the corrected member (old NIK)", m.nik, m.birth_date)
        form = dict(member_form(born=date(1987, 6, 21), sex="P", name="Rahmawati Koreksi"), nik=make_nik(
            date(1987, 6, 21), "P"), birth_date="1987-06-21")
        r = s.post(f"/anggota/edit/{m.id}", form, form_url=f"/anggota/edit/{m.id}")
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
        sysdb.expire_all()
        assert sysdb.get(Member, m.id).birth_date == date(1987, 6, 21)
        yield m.id, old
    finally:
        sysdb.close()


def walk(app, sysdb, username, extra=()):
    """Every GET route and the picker as ``username``; returns the leaks found, by URL."""
    strict = not permitted(app, username, "can_reveal_nik", "Member")
    detector = Detector(people(sysdb, extra), strict)
    s = Session(app, username)
    headers = api_token(s.client, username)
    found, fetched = [], 0
    for url, is_api in get_routes(app, sysdb) + [(u, False) for u in picker_urls(sysdb)]:
        r = s.client.get(url, headers=headers if is_api else None)
        if r.status_code != 200:
            continue
        fetched += 1
        leaks = detector.leaks(response_text(r))
        if leaks:
            found.append(f"{username} {url}: {', '.join(leaks[:3])}")
    return found, fetched


@pytest.mark.parametrize("username", ROLES)
def test_no_response_lets_a_reader_rebuild_a_nik(app, sysdb, edited_member, username):
    """Member list, show and edit pages, CSV and xlsx exports, API list and show, picker, receipts, passbook,
    audit log, board members, counts: no full NIK for anyone; no birth date or NIK birth digits for a reader
    without the reveal right."""
    _member_id, old = edited_member
    found, fetched = walk(app, sysdb, username, extra=[old])
    assert fetched > 30, f"{username} could read only {fetched} routes: the walk found nothing to check"
    assert found == []


def test_the_walk_would_see_a_leak(app, sysdb, edited_member, monkeypatch):
    """The same walk finds a Lurah's leaks when the Lurah is treated as a revealer, i.e. shown full birth dates
    beside the NIK as before the fix (so a pass above means something)."""
    import app.core.nik as nik_module

    monkeypatch.setattr(nik_module, "may_reveal", lambda resource: True)
    import app.members.views as member_views
    monkeypatch.setattr(member_views, "may_reveal", lambda resource: True)
    found, _fetched = walk(app, sysdb, "lurah.kebonjeruk", extra=[edited_member[1]])
    assert any("/anggota/show/" in f for f in found) and any("/anggota/export/" in f for f in found), found


@pytest.mark.parametrize("username", ROLES)
def test_the_full_nik_only_through_the_audited_reveal_and_only_for_roles_allowed_it(app, sysdb, username):
    member = sysdb.scalar(select(Member).where(Member.cooperative_id == coop_id(sysdb, KEBON_JERUK))
                          .order_by(Member.id))
    s = Session(app, username)
    before = sysdb.scalar(select(func.max(AuditEvent.id)))
    r = s.post(f"/anggota/nik/{member.id}", {}, form_url=f"/anggota/show/{member.id}")
    sysdb.expire_all()
    events = sysdb.scalars(select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "nik_reveal")).all()
    if permitted(app, username, "can_reveal_nik", "Member"):
        assert r.status_code == 200 and member.nik in r.get_data(as_text=True)
        assert r.headers["Cache-Control"] == "no-store"
        assert [(e.username, e.record_id) for e in events] == [(username, str(member.id))]
        assert member.nik not in events[0].after and mask_nik(member.nik) in events[0].after
    else:
        assert r.status_code == 403 and member.nik not in r.get_data(as_text=True)
        assert events == []


def test_the_picker_finds_by_full_nik_only_for_readers_who_may_reveal_it(app, sysdb):
    """Otherwise it is an oracle: trying the few hundred NIKs that fit a member's visible year, sex, domicile and
    last four digits would say which one is theirs."""
    member = sysdb.scalar(select(Member).where(Member.cooperative_id == coop_id(sysdb, KEBON_JERUK),
                                               Member.status == "aktif").order_by(Member.id))
    found = Session(app, "sekretaris.kebonjeruk").get(f"/anggota/lookup?q={member.nik}").json["results"]
    assert [r["id"] for r in found] == [member.id]
    assert Session(app, "lurah.kebonjeruk").get(f"/anggota/lookup?q={member.nik}").json["results"] == []


def test_a_reader_without_the_reveal_right_sees_the_birth_year_and_the_last_four_digits(app, sysdb):
    member = sysdb.scalar(select(Member).where(Member.cooperative_id == coop_id(sysdb, KEBON_JERUK))
                          .order_by(Member.id))
    lurah, secretary = Session(app, "lurah.kebonjeruk"), Session(app, "sekretaris.kebonjeruk")
    page = lurah.get(f"/anggota/show/{member.id}").get_data(as_text=True)
    assert f"••/••/{member.birth_date.year}" in page and f"••••••••••••{member.nik[-4:]}" in page
    assert member.birth_date.strftime("%d/%m/%Y") in secretary.get(f"/anggota/show/{member.id}").get_data(
        as_text=True)
    shown = lurah.client.get(f"/api/v1/member/{member.id}", headers=api_token(lurah.client, "lurah.kebonjeruk"))
    assert shown.json["result"]["birth_date"] is None
    assert shown.json["result"]["birth_year"] == member.birth_date.year
    shown = secretary.client.get(f"/api/v1/member/{member.id}",
                                 headers=api_token(secretary.client, "sekretaris.kebonjeruk"))
    assert shown.json["result"]["birth_date"] == member.birth_date.isoformat()
    assert shown.json["result"]["nik_masked"] == "••••••••••••" + member.nik[-4:]


def test_the_audit_log_keeps_a_birth_date_change_by_its_year_and_the_nik_by_its_last_four_digits(
        app, sysdb, edited_member):
    """Its readers (Admin, Sudin) may reveal a NIK, but only through the audited reveal: the log itself must not
    be a way round it, neither as stored nor as shown (rows written before the masking are masked again)."""
    member_id, old = edited_member
    new = sysdb.get(Member, member_id)
    rows = sysdb.scalars(select(AuditEvent).where(AuditEvent.table_name == "member",
                                                  AuditEvent.record_id == str(member_id))).all()
    assert {r.action for r in rows} >= {"create", "update"}
    change = [r for r in rows if r.action == "update" and "birth_date" in (r.after or "")]
    assert change and "••/••/1987" in change[0].after
    detector = Detector([old, Person("the corrected member", new.nik, new.birth_date)], strict=True)
    stored = "\n".join(f"{r.before} {r.after}" for r in rows)
    assert detector.leaks(stored) == []
    s = Session(app, "admin")
    for r in rows:
        page = s.get(f"/log-audit/show/{r.id}").get_data(as_text=True)
        assert detector.leaks(page) == [], r.id


def test_an_audit_row_written_before_the_masking_is_shown_masked(app):
    from app.core.audit import redact_payload

    legacy = '{"birth_date": "1990-08-04", "name": "Siti", "nik": "317305••••••0003"}'
    shown = redact_payload(legacy)
    assert "1990-08-04" not in shown and "317305" not in shown
    assert '"nik": "••••••••••••0003"' in shown and '"birth_date": "••/••/1990"' in shown and "Siti" in shown


def test_the_detector_tells_a_birth_date_from_a_chance_run_of_digits():
    """What the walk counts as a leak: the birth digits as a number of their own, beside the region or the serial,
    or the date in any format; not the same six digits inside an amount (also as its whole-rupiah part) or a
    longer reference."""
    person = Person("a member", "3173052608940001", date(1994, 8, 26))
    detector = Detector([person], strict=True)
    for leak in ("••••••260894••••", "317305260894••••", "••••••2608940001", "lahir 260894", "26/08/1994",
                 "1994-08-26", "26 Agustus 1994", "3173052608940001"):
        assert detector.leaks(leak), leak
    for chance in ("Rp 12608945", '"amount": "1260894.00"', '"total": "260894.00"', "Rp 260894,50", "0.260894",
                   "JU-2026089401", "nonce-ab260894cd"):
        assert detector.leaks(chance) == [], chance
    assert Detector([person], strict=False).leaks("26/08/1994 ••••••260894••••") == []
