"""Browser tests: the session `app` (tests/conftest.py) served on a free localhost port, driven by Debian's
Chromium through Playwright's sync API.

* Playwright never downloads a browser here: it always launches /usr/bin/chromium (``executable_path``).
* No Chromium (or no Playwright): the tests in this folder are skipped, unless KKMP_REQUIRE_BROWSER=1 (CI), in
  which case every one of them fails with the reason.
* Every test in this folder carries the ``browser`` marker (``-m "not browser"`` leaves them out).
* On each page we collect console messages of type error, uncaught page errors, HTTP responses >= 500 and
  exceptions the app raised while serving the browser; ``page_problems.assert_none(...)`` fails on any of them.
"""
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS_DIR = Path("/tmp/kkmp-shots")
TIMEOUT_MS = 15_000
HERE = Path(__file__).resolve().parent

# Playwright must never fetch its own browser build, whatever else runs in this process.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def _browser_unavailable():
    """Why the browser tests cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as e:
        return f"the playwright Python package is missing ({e})"
    return None


def _browser_required():
    return os.environ.get("KKMP_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    reason = _browser_unavailable()
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if reason and not _browser_required():
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


# -- the app on a real port ----------------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    # Exceptions the app raised while serving requests on this server (from Flask's got_request_exception).
    exceptions: list = field(default_factory=list)

    def __call__(self, path="/"):
        return self.url + path


@pytest.fixture(scope="session")
def live_server(app):
    from flask import got_request_exception
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        # Log only what went wrong (shown with a failing test), not every stylesheet.
        def log_request(self, code="-", size="-"):
            try:
                failed = int(getattr(code, "value", code)) >= 400
            except (TypeError, ValueError):
                failed = True
            if failed:
                super().log_request(code, size)

    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=QuietHandler)
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, name="kkmp-live-server", daemon=True)

    def _record(sender, exception, **extra):
        # The signal fires for test-client requests of other tests too; keep only what this server served.
        if threading.current_thread() is thread:
            from flask import request
            live.exceptions.append(f"{request.method} {request.full_path.rstrip('?')}: "
                                   f"{type(exception).__name__}: {exception}")

    got_request_exception.connect(_record, app, weak=False)
    thread.start()
    try:
        yield live
    finally:
        got_request_exception.disconnect(_record, app)
        server.shutdown()
        thread.join(10)
        server.server_close()


# -- Chromium ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    reason = _browser_unavailable()
    if reason:
        if _browser_required():
            pytest.fail(f"KKMP_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


class PageProblems:
    """Console errors, page errors, 5xx responses and server-side exceptions seen since the last check."""

    # Chromium asks every new origin for /favicon.ico on its own; the app serves none, so its 404 shows up as a
    # console error that no page of ours caused. This one message is set aside (in .ignored); once the app
    # serves a favicon the exception can go.
    IGNORED_CONSOLE_URL_PATHS = {"/favicon.ico"}

    def __init__(self, live):
        self.live = live
        self.items = []
        self.ignored = []
        self._server_seen = len(live.exceptions)
        self._watched = []

    def watch(self, page):
        if any(p is page for p in self._watched):
            return
        self._watched.append(page)
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda err: self.items.append(f"page error on {page.url}: {err}"))
        page.on("response", lambda resp: self._response(page, resp))

    def _console(self, page, msg):
        if msg.type != "error":
            return
        source = (msg.location or {}).get("url") or ""
        text = f"console error on {page.url}: {msg.text}" + (f" (source: {source})" if source else "")
        if urlsplit(source).path in self.IGNORED_CONSOLE_URL_PATHS and "404" in msg.text:
            self.ignored.append(text)
        else:
            self.items.append(text)

    def _response(self, page, resp):
        if resp.status >= 500:
            self.items.append(f"HTTP {resp.status} for {resp.request.method} {resp.url} (page {page.url})")

    def take(self):
        new_server = self.live.exceptions[self._server_seen:]
        self._server_seen = len(self.live.exceptions)
        found = self.items + [f"server exception: {e}" for e in new_server]
        self.items = []
        return found

    def assert_none(self, where=""):
        found = self.take()
        assert not found, (f"browser problems{' ' + where if where else ''}:\n  " + "\n  ".join(found))


@pytest.fixture()
def page_problems(live_server):
    return PageProblems(live_server)


@pytest.fixture()
def page(browser, live_server, page_problems):
    """A fresh context (no cookies) and one page per test, watched for errors."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.on("page", page_problems.watch)  # popups, if any
    pg = context.new_page()
    page_problems.watch(pg)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture()
def login(page, app, live_server):
    """Log in through the real login form; returns the page on the landing screen."""

    def _login(username, password=None):
        password = password or app.config["DEMO_PASSWORD"]
        page.goto(live_server("/login/"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form[name=login] [type=submit]")
        assert "/login" not in urlsplit(page.url).path, f"login as {username} failed, still on {page.url}"
        return page

    return _login


@pytest.fixture(scope="session")
def shots_dir():
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SHOTS_DIR


@pytest.fixture()
def list_column(page):
    """Texts of one column of the FAB list table on the current page, found by the sort link of its header
    (``?_oc_<View>=<column>``), so it works in every language. [] if the page has no list table (FAB shows
    "No records found"), None if the table has no such column."""

    def _column(column):
        return page.evaluate(
            """(column) => {
                const table = document.querySelector('table.table-bordered');
                if (!table) return [];
                const heads = [...table.querySelectorAll('thead > tr > th')];
                const idx = heads.findIndex(th => {
                    const a = th.querySelector('a[href*="_oc_"]');
                    const m = a && a.getAttribute('href').match(/[?&]_oc_[^=&]+=([^&]+)/);
                    return m && decodeURIComponent(m[1]) === column;
                });
                if (idx < 0) return null;
                return [...table.querySelectorAll('tbody > tr')]
                    .map(tr => tr.children[idx] ? tr.children[idx].innerText.trim() : null);
            }""",
            column,
        )

    return _column
