"""Member-register benchmark (issue 5 item 8; on demand, not in CI): BASELINE figures, no optimisation.

A fresh PostgreSQL database (default kkmp_bench_members) is built with the app's own commands (`flask db upgrade`,
`flask kkmp init`, `flask kkmp load-regions`), filled with set-based SQL (INSERT .. SELECT .. generate_series, no ORM
round trips): 267 cooperatives (one per DKI Jakarta kelurahan, 31.xx.xx.1xxx) with their chart of accounts and
savings products, --members members with valid-looking unique NIKs, their HMACs and the nik_registry rows of live
members, and --transactions savings deposits with gapless receipts, balances and receipt counters. Then the app is
served by gunicorn (2 sync workers) and timed over HTTP as Admin and as sudin.jakbar (scope 31.73).

    /path/to/venv/bin/python bench/members_bench.py [--members 500000] [--transactions 5000000] [--runs 15]
        [--port 8093] [--keep]

The database is dropped at the end unless --keep. See bench/README.md (members_bench.py) for the figures and gaps.
"""
import argparse
import glob
import os
import re
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

DB = "kkmp_bench_members"
PASSWORD = "bench-members-2026"
BIN = os.path.dirname(sys.executable)

FIRST = ["Ahmad", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gilang", "Hendra", "Indah", "Joko", "Kartika", "Lestari",
         "Made", "Nur", "Putu", "Rina", "Sari", "Teguh", "Utami", "Wahyu", "Yuni", "Agus", "Bambang", "Siti",
         "Ratna", "Dian", "Rudi", "Andi", "Maya", "Tono"]
LAST = ["Santoso", "Wijaya", "Saputra", "Hidayat", "Pratama", "Kusuma", "Nugroho", "Setiawan", "Gunawan", "Susanto",
        "Halim", "Siregar", "Nasution", "Simanjuntak", "Harahap", "Lubis", "Wibowo", "Purnomo", "Rahmawati",
        "Handayani", "Permata", "Sulistyo", "Utomo", "Hakim", "Firmansyah", "Ramadhan", "Syahputra", "Maulana",
        "Kurniawan", "Anggraini", "Suryadi", "Tanjung", "Sembiring", "Ginting", "Pane", "Daulay", "Batubara",
        "Hutapea", "Sitompul", "Manurung"]
STREETS = ["Merdeka", "Sudirman", "Thamrin", "Diponegoro", "Gatot Subroto", "Ahmad Yani", "Pahlawan", "Kenanga",
           "Melati", "Mawar"]

AIM_MS = 30.0
AIM_STMTS = 8
AIM_FORM_BYTES = 60 * 1024
AIM_ROWS_S = 10_000
AIM_MB = 200


def arr(values):
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def env_for(url):
    return dict(os.environ, FLASK_APP="run.py", KKMP_ENV="development", DATABASE_URL=url)


def admin_conn(url):
    import psycopg2
    from urllib.parse import urlsplit, urlunsplit

    conn = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    conn.autocommit = True
    return conn


def recreate_db(url, name):
    conn = admin_conn(url)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_db(url, name):
    conn = admin_conn(url)
    with conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


def flask(env, *args, stdin=None):
    r = subprocess.run([os.path.join(BIN, "flask"), *args], cwd=ROOT, env=env, input=stdin, text=True,
                       capture_output=True)
    if r.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return r.stdout.strip()


def hmac_key(env):
    """The key the app uses for nik_hmac (KKMP_NIK_HMAC_KEY or SECRET_KEY of the development config)."""
    code = ("from app import create_app; a = create_app(); "
            "print(a.config.get('KKMP_NIK_HMAC_KEY') or a.config['SECRET_KEY'])")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True, capture_output=True, check=True)
    return r.stdout.strip().splitlines()[-1]


def generate(url, env, members, transactions):
    import psycopg2
    from psycopg2.extras import execute_values

    t0 = time.perf_counter()
    flask(env, "db", "upgrade")
    flask(env, "kkmp", "init")
    flask(env, "kkmp", "load-regions")
    print(f"schema, roles, regions: {time.perf_counter() - t0:.1f} s")
    key = hmac_key(env)

    from app.cooperatives.services import NAME_PREFIX
    from app.ledger.services import chart_rows

    conn = psycopg2.connect(url)
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")  # hmac() for nik_hmac; this database is dropped after

    t1 = time.perf_counter()
    cur.execute("""
        INSERT INTO cooperative (region_code, province_code, city_code, district_code, name, is_pilot, address,
                                 version)
        SELECT code, left(code, 2), left(code, 5), left(code, 8), %s || ' ' || name, false,
               'Kantor Kelurahan ' || name, 1
          FROM region WHERE code LIKE '31.__.__.1___' ORDER BY code""", (NAME_PREFIX,))
    cur.execute("SELECT id FROM cooperative ORDER BY region_code")
    coop_ids = [r[0] for r in cur.fetchall()]
    # the chart of accounts the Cooperative after_insert hook would create (template rows, one multi-row insert)
    rows = [r for cid in coop_ids for r in chart_rows(cid)]
    cols = list(rows[0])
    execute_values(cur, f"INSERT INTO account ({', '.join(cols)}) VALUES %s", [tuple(r[c] for c in cols) for r in rows],
                   page_size=5000)
    cur.execute("""
        INSERT INTO savings_product (cooperative_id, kind, name, amount, instalments, decided_on, version)
        SELECT c.id, k.kind, k.name, k.amount, 1, date '2025-07-21', 1
          FROM cooperative c CROSS JOIN (VALUES ('pokok', 'Simpanan pokok', 100000.00),
                                                ('wajib', 'Simpanan wajib', 10000.00),
                                                ('sukarela', 'Simpanan sukarela', NULL)) AS k(kind, name, amount)""")
    cur.execute("""
        INSERT INTO wajib_rate (cooperative_id, valid_from, amount, decided_on, version)
        SELECT id, date '2025-08-01', 10000.00, date '2025-07-21', 1 FROM cooperative""")
    print(f"{len(coop_ids)} cooperatives, {len(rows)} accounts: {time.perf_counter() - t1:.1f} s")

    # Members: g -> cooperative (g mod 267); NIK = district(6) + DDMMYY (+40 on the day for women) + serial(4),
    # birth date and serial both derived from g so every NIK is unique; 90 % aktif, 3 % disetujui, 3 % permohonan,
    # 4 % keluar. Numbers A-000001.. gapless per cooperative for every status but permohonan.
    t1 = time.perf_counter()
    cur.execute(f"""
        WITH c AS (SELECT id, region_code, row_number() OVER (ORDER BY region_code) - 1 AS k,
                          count(*) OVER () AS n FROM cooperative),
        raw AS (
          SELECT g, c.id AS coop_id, c.region_code,
                 CASE WHEN g %% 100 < 90 THEN 'aktif' WHEN g %% 100 < 93 THEN 'disetujui'
                      WHEN g %% 100 < 96 THEN 'permohonan' ELSE 'keluar' END AS status,
                 CASE WHEN (g / 7) %% 2 = 0 THEN 'L' ELSE 'P' END AS sex,
                 date '1950-01-01' + (g %% 20000) AS birth,
                 (g / 20000) + 1 AS serial,
                 date '2025-08-01' + (g %% 300) AS joined
            FROM generate_series(1, %(n)s) AS g JOIN c ON c.k = g %% c.n),
        numbered AS (
          SELECT raw.*, CASE WHEN status <> 'permohonan' THEN
                   row_number() OVER (PARTITION BY coop_id, status = 'permohonan' ORDER BY g) END AS seq
            FROM raw)
        INSERT INTO member (cooperative_id, member_seq, member_number, nik, nik_hmac, name, sex, birth_date, address,
                            rt, rw, domicile_code, phone, occupation, join_date, status, approved_on, active_since,
                            ended_on, end_note, version)
        SELECT coop_id, seq, CASE WHEN seq IS NOT NULL THEN 'A-' || lpad(seq::text, 6, '0') END, nik,
               encode(hmac(nik, %(key)s, 'sha256'), 'hex'),
               ({arr(FIRST)})[1 + (g * 7) %% {len(FIRST)}] || ' ' || ({arr(LAST)})[1 + (g * 13) %% {len(LAST)}],
               sex, birth, 'Jl. ' || ({arr(STREETS)})[1 + g %% {len(STREETS)}] || ' No. ' || (1 + g %% 250),
               lpad((1 + g %% 15)::text, 3, '0'), lpad((1 + g %% 9)::text, 3, '0'), region_code,
               '0812' || lpad((g %% 100000000)::text, 8, '0'), 'Wiraswasta', joined,
               status, CASE WHEN status <> 'permohonan' THEN joined + 7 END,
               CASE WHEN status IN ('aktif', 'keluar') THEN joined + 14 END,
               CASE WHEN status = 'keluar' THEN joined + 60 END,
               CASE WHEN status = 'keluar' THEN 'Pindah domisili' END, 1
          FROM (SELECT numbered.*,
                       replace(substr(region_code, 1, 8), '.', '')
                       || lpad((extract(day FROM birth)::int + CASE WHEN sex = 'P' THEN 40 ELSE 0 END)::text, 2, '0')
                       || to_char(birth, 'MMYY') || lpad(serial::text, 4, '0') AS nik
                  FROM numbered) s
         ORDER BY g""", dict(n=members, key=key))
    cur.execute("""INSERT INTO nik_registry (nik_hmac, member_id, cooperative_id)
                   SELECT nik_hmac, id, cooperative_id FROM member
                    WHERE status IN ('permohonan', 'disetujui', 'aktif')""")
    cur.execute("""INSERT INTO member_counter (cooperative_id, last_number)
                   SELECT c.id, coalesce(max(m.member_seq), 0) FROM cooperative c
                     LEFT JOIN member m ON m.cooperative_id = c.id GROUP BY c.id""")
    conn.commit()
    print(f"{members} members + nik_registry + counters: {time.perf_counter() - t1:.1f} s")

    # Savings: deposits (setor) only, so no balance can go negative; pokok/wajib/sukarela; dates from the member's
    # join date on; receipts KW-YYYY-nnnnnn gapless per cooperative and year in date order; balances = sums.
    t1 = time.perf_counter()
    cur.execute("CREATE TEMP TABLE bench_m AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, cooperative_id, "
                "active_since FROM member WHERE status IN ('aktif', 'keluar')")
    cur.execute("SELECT count(*) FROM bench_m")
    n_active = cur.fetchone()[0]
    cur.execute("CREATE UNIQUE INDEX ON bench_m (k)")
    cur.execute("""
        WITH t AS (
          SELECT g, m.id AS member_id, m.cooperative_id,
                 (ARRAY['pokok','wajib','wajib','wajib','sukarela','sukarela'])[1 + (g / %(na)s) %% 6] AS kind,
                 CASE WHEN (g / %(na)s) %% 6 = 0 THEN 100000.00
                      WHEN (g / %(na)s) %% 6 IN (1, 2, 3) THEN 10000.00
                      ELSE round(((g * 7919) %% 990 + 10) * 1000.00, 2) END AS amount,
                 least(m.active_since + ((g / %(na)s) * 11) %% 330, date '2026-11-20') AS tx_date
            FROM generate_series(0, %(n)s - 1) AS g JOIN bench_m m ON m.k = g %% %(na)s),
        r AS (SELECT t.*, extract(year FROM tx_date)::int AS y,
                     row_number() OVER (PARTITION BY cooperative_id, extract(year FROM tx_date) ORDER BY tx_date, g) AS seq
                FROM t)
        INSERT INTO savings_transaction (cooperative_id, member_id, kind, direction, amount, tx_date, receipt_year,
                                         receipt_seq, receipt_number, idempotency_key, note, created_by, version)
        SELECT cooperative_id, member_id, kind, 'setor', amount, tx_date, y, seq, 'KW-' || y || '-' || lpad(seq::text, 6, '0'),
               'bench-' || g, NULL, 'bench', 1
          FROM r ORDER BY cooperative_id, tx_date, seq""", dict(n=transactions, na=n_active))
    cur.execute("""INSERT INTO savings_balance (cooperative_id, member_id, kind, balance)
                   SELECT cooperative_id, member_id, kind, sum(amount) FROM savings_transaction
                    GROUP BY cooperative_id, member_id, kind""")
    cur.execute("""INSERT INTO savings_receipt_counter (cooperative_id, year, last_number)
                   SELECT cooperative_id, receipt_year, max(receipt_seq) FROM savings_transaction
                    GROUP BY cooperative_id, receipt_year""")
    conn.commit()
    print(f"{transactions} savings transactions + balances + receipt counters: {time.perf_counter() - t1:.1f} s")
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE")
    for table in ("cooperative", "member", "nik_registry", "savings_transaction", "savings_balance", "account"):
        cur.execute(f"SELECT count(*) FROM {table}")
        print(f"  {table}: {cur.fetchone()[0]} rows")
    conn.close()

    flask(env, "kkmp", "create-user", "admin", "--role", "Admin", "--password-stdin", stdin=PASSWORD + "\n")
    flask(env, "kkmp", "create-user", "sudin.jakbar", "--role", "Sudin", "--scope", "31.73", "--password-stdin",
          stdin=PASSWORD + "\n")
    print(f"data generated in {time.perf_counter() - t0:.1f} s")


def check_hmac(env):
    """One generated HMAC must equal the app's own nik_hmac (else exact NIK search and the registry would lie)."""
    code = ("from app import create_app; from app.extensions import db; from sqlalchemy import text;"
            "from app.members.services import nik_hmac\n"
            "a = create_app()\nwith a.app_context():\n"
            "    nik, h = db.session.execute(text('SELECT nik, nik_hmac FROM member LIMIT 1')).one()\n"
            "    from stdnum.id import nik as s; s.validate(nik)\n"
            "    print('ok' if nik_hmac(nik) == h else 'MISMATCH')")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True, capture_output=True)
    return (r.stdout.strip().splitlines() or ["? " + r.stderr[-300:]])[-1]


# -- measuring -------------------------------------------------------------------------------------------------


def login(base, user):
    import requests

    s = requests.Session()
    page = s.get(base + "/login/").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = s.post(base + "/login/", data={"username": user, "password": PASSWORD, "csrf_token": token},
               allow_redirects=False)
    assert r.status_code == 302 and "/login" not in r.headers.get("Location", ""), f"login failed: {user}"
    return s


def timed(s, url, runs):
    r = s.get(url)  # warm-up
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    size = len(r.content)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = s.get(url)
        r.content
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, size, r


def count_statements(env, urls):
    """SQL statements per request, counted in a Flask test-client run with a before_cursor_execute listener
    (pg_stat_statements is not in shared_preload_libraries on this machine, and that is not changed here)."""
    code = f"""
import re, json, sys
from sqlalchemy import event
from app import create_app
from app.extensions import db
app = create_app()
out = {{}}
for user, url in {urls!r}:
    c = app.test_client()
    page = c.get('/login/').get_data(as_text=True)
    tok = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    c.post('/login/', data={{'username': user, 'password': {PASSWORD!r}, 'csrf_token': tok}})
    c.get(url)
    seen = []
    with app.app_context():
        eng = db.engine
    fn = lambda conn, cur, st, p, ctx, em: seen.append(st.split()[0].upper() + ' ' + re.sub(r'\\s+', ' ', st)[:90])
    event.listen(eng, 'before_cursor_execute', fn)
    r = c.get(url)
    event.remove(eng, 'before_cursor_execute', fn)
    out[user + ' ' + url] = [r.status_code, seen]
print(json.dumps(out))
"""
    import json

    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True, capture_output=True)
    if r.returncode:
        print(r.stderr[-2000:])
        return {}
    return json.loads(r.stdout.strip().splitlines()[-1])


def export_child():
    """Standalone xlsx export of the whole member register as Admin (run under /usr/bin/time -v)."""
    from app import create_app

    app = create_app()
    c = app.test_client()
    page = c.get("/login/").get_data(as_text=True)
    tok = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    c.post("/login/", data={"username": "admin", "password": PASSWORD, "csrf_token": tok})
    t0 = time.perf_counter()
    r = c.get("/anggota/export/xlsx")
    n = len(r.data)
    print(f"EXPORT status={r.status_code} bytes={n} seconds={time.perf_counter() - t0:.2f}")


def worker_hwm(master_pid):
    best = 0
    for st in glob.glob("/proc/[0-9]*/status"):
        try:
            txt = open(st).read()
        except OSError:
            continue
        if f"\nPPid:\t{master_pid}\n" in txt:
            for line in txt.splitlines():
                if line.startswith("VmHWM:"):
                    best = max(best, int(line.split()[1]) // 1024)
    return best


def measure(url, env, args, n_members):
    import psycopg2

    conn = psycopg2.connect(url)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM member m JOIN cooperative c ON c.id = m.cooperative_id "
                "WHERE c.city_code = '31.73'")
    n_sudin = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM member")
    n_all = cur.fetchone()[0]
    conn.close()
    base = f"http://127.0.0.1:{args.port}"
    gun = subprocess.Popen([os.path.join(BIN, "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{args.port}", "--timeout",
                            "600", "run:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=open("/tmp/members_bench_gunicorn.log", "w"))
    rows, failed = [], []
    try:
        import requests

        for _ in range(100):
            try:
                requests.get(base + "/login/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        sessions = {"Admin": (login(base, "admin"), n_all), "Sudin 31.73": (login(base, "sudin.jakbar"), n_sudin)}
        pages = {}
        for who, (s, n) in sessions.items():
            deep = int(n * 0.8) // 25
            pages[who] = {"first page": "/anggota/list/", f"deep page (offset {deep * 25})":
                          f"/anggota/list/?page_MemberView={deep}", "name search 'wijaya'":
                          "/anggota/list/?_flt_2_name=wijaya"}
        counts = count_statements(env, [(u, url) for who, (_, _) in sessions.items()
                                        for url in pages[who].values()
                                        for u in [("admin" if who == "Admin" else "sudin.jakbar")]])
        print(f"\n{'who':12} {'endpoint':32} {'median':>9} {'bytes':>9} {'SQL':>4}  aim")
        for who, (s, n) in sessions.items():
            user = "admin" if who == "Admin" else "sudin.jakbar"
            for label, path in pages[who].items():
                ms, size, _ = timed(s, base + path, args.runs)
                status, stmts = counts.get(f"{user} {path}", [None, []])
                t_ok, q_ok = ms < AIM_MS, len(stmts) <= AIM_STMTS
                failed += [] if t_ok else [f"{who} {label} time"]
                failed += [] if q_ok else [f"{who} {label} SQL count"]
                perm = sum("ab_permission_view" in st for st in stmts)
                print(f"{who:12} {label:32} {ms:7.1f}ms {size:9d} {len(stmts):4d}  <{AIM_MS:.0f} ms "
                      f"{'ok' if t_ok else 'MISSED'}, <={AIM_STMTS} SQL {'ok' if q_ok else 'MISSED'}"
                      f" ({perm} permission checks)")
                if args.show_sql and stmts:
                    for st in stmts:
                        print("      " + st)
            if s.get(base + "/simpanan/transaksi/setor").status_code == 403:
                print(f"{who:12} {'add-deposit form':32} {'403':>9}  (this role may not take deposits)")
                continue
            ms, size, _ = timed(s, base + "/simpanan/transaksi/setor", args.runs)
            ok = ms < AIM_MS and size < AIM_FORM_BYTES
            failed += [] if ok else [f"{who} add-deposit form"]
            print(f"{who:12} {'add-deposit form':32} {ms:7.1f}ms {size:9d} {'':>4}  <{AIM_MS:.0f} ms, <60 KB: "
                  f"{'ok' if ok else 'MISSED'}")
            ms, size, _ = timed(s, base + "/anggota/lookup?q=wijaya&aktif=1", args.runs)
            print(f"{who:12} {'member picker lookup q=wijaya':32} {ms:7.1f}ms {size:9d} {'':>4}  (no aim)")
        # xlsx export over HTTP as Admin (every member), rows/s; worker peak RSS
        s = sessions["Admin"][0]
        hwm0 = worker_hwm(gun.pid)
        t0 = time.perf_counter()
        r = s.get(base + "/anggota/export/xlsx", timeout=3600)
        secs = time.perf_counter() - t0
        rate = n_all / secs
        print(f"\nxlsx export (HTTP, Admin, {n_all} members): status {r.status_code}, {len(r.content)} bytes, "
              f"{secs:.1f} s = {rate:,.0f} rows/s (aim >= {AIM_ROWS_S:,}); gunicorn worker VmHWM {hwm0} -> "
              f"{worker_hwm(gun.pid)} MB")
        failed += [] if rate >= AIM_ROWS_S else ["xlsx export rows/s"]
    finally:
        gun.send_signal(signal.SIGTERM)
        gun.wait(timeout=30)
    # standalone run under /usr/bin/time -v for the peak RSS of the whole process (app + export)
    r = subprocess.run(["/usr/bin/time", "-v", sys.executable, os.path.abspath(__file__), "--export-child"],
                       cwd=ROOT, env=env, text=True, capture_output=True)
    line = next((x for x in r.stdout.splitlines() if x.startswith("EXPORT")), r.stdout[-300:])
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) // 1024
    secs = float(re.search(r"seconds=([\d.]+)", line).group(1)) if "seconds=" in line else float("nan")
    print(f"xlsx export (standalone test client under /usr/bin/time -v): {line}; {n_all / secs:,.0f} rows/s; "
          f"peak RSS {peak} MB (aim < {AIM_MB} MB: {'ok' if peak < AIM_MB else 'MISSED'})")
    failed += [] if peak < AIM_MB else ["xlsx export memory"]
    csv = subprocess.run([sys.executable, "-c", "from app import create_app; a = create_app(); print([r.rule for r "
                          "in a.url_map.iter_rules() if r.rule.startswith('/anggota') and 'csv' in r.rule])"],
                         cwd=ROOT, env=env, text=True, capture_output=True).stdout.strip().splitlines()[-1:]
    print(f"CSV export routes under /anggota: {csv[0] if csv else '?'}")
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--transactions", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=15, help="warm requests per endpoint (median reported)")
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--db-url", default=f"postgresql://postgres@127.0.0.1:5432/{DB}")
    parser.add_argument("--keep", action="store_true", help="keep the database (default: DROP it at the end)")
    parser.add_argument("--show-sql", action="store_true", help="print every SQL statement of the list pages")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        return export_child()
    url = args.db_url
    name = url.rsplit("/", 1)[1]
    env = env_for(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("KKMP_ENV", "development")
    recreate_db(url, name)
    try:
        generate(url, env, args.members, args.transactions)
        print("NIK HMAC check against the app:", check_hmac(env))
        failed = measure(url, env, args, args.members)
    finally:
        if not args.keep:
            drop_db(url, name)
            print(f"database {name} dropped")
    print("\nall aims met" if not failed else f"\naims missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
