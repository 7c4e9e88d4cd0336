"""Ledger report benchmark (on demand, not in CI): a generated cooperative-year of 200,000 journal lines plus the 55
other cooperatives of Jakarta Barat (31.73, 56 kelurahan) with lighter books (and with ``--province`` the other
211 cooperatives of DKI Jakarta), then the neraca saldo, every statement, the Sudin's consolidated view, the
province view and posting an entry through the API, timed over HTTP through gunicorn (2 sync workers) in the
production configuration, logged in through the login form (CSRF on), against PostgreSQL; SQL statements per request
are counted in-process (Flask test client). ``--before CHECKOUT`` serves an older checkout beside it on the same
database, so both columns come from one run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kkmp_bench \
        /path/to/venv/bin/python bench/ledger_bench.py [--fresh] [--lines 200000] [--light-lines 2000] [--runs 5]
        [--province] [--explain] [--generate-only] [--before /tmp/before-checkout]

The books are inserted with set-based SQL (fast), then their monthly balances and cash flows are built from the
lines by ``app.ledger.balances.rebuild`` (what the migration does for existing books) and checked with
``reconcile``, so the statements read exactly what the posting service would have kept. Running the same database
with an older checkout of the app (``--generate-only`` once, then this script from each checkout) gives the
before / after figures side by side.

See bench/README.md for what is generated and how to read the output.
"""
import argparse
import os
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("KKMP_ENV", "test")

BIG = "31.73.05.1001"  # KKMP Kebon Jeruk: the pengurus.kebonjeruk demo login
CITY = "31.73"
PROVINCE = "31"
# The year the books are generated for: 2024, since the demo closes last year for Kebon Jeruk (app/shu/demo.py: the
# SHU year) and the database refuses entries into its closed months.
YEAR = 2024
PASSWORD = "demo-kkmp-2026"

# (debit code, credit code, description, tagged with the sembako unit?) cycled by entry number.
PATTERNS = [
    ("111000", "411100", "Penjualan sembako kepada anggota", True),
    ("111000", "411200", "Penjualan sembako kepada non-anggota", True),
    ("511000", "114000", "Harga pokok penjualan sembako", True),
    ("114000", "212000", "Pembelian sembako dari agen (kredit)", True),
    ("212000", "112000", "Pembayaran utang usaha via bank", True),
    ("112000", "111000", "Setor kas ke bank", False),
    ("522000", "111000", "Bayar listrik dan air", False),
    ("521000", "111000", "Honor pengelola", False),
    ("111000", "312000", "Setoran simpanan wajib", False),
    ("111000", "412100", "Penjualan LPG kepada anggota", False),
]


def ensure_database(url, fresh):
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        exists = cur.fetchone() is not None
        if exists and fresh:
            cur.execute(f'DROP DATABASE "{name}"')
            exists = False
        if not exists:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return not exists


def generate(app, big_lines, light_lines, province=False):
    """Schema, roles, regions, demo data, a cooperative for every kelurahan of the city, and the journal lines."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from app.cooperatives.models import BusinessUnit, Cooperative
    from app.cooperatives.services import create_cooperative
    from app.core.scope import system_scope
    from app.demo import seed_demo
    from app.extensions import db
    from app.regions.models import Region
    from app.regions.services import load_regions
    from app.security.services import sync_roles_and_permissions

    with app.app_context(), system_scope():
        t0 = time.perf_counter()
        upgrade()
        sync_roles_and_permissions()
        load_regions(app.config["REGIONS_CSV"])
        seed_demo()
        db.session.commit()
        area = PROVINCE if province else CITY
        have = set(db.session.scalars(select(Cooperative.region_code).where(Cooperative.region_code.like(area + ".%"))))
        # Kelurahan only (PP.KK.CC.1DDD): a desa code cannot hold a KKMP.
        kelurahan = [c for c in db.session.scalars(select(Region.code).where(Region.code.like(area + ".%.%.1%")))
                     if c.count(".") == 3]
        for code in sorted(set(kelurahan) - have):
            create_cooperative(code, session=db.session)
        db.session.commit()
        coops = db.session.execute(select(Cooperative.id, Cooperative.region_code)
                                   .where(Cooperative.region_code.like(area + ".%"))
                                   .order_by(Cooperative.region_code)).all()
        print(f"schema, demo and {len(coops)} cooperatives in {area}: {time.perf_counter() - t0:.1f} s")
        generated = []
        for cid, code in coops:
            n_lines = big_lines if code == BIG else light_lines
            unit = db.session.scalar(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == cid,
                                                                   BusinessUnit.kind == "sembako"))
            already = db.session.scalar(select(func.count()).select_from(text("journal_entry")).where(
                text("cooperative_id = :c AND reference LIKE 'BENCH-%'")).params(c=cid))
            if already:
                continue
            t1 = time.perf_counter()
            _generate_coop(db.session, cid, n_lines // 2, unit)
            db.session.commit()
            generated.append(cid)
            if code == BIG:
                print(f"{code}: {n_lines} lines ({n_lines // 2} entries) in {time.perf_counter() - t1:.1f} s")
        _build_balances(db.session, generated)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        total = db.session.scalar(text("SELECT count(*) FROM journal_line"))
        print(f"journal_line rows in the database: {total}")


def _build_balances(session, cooperative_ids):
    """The generated lines bypassed the posting service: build their balances the way the migration does."""
    try:
        from app.ledger.balances import rebuild, reconcile
    except ImportError:  # an app from before the balances (for the "before" figures)
        return
    if not cooperative_ids:
        return
    t0 = time.perf_counter()
    rebuild(session, cooperative_ids)
    session.commit()
    problems = reconcile(session, cooperative_ids)
    print(f"balances of {len(cooperative_ids)} cooperatives built in {time.perf_counter() - t0:.1f} s; "
          f"reconcile: {len(problems)} difference(s)")
    assert not problems, problems[:5]


def _generate_coop(session, cid, entries, unit_id):
    """``entries`` balanced two-line entries of YEAR for one cooperative, numbered JU-YEAR-000001.. gaplessly,
    dates spread over the year in number order, inserted with generate_series (no ORM round trips)."""
    from sqlalchemy import text

    values = ", ".join(f"({i}, '{d}', '{c}', '{desc}', {str(u).lower()})"
                       for i, (d, c, desc, u) in enumerate(PATTERNS))
    k = len(PATTERNS)
    # numbered after what the demo already posted in YEAR (its closed year in Kebon Jeruk), gapless
    base = session.execute(text("SELECT COALESCE(MAX(seq), 0) FROM journal_entry WHERE cooperative_id = :cid "
                                "AND year = :year"), {"cid": cid, "year": YEAR}).scalar()
    params = dict(cid=cid, n=entries, unit=unit_id, year=YEAR, start=f"{YEAR}-01-01",
                  days=366 if YEAR % 4 == 0 else 365, base=base, last=base + entries)
    session.execute(text(f"""
        INSERT INTO journal_entry (cooperative_id, number, year, seq, entry_date, description, reference,
                                   business_unit_id, entry_type, status, posted_at, posted_by, total)
        SELECT :cid, 'JU-' || :year || '-' || lpad(g::text, 6, '0'), :year, g,
               CAST(:start AS date) + ((g - :base - 1) * :days / :n),
               m.descr, 'BENCH-' || g, CASE WHEN m.tagged THEN CAST(:unit AS integer) END, 'umum', 'posted',
               now() AT TIME ZONE 'utc', 'bench',
               round((((g * 7919) % 4990000) + 10000)::numeric / 10, 2)
          FROM generate_series(:base + 1, :last) AS g
          JOIN (VALUES {values}) AS m(k, dcode, ccode, descr, tagged) ON m.k = g % {k}
    """), params)
    session.execute(text(f"""
        INSERT INTO journal_line (cooperative_id, entry_id, line_no, account_id, debit, credit)
        SELECT e.cooperative_id, e.id, side.line_no, a.id,
               CASE WHEN side.line_no = 1 THEN e.total ELSE 0 END,
               CASE WHEN side.line_no = 2 THEN e.total ELSE 0 END
          FROM journal_entry e
          JOIN (VALUES {values}) AS m(k, dcode, ccode, descr, tagged) ON m.k = e.seq % {k}
          CROSS JOIN (VALUES (1), (2)) AS side(line_no)
          JOIN account a ON a.cooperative_id = e.cooperative_id
                        AND a.code = CASE WHEN side.line_no = 1 THEN m.dcode ELSE m.ccode END
         WHERE e.cooperative_id = :cid AND e.year = :year AND e.reference LIKE 'BENCH-%%'
    """.replace("%%", "%")), params)
    session.execute(text("""
        INSERT INTO journal_counter (cooperative_id, year, last_number) VALUES (:cid, :year, :last)
        ON CONFLICT (cooperative_id, year) DO UPDATE SET last_number = EXCLUDED.last_number
    """), params)


STATEMENTS = ("neraca-saldo", "posisi-keuangan", "hasil-usaha", "perubahan-ekuitas", "arus-kas")


def _login(app, username):
    import re

    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers.get("Location", ""), f"login failed: {username}"
    return TestClientPages(client)


class TestClientPages:
    """Pages fetched in-process (the Flask test client): used to count SQL statements per request."""

    def __init__(self, client):
        self.client = client

    def get(self, url):
        r = self.client.get(url)
        return r.status_code, r.get_data()


class HttpPages:
    """Pages fetched over HTTP from gunicorn in the production configuration. Production marks its cookie Secure
    (``__Host-``) and redirects plain http to https; the benchmark talks plain http on loopback as the TLS proxy
    would, so it says ``X-Forwarded-Proto: https`` (one trusted proxy hop) and hands the cookie back itself."""

    def __init__(self, base, username):
        import re

        import requests

        self.base, self.s = base, requests.Session()
        # CSRF over https also checks the Referer against the host (Flask-WTF's strict SSL mode)
        self.s.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.7",
                               "Referer": base.replace("http://", "https://") + "/login/"})
        page = self._get("/login/").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        r = self._send("post", "/login/", data={"username": username, "password": PASSWORD, "csrf_token": token},
                       allow_redirects=False)
        assert r.status_code == 302 and "/login" not in r.headers.get("Location", ""), \
            f"login failed: {username}: {r.status_code} {r.headers.get('Location')} {r.text[-300:]}"

    def _send(self, method, url, **kwargs):
        for cookie in self.s.cookies:
            cookie.secure = False  # sent over loopback http, as behind the proxy
        return getattr(self.s, method)(self.base + url, timeout=600, **kwargs)

    def _get(self, url):
        return self._send("get", url, allow_redirects=False)

    def get(self, url):
        r = self._get(url)
        return r.status_code, r.content


def production_env(url, extra_env=None):
    """The environment of the production configuration the benchmarks serve with (KKMP_ENV=production, a shared
    Redis limiter, a random SECRET_KEY); ``extra_env`` overrides what a server shares with another process of the
    run (bench/pupuk_bench.py: the SECRET_KEY that keys the NIK HMACs and the job queue, shared with its worker)."""
    import secrets

    env = dict(os.environ, KKMP_ENV="production", DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32),
               KKMP_PROXY_COUNT="1", KKMP_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/13", KKMP_LOG_LEVEL="WARNING")
    env.update(extra_env or {})
    return env


def serve(root, url, port, extra_env=None):
    """gunicorn with 2 sync workers in the production configuration (``production_env``), from the checkout at
    ``root`` (this one, or an older one for the "before" figures); returns the process."""
    import subprocess

    import requests

    env = production_env(url, extra_env)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    proc = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "600", "run:app"],
                            cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(f"/tmp/ledger_bench_gunicorn_{port}.log", "w"))
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/login/", timeout=30, headers={"X-Forwarded-Proto": "https"})
            return proc
        except (requests.ConnectionError, requests.Timeout):
            if proc.poll() is not None:
                sys.exit(f"gunicorn from {root} did not start: see /tmp/ledger_bench_gunicorn_{port}.log")
            time.sleep(0.2)
    sys.exit("gunicorn did not answer within 30 s")


def _time(pages, url, runs):
    status, body = pages.get(url)  # warm-up (and check)
    if status != 200:  # e.g. the province view, on a checkout from before it existed
        return None, None, status
    size = len(body)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        status, _body = pages.get(url)
        times.append(time.perf_counter() - t0)
        assert status == 200, url
    return statistics.median(times), max(times), size


def _count_sql(app, pages, url):
    from sqlalchemy import event

    from app.extensions import db

    seen = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        pages.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return len(seen)


RECEIPT = [{"account": "111000", "debit": "1000.00"}, {"account": "411100", "credit": "1000.00"}]
PAYMENT = [{"account": "522000", "debit": "1000.00"}, {"account": "111000", "credit": "1000.00"}]  # kas check


def _api_session(base, username="pengurus.kebonjeruk"):
    """A JWT session of the pengurus (or ``username``, with the same password) against the server at ``base``."""
    import requests

    s = requests.Session()
    s.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.8"})
    r = s.post(base + "/api/v1/security/login", json={"username": username, "password": PASSWORD,
                                                      "provider": "db", "refresh": False}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    s.headers["Authorization"] = "Bearer " + r.json()["access_token"]
    return s


def _time_posting(bases, cid, runs, lines=RECEIPT):
    """POST /api/v1/journal_entry/post as the pengurus over HTTP: the posting path (with its balance upserts, where
    the checkout keeps balances). The servers take turns, one request each, so a change in the machine's load
    falls on both columns alike. Returns {base: (median, max)}."""
    sessions = {base: _api_session(base) for base in bases}
    times = {base: [] for base in bases}
    for i in range(runs + 1):
        for base, s in sessions.items():
            body = {"cooperative_id": cid, "entry_date": f"{YEAR + 1}-01-02", "description": f"bench posting {i}",
                    "lines": lines}
            t0 = time.perf_counter()
            r = s.post(base + "/api/v1/journal_entry/post", json=body, timeout=60)
            elapsed = time.perf_counter() - t0
            assert r.status_code == 201, r.text[:300]
            if i:  # the first is a warm-up
                times[base].append(elapsed)
    return {base: (statistics.median(t), max(t)) for base, t in times.items()}


def _plan(cid, province):
    year, month = f"tahun={YEAR}&bulan=", f"tahun={YEAR}&bulan=6"
    checks = []
    for key in ("neraca-saldo", "posisi-keuangan", "hasil-usaha", "perubahan-ekuitas", "arus-kas", "buku-kas",
                "buku-bank", "buku-besar"):
        for label, q in (("tahun", year), ("bulan", month)):
            aim = 0.05 if key in STATEMENTS else 1.0
            checks.append((f"{key} ({label})", "pengurus.kebonjeruk",
                           f"/laporan-keuangan/{key}/?koperasi={cid}&{q}", aim))
    checks.append(("neraca-saldo + unit sembako (tahun)", "pengurus.kebonjeruk",
                   f"/laporan-keuangan/neraca-saldo/?koperasi={cid}&{year}&unit=1", 0.05))
    checks.append(("konsolidasi 56 koperasi (tahun)", "sudin.jakbar", f"/laporan-konsolidasi/?{year}", 0.1))
    checks.append(("konsolidasi 56 koperasi (bulan)", "sudin.jakbar", f"/laporan-konsolidasi/?{month}", 0.1))
    if province:
        checks.append(("konsolidasi provinsi 31, 267 koperasi (tahun)", "admin",
                       f"/laporan-konsolidasi/?kota={PROVINCE}&{year}", 0.3))
    for key in ("neraca-saldo", "posisi-keuangan", "hasil-usaha", "arus-kas"):
        checks.append((f"xlsx {key} (tahun)", "pengurus.kebonjeruk",
                       f"/laporan-keuangan/{key}/xlsx?koperasi={cid}&{year}", 1.0))
    checks.append(("xlsx buku-kas (tahun, every line)", "pengurus.kebonjeruk",
                   f"/laporan-keuangan/buku-kas/xlsx?koperasi={cid}&{year}", None))
    checks.append(("xlsx konsolidasi (tahun)", "sudin.jakbar", f"/laporan-konsolidasi/xlsx?{year}", 3.0))
    return checks


def measure(app, url, runs, province=False, before_root=None, port=8791, posting_only=False):
    """Every check through gunicorn (production configuration), median of ``runs``; SQL statements counted
    in-process through the test client. With ``before_root``, the same checks against that older checkout served
    on the same database, in the same run, side by side."""
    from sqlalchemy import select

    from app.cooperatives.models import Cooperative
    from app.core.scope import system_scope
    from app.extensions import db

    with app.app_context(), system_scope():
        cid = db.session.scalar(select(Cooperative.id).where(Cooperative.region_code == BIG))
        db.session.remove()
    unit = _unit_id(app, cid)
    checks = [(label, who, u.replace("unit=1", f"unit={unit}"), aim) for label, who, u, aim in _plan(cid, province)]
    if posting_only:
        checks = []
    servers = [("after", ROOT, port)] + ([("before", before_root, port + 1)] if before_root else [])
    procs = {name: serve(root, url, p) for name, root, p in servers}
    failed = []
    try:
        pages = {(name, who): HttpPages(f"http://127.0.0.1:{p}", who) for name, _root, p in servers
                 for who in {c[1] for c in checks}}
        local = {who: _login(app, who) for who in {c[1] for c in checks}}
        head = "".join(f" {name + ' median':>14} {'p95/max':>9}" for name, _r, _p in servers)
        print(f"\n{'endpoint (gunicorn, production config)':48}{head} {'bytes':>10} {'SQL':>4}  aim")
        for label, who, u, aim in checks:
            cells, size, mine = [], 0, None
            for name, _root, _p in servers:
                median, worst, got = _time(pages[(name, who)], u, runs)
                if median is None:
                    cells.append(f" {'HTTP %s' % got:>14} {'':>9}")
                    continue
                cells.append(f" {median * 1000:12.1f}ms {worst * 1000:7.1f}ms")
                if name == "after":
                    mine, size = median, got
            if mine is None:
                failed.append(label)
            statements_run = _count_sql(app, local[who], u)
            ok = aim is None or (mine is not None and mine < aim)
            failed += [] if ok or mine is None else [label]
            verdict = "-" if aim is None else ("< %.0f ms %s" % (aim * 1000, "ok" if ok else "MISSED"))
            print(f"{label:48}{''.join(cells)} {size:10d} {statements_run:4d}  {verdict}")
        for label, lines in (("post an entry (API): cash receipt", RECEIPT),
                             ("post an entry (API): kas payment (overdraft check)", PAYMENT)):
            bases = [f"http://127.0.0.1:{p}" for _name, _root, p in servers]
            timed = _time_posting(bases, cid, runs * 4, lines)
            cells = [f" {timed[b][0] * 1000:12.1f}ms {timed[b][1] * 1000:7.1f}ms" for b in bases]
            print(f"{label:48}{''.join(cells)}")
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait()
    if before_root:
        # the older checkout posted without keeping balances: rebuild them so the books stay reconciled
        _rebuild_after_old_postings(app, cid)
    return failed


def _rebuild_after_old_postings(app, cid):
    from app.core.scope import system_scope
    from app.extensions import db
    from app.ledger import balances

    with app.app_context(), system_scope():
        balances.rebuild(db.session, [cid])
        db.session.commit()
        problems = balances.reconcile(db.session, [cid])
        db.session.remove()
    print("balances rebuilt after the older checkout's postings; reconcile:", "ok" if not problems else problems)


def _unit_id(app, cid):
    from sqlalchemy import select

    from app.cooperatives.models import BusinessUnit
    from app.core.scope import system_scope
    from app.extensions import db

    with app.app_context(), system_scope():
        uid = db.session.scalar(select(BusinessUnit.id).where(BusinessUnit.cooperative_id == cid,
                                                              BusinessUnit.kind == "sembako"))
        db.session.remove()
    return uid


def explain(app):
    """EXPLAIN ANALYZE of the two heaviest statements: the per-account aggregate of a year, and the city."""
    from sqlalchemy import select

    from app.cooperatives.models import Cooperative
    from app.core.scope import system_scope
    from app.extensions import db
    from app.ledger import statements

    captured = []

    from sqlalchemy import event

    def _capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    with app.app_context(), system_scope():
        coop = db.session.scalar(select(Cooperative).where(Cooperative.region_code == BIG))
        event.listen(db.engine, "before_cursor_execute", _capture)
        try:
            statements.trial_balance_report(db.session, coop, statements.ReportPeriod(YEAR))
            statements.cash_flow(db.session, coop, statements.ReportPeriod(YEAR))
            statements.consolidated(db.session, CITY, statements.ReportPeriod(YEAR))
        finally:
            event.remove(db.engine, "before_cursor_execute", _capture)
        raw = db.session.connection().connection.driver_connection
        for statement, parameters in captured:
            if "GROUP BY" not in statement:
                continue
            with raw.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                print("\n" + statement.split("FROM", 1)[1][:160].replace("\n", " ") + " ...")
                print("\n".join(r[0] for r in cur.fetchall()))
        db.session.rollback()
        db.session.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--lines", type=int, default=200_000, help="journal lines of the big cooperative")
    parser.add_argument("--light-lines", type=int, default=2_000, help="journal lines of each other cooperative")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per endpoint (median reported)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the heavy aggregates")
    parser.add_argument("--province", action="store_true",
                        help="every kelurahan of DKI Jakarta (267 cooperatives), and time the province view")
    parser.add_argument("--generate-only", action="store_true", help="build the data, measure nothing")
    parser.add_argument("--before", metavar="CHECKOUT",
                        help="an older checkout of the app (e.g. `git worktree add /tmp/before f618a7d`), served on "
                             "the same database beside this one for before/after figures in one run")
    parser.add_argument("--posting-only", action="store_true",
                        help="time only the postings (the servers taking turns), not the statements")
    parser.add_argument("--port", type=int, default=8791, help="gunicorn port (the --before checkout: port + 1)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("set DATABASE_URL=postgresql://... (the benchmark is for PostgreSQL)")
    ensure_database(url, args.fresh)

    from app import create_app

    app = create_app("test")
    generate(app, args.lines, args.light_lines, args.province)
    if args.generate_only:
        return 0
    if args.explain:
        explain(app)
    failed = measure(app, url, args.runs, args.province, args.before, args.port, args.posting_only)
    print("\nall aims met" if not failed else f"\naims missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
