"""Issue 11.4: the ways on from a member, through the real app.

The member page leads to the passbook, the deposit and withdrawal forms (with the member filled in), the
member's bills and transactions, each only for a role that holds the right; an arrears row leads to a deposit
form filled in with the member, the wajib product and the amount due; the arrears list shows its totals; a new
member's form lands on that member; Camat and Sudin narrow the member, transaction, bill and arrears lists to one
cooperative of their area."""
import re
from decimal import Decimal

from sqlalchemy import func, select

from app.cooperatives.models import Cooperative
from app.members.models import Member
from app.savings.models import SavingsTransaction, WajibBill

from .helpers import CEMOROKANDANG, KEBON_JERUK, coop_id, member_form

ARREARS = "/simpanan/transaksi/tunggakan"


def _active_member(sysdb, code=KEBON_JERUK):
    return sysdb.scalars(select(Member).where(Member.cooperative_id == coop_id(sysdb, code),
                                              Member.status == "aktif").order_by(Member.id)).first()


def _links(html):
    return set(re.findall(r'href="([^"]+)"', html.replace("&amp;", "&")))


def test_the_member_page_leads_a_secretary_to_passbook_deposit_withdrawal_bills_and_transactions(login, sysdb):
    m = _active_member(sysdb)
    html = login("sekretaris.kebonjeruk").get(f"/anggota/show/{m.id}").get_data(as_text=True)
    links = _links(html)
    assert f"/simpanan/transaksi/buku/{m.id}" in links
    assert f"/simpanan/transaksi/setor?member={m.id}&kind=wajib" in links
    assert f"/simpanan/transaksi/tarik?member={m.id}" in links
    assert f"/simpanan/tagihan-wajib/list/?anggota={m.id}" in links
    assert f"/simpanan/transaksi/list/?anggota={m.id}" in links


def test_a_lurah_sees_the_passbook_link_but_no_deposit_or_withdrawal_button(login, sysdb):
    m = _active_member(sysdb)
    html = login("lurah.kebonjeruk").get(f"/anggota/show/{m.id}").get_data(as_text=True)
    assert f"/simpanan/transaksi/buku/{m.id}" in _links(html)
    assert 'id="member-deposit"' not in html and 'id="member-withdraw"' not in html
    assert "/simpanan/transaksi/setor" not in html and "/simpanan/transaksi/tarik" not in html


def test_the_deposit_form_opens_with_the_member_product_and_amount_of_the_link(login, sysdb):
    m = _active_member(sysdb)
    html = login("sekretaris.kebonjeruk").get(
        f"/simpanan/transaksi/setor?member={m.id}&kind=wajib&amount=150000").get_data(as_text=True)
    assert re.search(rf'<option value="{m.id}" selected>[^<]*{re.escape(m.name)}', html)
    assert re.search(r'<option value="wajib"\s+selected>', html)
    assert 'value="150000"' in html


def test_an_arrears_row_has_a_pay_link_for_the_secretary_and_none_for_the_lurah(login, sysdb):
    from app.savings import services

    html = login("sekretaris.kebonjeruk").get(ARREARS).get_data(as_text=True)
    pays = re.findall(r'href="(/simpanan/transaksi/setor\?[^"]+)"', html.replace("&amp;", "&"))
    assert pays, "no pay link in the arrears list"
    member_id, amount = re.search(r"member=(\d+)&kind=wajib&amount=(\d+)", pays[0]).groups()
    outstanding = sysdb.scalar(select(func.sum(WajibBill.amount - WajibBill.paid_amount)).where(
        WajibBill.member_id == int(member_id), WajibBill.paid_amount < WajibBill.amount))
    assert Decimal(amount) == outstanding
    assert "/simpanan/transaksi/setor" not in login("lurah.kebonjeruk").get(ARREARS).get_data(as_text=True)


def _rupiah(n):
    return "Rp" + f"{int(n):,}".replace(",", ".")


def test_the_arrears_list_shows_the_totals_of_every_page(login, sysdb):
    from app.savings.services import ENDED_STATUSES

    open_bills = (select(WajibBill.member_id, WajibBill.amount - WajibBill.paid_amount)
                  .join(Member, Member.id == WajibBill.member_id)
                  .where(WajibBill.paid_amount < WajibBill.amount, Member.status.notin_(ENDED_STATUSES),
                         WajibBill.cooperative_id.in_(select(Cooperative.id).where(
                             Cooperative.city_code == "31.73"))))
    rows = sysdb.execute(open_bills).all()
    assert rows, "the demo has arrears in Jakarta Barat"
    html = login("sudin.jakbar").get(ARREARS).get_data(as_text=True)
    total = sum(r[1] for r in rows)
    footer = re.search(r'id="arrears-total-amount">([^<]+)<', html)
    assert footer and footer.group(1) == _rupiah(total)
    assert f"{len({r[0] for r in rows})} anggota menunggak, {len(rows)} bulan" in html


def test_after_adding_a_member_the_secretary_lands_on_that_member(login, sysdb):
    s = login("sekretaris.kebonjeruk")
    data = member_form(KEBON_JERUK, name="Warga Baru Mendarat")
    data["cooperative"] = str(coop_id(sysdb, KEBON_JERUK))
    r = s.post("/anggota/add", data, form_url="/anggota/add")
    new_id = sysdb.scalar(select(Member.id).where(Member.name == "Warga Baru Mendarat"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/anggota/show/{new_id}")


def _names_in_list(html):
    """The cooperative names in the table cells (the picker's options are not cells)."""
    return [n.strip() for n in re.findall(r"<td>\s*((?:KKMP|Koperasi Kelurahan Merah Putih) [^<]+?)\s*</td>", html)]


def test_a_camat_narrows_the_member_list_to_one_cooperative_of_the_kecamatan(login, sysdb):
    s = login("camat.kebonjeruk")
    own = coop_id(sysdb, KEBON_JERUK)
    whole = s.get("/anggota/list/").get_data(as_text=True)
    assert 'id="kkmp-coop-picker"' in whole
    options = dict((int(i), n) for i, n in re.findall(r'<option value="(\d+)"\s*>([^<]+)</option>', whole))
    in_area = set(sysdb.scalars(select(Cooperative.id).where(Cooperative.district_code == "31.73.05")))
    assert set(options) == in_area and len(in_area) > 1
    narrowed = s.get(f"/anggota/list/?koperasi={own}").get_data(as_text=True)
    shown = set(_names_in_list(narrowed))
    assert shown == {options[own]}
    # a cooperative outside the kecamatan yields nothing, not its members
    foreign = coop_id(sysdb, CEMOROKANDANG)
    assert not _names_in_list(s.get(f"/anggota/list/?koperasi={foreign}").get_data(as_text=True))
    # a secretary of one cooperative has nothing to choose
    clerk = login("sekretaris.kebonjeruk")
    for url in ("/anggota/list/", "/simpanan/transaksi/list/", ARREARS):
        assert 'id="kkmp-coop-picker"' not in clerk.get(url).get_data(as_text=True), url


def test_the_sudins_picker_lists_the_citys_cooperatives_by_name_read_with_the_scope(app, login, sysdb):
    """The cooperative filter of the Sudin of Jakarta Barat offers every cooperative of the city and no other, in
    name order; the names come with the scope's own statement, so the page asks the cooperatives once."""
    from tests.conftest import sql_statements

    s = login("sudin.jakbar")
    s.get("/anggota/list/")  # the navbar and permission caches filled
    with sql_statements(app) as seen:
        whole = s.get("/anggota/list/").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"\s*>([^<]+)</option>', whole)
    city = sysdb.execute(select(Cooperative.id, Cooperative.name).where(Cooperative.city_code == "31.73")
                         .order_by(Cooperative.name)).all()
    assert [(int(i), n.strip()) for i, n in options] == [(r.id, r.name) for r in city] and len(city) > 1
    asked = [q for q in seen if "FROM cooperative" in q and "JOIN" not in q.split("FROM cooperative")[1][:20]]
    assert len(asked) == 1, asked


def test_the_sudin_narrows_transactions_bills_and_arrears_to_one_cooperative(login, sysdb):
    s = login("sudin.jakbar")
    own = coop_id(sysdb, KEBON_JERUK)
    own_name = sysdb.scalar(select(Cooperative.name).where(Cooperative.id == own))
    for url in ("/simpanan/transaksi/list/", "/simpanan/tagihan-wajib/list/", ARREARS):
        whole = s.get(url).get_data(as_text=True)
        assert 'id="kkmp-coop-picker"' in whole, url
        narrowed = s.get(f"{url}?koperasi={own}").get_data(as_text=True)
        rows = _names_in_list(narrowed)
        assert rows and set(rows) == {own_name}, url
    assert sysdb.scalar(select(func.count()).select_from(SavingsTransaction)
                        .where(SavingsTransaction.cooperative_id != own)) > 0


def test_the_member_bills_link_lists_only_that_members_bills(login, sysdb):
    m = sysdb.scalars(select(Member).join(WajibBill, WajibBill.member_id == Member.id)
                      .where(Member.cooperative_id == coop_id(sysdb, KEBON_JERUK)).limit(1)).first()
    html = login("sekretaris.kebonjeruk").get(f"/simpanan/tagihan-wajib/list/?anggota={m.id}").get_data(
        as_text=True)
    n = sysdb.scalar(select(func.count()).select_from(WajibBill).where(WajibBill.member_id == m.id))
    rows = html.count("<td><center>")
    assert rows == min(n, 25) and html.count(f"<td>{m.member_number} {m.name}</td>") == rows
