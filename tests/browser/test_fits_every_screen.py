"""Every page fits a phone and a zoomed laptop, as every demo role.

Each role logs in once; the same login then browses as a 390 px phone and as a 1366 px laptop at 125 % zoom
(1093 CSS px at device scale 1.25, which is what a browser zoomed to 125 % lays out). On every page the document
must not be wider than the window (no sideways scrolling: wide tables scroll inside their own box), the menu of
the laptop must be one row, and no page may log a console error.

The pages are found, not listed: every menu entry, then from those pages one show, edit and add page per view, a
receipt in each paper size, a passbook, the arrears and every ledger report; plus an error page.

Admin walks first and sees every page with every button. A role after it measures every page of its own menu (its
navbar, its lists, its forms) and only those pages reached from them that Admin did not reach: a show or edit page
differs between roles only by fewer buttons, which cannot make it wider, and each page costs the browser about a
sixth of a second per screen (the CI's time).
"""
import re
from urllib.parse import urlsplit

import pytest

ROLES = ["admin", "sudin.jakbar", "camat.kebonjeruk", "lurah.kebonjeruk", "pengurus.kebonjeruk",
         "sekretaris.kebonjeruk"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
LAPTOP_125 = {"viewport": {"width": 1093, "height": 614}, "device_scale_factor": 1}
# Links that are downloads, actions or language switches, not pages to look at.
NOT_PAGES = re.compile(r"/logout|/lang/|/xlsx|/csv|/export|templat|/download|/delete|/action|/swagger|/api/|/nik/")
# Pages reached from the pages of the menu: the first link of each kind, once per view.
FOLLOW = ("/show/", "/edit/", "/add", "/kwitansi/", "/buku/", "/laporan-keuangan/", "/laporan-konsolidasi/")
MEASURE = """(screen) => {
    const scroll = document.documentElement.scrollWidth, inner = window.innerWidth;
    const bar = document.querySelector('.navbar');
    // Which elements stick out is only looked for when the page is too wide: walking every element's box costs
    // more than the page load itself.
    const wide = scroll <= Math.min(inner, screen) ? [] : [...document.querySelectorAll('body *')].filter(el => {
        const r = el.getBoundingClientRect(), p = el.parentElement.getBoundingClientRect();
        return r.width > 0 && r.right > screen + 1 && p.right <= screen + 1;
    }).slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                             (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''));
    return {scroll, inner, navbar: bar ? bar.getBoundingClientRect().height : 0, wide};
}"""


def _login(context, base, app, username):
    page = context.new_page()
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", app.config["DEMO_PASSWORD"])
    with page.expect_navigation():
        page.click("form[name=login] [type=submit]")
    assert "/login" not in urlsplit(page.url).path, f"login as {username} failed"
    return page


def _links(page):
    return page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")


def _page_key(url):
    """Which view and kind of page a link opens (/anggota/show/7 -> /anggota/show/), to follow one per kind."""
    path = urlsplit(url).path
    for kind in FOLLOW:
        if kind in path:
            return path.split(kind)[0] + kind + ("" if kind != "/kwitansi/" else urlsplit(url).query)
    return path


ERROR_PAGE = "/halaman-yang-tidak-ada"


def _measure(page, base, page_problems, url, laptop):
    """Open one page; what is wrong with it (empty if nothing) and the links it offers."""
    problems = []
    # Our scripts run at DOMContentLoaded (the stylesheets are in by then); images need not be awaited.
    response = page.goto(base + url, wait_until="domcontentloaded")
    status = response.status if response else None
    if status is None or (status >= 400 and url != ERROR_PAGE):
        problems.append(f"HTTP {status}")
    m = page.evaluate(MEASURE, page.viewport_size["width"])
    # A mobile browser widens its window to show a page that is too wide, so the window is also held to the
    # screen's own width.
    window = min(m["inner"], page.viewport_size["width"])
    if m["scroll"] > window:
        problems.append(f"{m['scroll']} px wide in a {window} px window (sticking out: {m['wide']})")
    if laptop and m["navbar"] > 60:
        problems.append(f"the menu takes {m['navbar']:.0f} px, more than one row")
    for found in page_problems.take():
        # The error page's own 404 status is what it is meant to answer, not a broken resource.
        if not (url == ERROR_PAGE and "status of 404" in found and ERROR_PAGE in found.split("source:")[-1]):
            problems.append(found)
    return [f"{url}: {p}" for p in problems]


# Kinds of pages (``_page_key``) Admin's walk measured in this test session.
_SEEN_BY_ADMIN = set()


def _walk_phone(page, base, page_problems, skip=frozenset()):
    """Every menu page, then one page of each kind linked from the pages seen so far (but those of a kind in
    ``skip``); measured on the way."""
    page.goto(base + "/")
    menu = [h for h in page.eval_on_selector_all(".navbar a[href]", "els => els.map(a => a.getAttribute('href'))")
            if h.startswith("/") and not NOT_PAGES.search(h)]
    assert len(menu) >= 5, f"too few menu entries found: {menu}"
    page_problems.take()
    queue = list(dict.fromkeys(["/"] + menu + [ERROR_PAGE]))
    keys = {_page_key(u) for u in queue}
    problems = []
    for url in queue:
        problems += _measure(page, base, page_problems, url, laptop=False)
        for href in _links(page):
            if not href or not href.startswith("/") or NOT_PAGES.search(href) or not any(k in href for k in FOLLOW):
                continue
            key = _page_key(href)
            if key not in keys:
                keys.add(key)
                if key not in skip:
                    queue.append(href)
    return queue, problems


@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_a_phone_and_a_zoomed_laptop(username, browser, live_server, app, page_problems,
                                                     shots_dir):
    phone = browser.new_context(base_url=live_server.url, locale="id-ID", **PHONE)
    try:
        page = _login(phone, live_server.url, app, username)
        page_problems.watch(page)
        urls, problems = _walk_phone(page, live_server.url, page_problems,
                                     skip=frozenset() if username == "admin" else frozenset(_SEEN_BY_ADMIN))
        if username == "admin":
            _SEEN_BY_ADMIN.update(_page_key(u) for u in urls if any(k in u for k in FOLLOW))
        assert not problems, f"{username} on a 390 px phone:\n  " + "\n  ".join(problems)
        if username == "sekretaris.kebonjeruk":  # for people to look at
            for url in urls:
                if any(k in url for k in ("/kwitansi/", "/buku/", "/tunggakan", "/laporan-keuangan/posisi")):
                    page.goto(live_server(url))
                    name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-")
                    page.screenshot(path=str(shots_dir / f"phone-{name}.png"), full_page=True)
        state = phone.storage_state()
    finally:
        phone.close()
    laptop = browser.new_context(base_url=live_server.url, locale="id-ID", storage_state=state, **LAPTOP_125)
    try:
        page = laptop.new_page()
        page_problems.watch(page)
        problems = [p for url in urls for p in _measure(page, live_server.url, page_problems, url, laptop=True)]
        assert not problems, f"{username} on a 1366 px laptop at 125 %:\n  " + "\n  ".join(problems)
        page.goto(live_server("/"))
        page.screenshot(path=str(shots_dir / f"laptop125-home-{username}.png"))
    finally:
        laptop.close()
