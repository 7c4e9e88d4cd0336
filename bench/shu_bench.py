"""SHU benchmark (issue 17, on demand, not in CI): one cooperative with 5,000 active members, their simpanan pokok
and wajib (three transactions each), 200,000 member sales at its gerai in the closed year and a year of books
closed by the ledger's own ``close_period`` / ``close_year``; then, through gunicorn (2 sync workers) in the
production configuration against PostgreSQL, with the harness of ``bench/ledger_bench.py`` (login form with CSRF,
``X-Forwarded-Proto: https`` on loopback):

* the SHU worksheet: ``POST /api/v1/shu/<id>/<year>/compute`` (computes and answers every member's exact and
  rounded share), aim < 1 s;
* the RAT workbook: ``GET /shu/<id>/<year>/rat.xlsx`` (five statements, the SHU, 5,000 member rows, the
  attendance list, the RAPB), aim < 5 s;
* the member SHU list page: ``GET /shu/<id>/<year>/anggota`` (a keyset page of 50), aim < 30 ms.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kkmp_shu_bench \
        /path/to/venv/bin/python bench/shu_bench.py [--fresh] [--members 5000] [--sales 200000] [--runs 5]

Members, savings and sales are inserted with set-based SQL (``generate_series``); the sales rows are ``inv_sale``
rows with a member (what the jasa usaha provider of app/shu sums), without stock movements or journals: the
benchmark is about the worksheet, not the counter. The books the SHU comes from are posted through
``post_entry``. SQL statements per request are counted in-process (Flask test client).
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("KKMP_ENV", "test")

from ledger_bench import PASSWORD, HttpPages, _count_sql, _login, _time, ensure_database, serve  # noqa: E402

CODE = "31.71.01.1001"  # a kelurahan of Jakarta Pusat with no demo cooperative
USER = "pengurus.shubench"


def _year(app):
    from app.core.dates import local_today

    with app.app_context():
        return local_today(None).year - 1


def generate(app, members, sales):
    """Schema, roles, regions, demo data, then the benchmark cooperative with its year (idempotent)."""
    from datetime import date
    from decimal import Decimal as D

    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from app.cooperatives.models import Cooperative
    from app.cooperatives.services import create_cooperative
    from app.core.scope import system_scope
    from app.demo import seed_demo
    from app.extensions import appbuilder, db
    from app.ledger import services as ledger
    from app.regions.services import load_regions
    from app.security.services import sync_roles_and_permissions
    from app.shu import services as shu

    year = _year(app)
    with app.app_context(), system_scope():
        t0 = time.perf_counter()
        upgrade()
        sync_roles_and_permissions()
        load_regions(app.config["REGIONS_CSV"])
        seed_demo()
        db.session.commit()
        coop = db.session.scalar(select(Cooperative).where(Cooperative.region_code == CODE))
        if coop is None:
            coop = create_cooperative(CODE, session=db.session)
            db.session.commit()
        cid = coop.id
        if appbuilder.sm.find_user(username=USER) is None:
            user = appbuilder.sm.add_user(USER, "Pengurus", "Bench", f"{USER}@bench.kkmp.local",
                                          [appbuilder.sm.find_role("Pengurus")], password=PASSWORD)
            user.scope_cooperative_id = cid
            db.session.commit()
        print(f"schema, demo and the cooperative: {time.perf_counter() - t0:.1f} s")
        if shu.closed_year(db.session, cid, year) is not None:
            return cid, year
        t1 = time.perf_counter()
        start = date(year, 1, 2)
        params = dict(c=cid, n=members, code=CODE, start=start, y=year)
        db.session.execute(text("""
            INSERT INTO member (cooperative_id, member_number, member_seq, nik, nik_hmac, name, name_key, sex,
                                birth_date, address, rt, rw, domicile_code, join_date, status, approved_on,
                                active_since, created_at, version)
            SELECT :c, 'B-' || lpad(g::text, 6, '0'), g, '3171014408' || lpad((g % 100)::text, 2, '0')
                       || lpad(g::text, 4, '0'),
                   md5('shu-bench-' || g), 'Anggota ' || g, 'anggota ' || g, CASE WHEN g % 2 = 0 THEN 'P' ELSE 'L' END,
                   DATE '1980-01-01' + (g % 9000), 'Jl. Bench ' || g, '001', '002', :code, :start, 'aktif', :start,
                   :start, now(), 1
            FROM generate_series(1, :n) AS g"""), params)
        ids = db.session.execute(text("SELECT id FROM member WHERE cooperative_id = :c ORDER BY id"),
                                 {"c": cid}).scalars().all()
        lo = ids[0]
        # pokok once, wajib twice (some members more: skewed like a real register)
        db.session.execute(text("""
            INSERT INTO savings_transaction (cooperative_id, member_id, kind, direction, amount, tx_date,
                                             receipt_year, receipt_seq, receipt_number, idempotency_key, created_at,
                                             version)
            SELECT :c, m.id, k.kind, 'setor', k.amount * (1 + (m.id % 7)), :start + k.day, :y,
                   row_number() OVER (), 'BENCH-' || m.id || '-' || k.kind || k.day, 'bench-' || m.id || '-' || k.kind
                       || k.day, now(), 1
            FROM member m CROSS JOIN (VALUES ('pokok', 100000, 0), ('wajib', 25000, 30), ('wajib', 25000, 200))
                 AS k(kind, amount, day)
            WHERE m.cooperative_id = :c"""), params)
        unit = db.session.scalar(text("SELECT id FROM business_unit WHERE cooperative_id = :c LIMIT 1"), {"c": cid})
        location = db.session.scalar(text("SELECT id FROM inv_location WHERE cooperative_id = :c LIMIT 1"),
                                     {"c": cid})
        if location is None:
            location = db.session.execute(text(
                "INSERT INTO inv_location (cooperative_id, name, kind, business_unit_id, active, version) "
                "VALUES (:c, 'Gerai bench', 'gerai', :u, true, 1) RETURNING id"), {"c": cid, "u": unit}).scalar()
        # member sales: a few members buy most (member k buys about 1/k as often)
        db.session.execute(text("""
            INSERT INTO inv_sale (cooperative_id, number, year, seq, sale_date, location_id, member_id, lpg_tubes,
                                  payment_method, total, paid, change, idempotency_key, created_at, version)
            SELECT :c, 'PJ-' || :y || '-' || lpad(g::text, 7, '0'), :y, g, :start + (g % 360), :loc,
                   :lo + ((g::bigint * g) % :n) % (1 + (g % :n)), 0, 'tunai', 5000 + (g % 97) * 1000,
                   5000 + (g % 97) * 1000, 0, 'bench-sale-' || g, now(), 1
            FROM generate_series(1, :s) AS g"""), dict(params, loc=location, lo=lo, s=sales))
        db.session.commit()
        print(f"{members} members, {3 * members} savings rows, {sales} sales: {time.perf_counter() - t1:.1f} s")
        t2 = time.perf_counter()
        revenue_m, revenue_n, cost = D("950000000"), D("310000000"), D("1080000000")
        ledger.post_entry(db.session, cooperative_id=cid, entry_date=start, description="Modal awal",
                          lines=[("kas", D("1500000000"), 0), ("simpanan_pokok", 0, D("1500000000"))])
        ledger.post_entry(db.session, cooperative_id=cid, entry_date=date(year, 6, 30),
                          description="Rekap penjualan gerai", lines=[
                              ("kas", revenue_m + revenue_n, 0), ("penjualan_sembako_anggota", 0, revenue_m),
                              ("penjualan_sembako_non_anggota", 0, revenue_n)])
        ledger.post_entry(db.session, cooperative_id=cid, entry_date=date(year, 6, 30), description="HPP",
                          lines=[("hpp_sembako", cost, 0), ("kas", 0, cost)])
        for month in range(1, 13):
            ledger.close_period(db.session, cid, year, month)
        ledger.close_year(db.session, cid, year)
        shu.do_set_rule(db.session, cooperative_id=cid, year=year, acting_user=_Board(),
                        allocations=[(k, None, p) for k, p in shu.DEFAULT_SPLIT], decision_ref="BENCH")
        rat = shu.do_save_rat(db.session, cooperative_id=cid, year=year, acting_user=_Board(),
                              members_total=members, attendance=members // 2)
        shu.do_prepare_rapb(db.session, rat=rat, acting_user=_Board())
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        n = db.session.scalar(select(func.count()).select_from(text("inv_sale")).where(
            text("cooperative_id = :c")).params(c=cid))
        print(f"books closed, rule and RAT: {time.perf_counter() - t2:.1f} s; inv_sale rows of the cooperative: {n}")
        return cid, year


class _Board:
    id = None
    username = "bench"

    class _R:
        name = "Pengurus"

    roles = [_R()]


def _time_compute(base, cid, year, runs):
    """POST the worksheet compute through the API as the Pengurus (JWT), median and max of ``runs``."""
    import requests

    s = requests.Session()
    s.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
    r = s.post(base + "/api/v1/security/login", json={"username": USER, "password": PASSWORD, "provider": "db",
                                                      "refresh": False}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    s.headers["Authorization"] = "Bearer " + r.json()["access_token"]
    times, size, count = [], 0, 0
    for i in range(runs + 1):
        t0 = time.perf_counter()
        r = s.post(f"{base}/api/v1/shu/{cid}/{year}/compute", timeout=600)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 200, r.text[:300]
        if i:
            times.append(elapsed)
        size, count = len(r.content), len(r.json()["result"]["members"])
    return statistics.median(times), max(times), size, count


def measure(app, url, cid, year, runs, port):
    proc = serve(ROOT, url, port)
    failed = []
    try:
        print(f"\n{'endpoint (gunicorn, production config)':52} {'median':>10} {'max':>9} {'bytes':>10} {'SQL':>4}  aim")
        median, worst, size, count = _time_compute(f"http://127.0.0.1:{port}", cid, year, runs)
        ok = median < 1.0
        failed += [] if ok else ["worksheet"]
        print(f"{'SHU worksheet: compute (API), %d members' % count:52} {median * 1000:8.0f}ms {worst * 1000:7.0f}ms "
              f"{size:10d} {'':>4}  < 1000 ms {'ok' if ok else 'MISSED'}")
        pages, local = HttpPages(f"http://127.0.0.1:{port}", USER), _login(app, USER)
        for label, path, aim in (("RAT workbook (rat.xlsx)", f"/shu/{cid}/{year}/rat.xlsx", 5.0),
                                 ("member SHU list page (50 of them)", f"/shu/{cid}/{year}/anggota", 0.030),
                                 ("member SHU list, a later page", None, 0.030),
                                 ("RAT package page (printable)", f"/shu/{cid}/{year}/rat", None)):
            if path is None:
                from sqlalchemy import text

                from app.core.scope import system_scope
                from app.extensions import db
                with app.app_context(), system_scope():
                    after = db.session.scalar(text(
                        "SELECT s.id FROM shu_member_share s JOIN shu_worksheet w ON w.id = s.worksheet_id "
                        "WHERE w.cooperative_id = :c ORDER BY s.id OFFSET 4000 LIMIT 1"), {"c": cid})
                    db.session.remove()
                path = f"/shu/{cid}/{year}/anggota?after={after}"
            median, worst, size = _time(pages, path, runs)
            statements = _count_sql(app, local, path)
            ok = aim is None or (median is not None and median < aim)
            failed += [] if ok else [label]
            verdict = "-" if aim is None else f"< {aim * 1000:.0f} ms {'ok' if ok else 'MISSED'}"
            print(f"{label:52} {median * 1000:8.1f}ms {worst * 1000:7.1f}ms {size:10d} {statements:4d}  {verdict}")
    finally:
        proc.terminate()
        proc.wait()
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--sales", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per endpoint (median reported)")
    parser.add_argument("--port", type=int, default=8715, help="gunicorn port")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("set DATABASE_URL=postgresql://... (the benchmark is for PostgreSQL)")
    ensure_database(url, args.fresh)

    from app import create_app

    app = create_app("test")
    cid, year = generate(app, args.members, args.sales)
    failed = measure(app, url, cid, year, args.runs, args.port)
    print("\nall aims met" if not failed else f"\naims missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
