"""Admin walks every page of the main menu in a real browser: no server error, no console error, no page error.

The pages are read from the navbar links (dropdowns included), not listed here, so a new menu entry is covered
the day it is added.
"""
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

# Links of the navbar that are actions rather than pages.
NOT_PAGES = ("/logout",)


def _menu_urls(page, base_url):
    hrefs = page.eval_on_selector_all(
        ".navbar a[href]", "els => els.map(e => [e.getAttribute('href'), e.href])")
    origin = urlsplit(base_url)[:2]
    urls = []
    for raw, absolute in hrefs:
        raw = raw.strip()
        if not raw or raw.startswith(("#", "javascript:", "mailto:")):
            continue
        parts = urlsplit(absolute)
        if parts[:2] != origin or parts.path.rstrip("/").startswith(NOT_PAGES):
            continue
        url = absolute.split("#", 1)[0]
        if url not in urls:
            urls.append(url)
    # Language switches change the session's locale: visit them last so every other page is seen in Indonesian.
    return sorted(urls, key=lambda u: urlsplit(u).path.startswith("/lang/"))


def _visit(page, page_problems, url):
    """Open one page; return what went wrong there (empty list if nothing)."""
    found = []
    response = page.goto(url)
    if response is None:
        found.append("no response")
    elif response.status >= 400:
        found.append(f"HTTP {response.status}")
    if "/login" in urlsplit(page.url).path:
        found.append(f"sent to the login page ({page.url})")
    return found + page_problems.take()


def test_admin_opens_every_menu_page_without_errors(page, login, live_server, page_problems, shots_dir):
    login("admin")
    page_problems.assert_none("while logging in")
    assert urlsplit(page.url).path == "/"
    expect(page.locator("#stat-total")).to_be_visible()
    page.screenshot(path=str(shots_dir / "01-home-admin.png"), full_page=True)

    urls = _menu_urls(page, live_server.url)
    paths = [urlsplit(u).path for u in urls]
    # The discovery must have found the dropdown entries, not just the brand link.
    for expected in ("/koperasi/list/", "/unit-usaha/list/", "/pengurus-pengawas/list/", "/wilayah/list/"):
        assert expected in paths, f"{expected} not found in the navbar links {paths}"

    # The dropdowns work (Bootstrap's JS is loaded): the Koperasi entry is hidden until its menu opens.
    entry = page.locator(".navbar a[href='/koperasi/list/']")
    expect(entry).to_be_hidden()
    page.locator(".navbar li.dropdown", has=page.locator("a[href='/koperasi/list/']")).locator(
        "a.dropdown-toggle").first.click()
    expect(entry).to_be_visible()

    # Visit them all before failing, so one report lists every broken page.
    broken = {}
    for url in urls:
        found = _visit(page, page_problems, url)
        if found:
            broken[urlsplit(url).path] = found
    assert not broken, "menu pages with problems:\n" + "\n".join(
        f"  {path}:\n    " + "\n    ".join(found) for path, found in broken.items())


def test_admin_opens_a_cooperative_and_searches_regions(page, login, live_server, page_problems, shots_dir,
                                                         list_column):
    login("admin")

    page.goto(live_server("/koperasi/list/"))
    rows = page.locator("table.table-bordered > tbody > tr")
    expect(rows.first).to_be_visible()
    page.screenshot(path=str(shots_dir / "02-koperasi-list.png"), full_page=True)
    page_problems.assert_none("on the cooperative list")

    first_show = page.locator("a[href*='/koperasi/show/']").first
    with page.expect_navigation():
        first_show.click()
    assert re.search(r"/koperasi/show/\d+$", urlsplit(page.url).path), page.url
    expect(page.locator(".kkmp-steps li").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("Koperasi Kelurahan Merah Putih")
    page.screenshot(path=str(shots_dir / "03-koperasi-show.png"), full_page=True)
    page_problems.assert_none(f"on the cooperative show page {page.url}")

    # Region list, searched the way a user does: Add Filter > Nama > "Kebon Jeruk" > Search.
    page.goto(live_server("/wilayah/list/"))
    page.locator(".panel-group a.accordion-toggle").first.click()  # FAB keeps the search form collapsed
    page.locator("#filter_form .dropdown-toggle").click()
    page.locator("#filter_form a.filter[name=name]").click()
    value = page.locator("#filter_form input[name='_flt_0_name']")
    value.fill("Kebon Jeruk")
    with page.expect_navigation():
        page.locator("#filter_form [type=submit]").click()
    assert "_flt_0_name=Kebon" in page.url, page.url
    table = page.locator("table.table-bordered")
    expect(table).to_contain_text("31.73.05.1001")
    names = list_column("name")
    assert names and all("kebon jeruk" in n.lower() for n in names), names
    page_problems.assert_none(f"on the region search {page.url}")
    page.screenshot(path=str(shots_dir / "04-wilayah-kebon-jeruk.png"), full_page=True)

