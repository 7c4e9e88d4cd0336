"""A Sudin opens Pengawasan > Log audit in Chromium: Indonesian text, a filter by user, an export (issue 11.5)."""
from playwright.sync_api import expect


def test_sudin_reads_filters_and_exports_the_audit_log(page, login, page_problems):
    login("sudin.jakbar")
    page.get_by_role("link", name="Pengawasan").click()
    page.get_by_role("link", name="Log audit").click()
    expect(page.locator("table.table")).to_be_visible()
    table = page.locator("table.table").inner_text()
    for header in ("Waktu", "Pengguna", "Aksi", "Data", "Koperasi", "Perubahan"):
        assert header in table
    assert "WIB" in table
    for developer_word in ("update", "create", "organ_member", "cooperative_id", "UTC"):
        assert developer_word not in table, developer_word

    page.fill("#flt-pengguna", "sudin.jakbar")
    page.click("#kkmp-log-filter-submit")
    page.wait_for_url("**pengguna=sudin.jakbar**")
    rows = page.locator("table.table tr:has(td)")
    assert rows.count() > 0
    for i in range(rows.count()):
        text = rows.nth(i).inner_text()
        assert "sudin.jakbar" in text

    with page.expect_download() as download:
        page.click("#kkmp-export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as download:
        page.click("#kkmp-export-csv")
    path = download.value.path()
    text = open(path, encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Waktu,Pengguna,Aksi,Data,Koperasi,Perubahan")
    assert all("sudin.jakbar" in line for line in text.splitlines()[1:] if line.strip())
    page_problems.assert_none("on the audit log")
