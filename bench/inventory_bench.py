"""Inventory benchmark (on demand, not in CI; issue 15 "Speed"): the 56 cooperatives of Jakarta Barat (31.73), one
of them (KKMP Kebon Jeruk) with 2,000 items and 1,000,000 stock movements over a year, one item of which has
100,000 movements; then the counter screen, a three-line sale posted through the API, the stock card of the big
item (first page and its xlsx), and the stock position of the cooperative, timed over HTTP through gunicorn (2
sync workers) in the production configuration, against PostgreSQL. SQL statements per request are counted
in-process (Flask test client). The harness (login, gunicorn, timing, SQL count) is bench/ledger_bench.py's.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kkmp_bench_inv \
        /path/to/venv/bin/python bench/inventory_bench.py [--fresh] [--items 2000] [--movements 1000000]
        [--card 100000] [--runs 5] [--port 8712]

The movements are inserted with set-based SQL: each item alternates a receipt of 10 and an issue of 5 at one
constant cost per item, so the running quantity, the moving average and the value after each movement are exact,
and the kept balance of each item is set to its last movement. They carry no journals (the books of the big
cooperative do not reconcile with its persediaan afterwards: use a database of its own).
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))
os.environ.setdefault("KKMP_ENV", "test")

from ledger_bench import (CITY, PASSWORD, HttpPages, _count_sql, _login, _time, ensure_database,  # noqa: E402
                          serve)

BIG = "31.73.05.1001"
YEAR = 2025
CLERK = "sekretaris.kebonjeruk"


def generate(app, items, movements, card):
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from app.cooperatives.models import Cooperative
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
        if not db.session.scalar(select(func.count(Cooperative.id))):
            load_regions(app.config["REGIONS_CSV"])
            seed_demo()
            db.session.commit()
        have = set(db.session.scalars(select(Cooperative.region_code).where(Cooperative.region_code.like(CITY + ".%"))))
        # Kelurahan only (PP.KK.CC.1DDD): a desa code cannot hold a KKMP.
        kelurahan = [c for c in db.session.scalars(select(Region.code).where(Region.code.like(CITY + ".%")))
                     if c.count(".") == 3 and c.rsplit(".", 1)[1].startswith("1")]
        for code in sorted(set(kelurahan) - have):
            create_cooperative(code, session=db.session)
        db.session.commit()
        n_coops = db.session.scalar(select(func.count(Cooperative.id)).where(Cooperative.region_code.like(CITY + ".%")))
        print(f"schema, demo and {n_coops} cooperatives in {CITY}: {time.perf_counter() - t0:.1f} s")
        cid = db.session.scalar(select(Cooperative.id).where(Cooperative.region_code == BIG))
        if db.session.scalar(text("SELECT count(*) FROM inv_item WHERE cooperative_id = :c AND name LIKE 'Bench %'")
                             .bindparams(c=cid)):
            print("bench items already there")
            return
        t1 = time.perf_counter()
        gudang = db.session.scalar(text("SELECT id FROM inv_location WHERE cooperative_id = :c AND kind = 'gudang'")
                                   .bindparams(c=cid))
        db.session.execute(text("""
            INSERT INTO inv_item (cooperative_id, name, unit, barcode, category, tracks_batch, min_stock, active,
                                  version)
            SELECT :c, 'Bench ' || lpad(g::text, 5, '0'), 'pcs', '899' || lpad(g::text, 10, '0'), 'sembako',
                   false, 20, true, 1
              FROM generate_series(1, :n) AS g"""), dict(c=cid, n=items))
        # Item 1 gets ``card`` movements, the others share the rest; movement k of an item (1-based) is a receipt
        # of 10 when k is odd and an issue of 5 when k is even, at the item's constant cost.
        rest = max((movements - card) // max(items - 1, 1), 2)
        db.session.execute(text("""
            WITH it AS (
                SELECT id, row_number() OVER (ORDER BY id) AS r,
                       (1000 + (id * 37) % 9000)::numeric AS cost FROM inv_item
                 WHERE cooperative_id = :c AND name LIKE 'Bench %%'),
            m AS (
                SELECT it.id AS item_id, it.cost, k,
                       CAST(:start AS date) + ((k - 1) * 364 / (CASE WHEN it.r = 1 THEN :card ELSE :rest END))
                           AS day
                  FROM it, LATERAL generate_series(1, CASE WHEN it.r = 1 THEN :card ELSE :rest END) AS k)
            INSERT INTO inv_stock_movement (cooperative_id, item_id, location_id, movement_date, kind, reference,
                quantity_in, quantity_out, unit_cost, value, avg_cost_after, quantity_after, value_after,
                created_at, version)
            SELECT :c, item_id, :loc, day, CASE WHEN k % 2 = 1 THEN 'terima' ELSE 'jual' END, 'BENCH-' || k,
                   CASE WHEN k % 2 = 1 THEN 10 ELSE 0 END, CASE WHEN k % 2 = 0 THEN 5 ELSE 0 END, cost,
                   cost * CASE WHEN k % 2 = 1 THEN 10 ELSE 5 END, cost,
                   10 * ((k + 1) / 2) - 5 * (k / 2), cost * (10 * ((k + 1) / 2) - 5 * (k / 2)),
                   now() AT TIME ZONE 'utc', 1
              FROM m ORDER BY item_id, k""".replace("%%", "%")),
            dict(c=cid, loc=gudang, card=card, rest=rest, start=f"{YEAR}-01-01"))
        db.session.execute(text("""
            INSERT INTO inv_stock_balance (cooperative_id, item_id, location_id, quantity, value, avg_cost, version)
            SELECT DISTINCT ON (item_id) cooperative_id, item_id, location_id, quantity_after, value_after,
                   avg_cost_after, 1
              FROM inv_stock_movement WHERE cooperative_id = :c AND reference LIKE 'BENCH-%%'
             ORDER BY item_id, id DESC""".replace("%%", "%")), dict(c=cid))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        total = db.session.scalar(text("SELECT count(*) FROM inv_stock_movement"))
        print(f"{items} items and their movements in {time.perf_counter() - t1:.1f} s; "
              f"inv_stock_movement rows: {total}")


def _ids(app):
    from sqlalchemy import text

    from app.core.scope import system_scope
    from app.extensions import db

    with app.app_context(), system_scope():
        cid = db.session.scalar(text("SELECT id FROM cooperative WHERE region_code = :r").bindparams(r=BIG))
        item, loc = db.session.execute(text(
            "SELECT item_id, location_id FROM inv_stock_movement WHERE cooperative_id = :c "
            "GROUP BY item_id, location_id ORDER BY count(*) DESC LIMIT 1").bindparams(c=cid)).one()
        gerai = db.session.scalar(text("SELECT id FROM inv_location WHERE cooperative_id = :c AND kind = 'gerai'")
                                  .bindparams(c=cid))
        demo = db.session.scalars(text("SELECT id FROM inv_item WHERE cooperative_id = :c AND name NOT LIKE "
                                       "'Bench %' ORDER BY id LIMIT 3").bindparams(c=cid)).all()
        count = db.session.scalar(text("SELECT count(*) FROM inv_stock_movement WHERE item_id = :i")
                                  .bindparams(i=item))
        db.session.remove()
    return cid, item, loc, gerai, demo, count


def _time_sales(base, gerai, items, runs):
    """POST /api/v1/sale/ (three lines, one piece each, cash) as the Sekretaris over HTTP."""
    import requests

    s = requests.Session()
    s.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
    r = s.post(base + "/api/v1/security/login", json={"username": CLERK, "password": PASSWORD, "provider": "db",
                                                      "refresh": False}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    s.headers["Authorization"] = "Bearer " + r.json()["access_token"]
    times, stamp = [], time.time_ns()
    for i in range(runs + 1):
        body = {"location_id": gerai, "lines": [{"item_id": it, "quantity": 1} for it in items],
                "paid": "500000", "idempotency_key": f"bench-{stamp}-{i}"}
        t0 = time.perf_counter()
        r = s.post(base + "/api/v1/sale/", json=body, timeout=60)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 201, r.text[:300]
        if i:
            times.append(elapsed)
    return statistics.median(times), max(times)


def _workers(master):
    """gunicorn's worker processes (Linux: the children of its master)."""
    return [int(p) for p in open(f"/proc/{master}/task/{master}/children").read().split()]


def _status_kb(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _xlsx_rate(pages, url, master):
    """Time one export and the memory it takes: each worker's peak resident size (VmHWM) is reset to its current
    size first (Linux clear_refs 5), so the peak read afterwards is the export's, and its growth over the idle
    worker is what the export itself held."""
    before = {}
    for pid in _workers(master):
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        before[pid] = _status_kb(pid, "VmRSS")
    t0 = time.perf_counter()
    status, body = pages.get(url)
    elapsed = time.perf_counter() - t0
    assert status == 200 and body[:2] == b"PK", (status, body[:200])
    peak, pid = max((_status_kb(pid, "VmHWM"), pid) for pid in before)
    return elapsed, len(body), peak / 1024, (peak - before[pid]) / 1024


def _restock(app, gerai, items, quantity):
    """Goods in at the gerai through the receiving service (kredit from the demo supplier) for the timed sales."""
    from sqlalchemy import select

    from app.core.scope import system_scope
    from app.extensions import db
    from app.inventory import services
    from app.inventory.models import Supplier
    from app.members.services import SYSTEM_ACTOR

    with app.app_context(), system_scope():
        location, coop = services.location_of(db.session, gerai)
        supplier = db.session.scalar(select(Supplier).where(Supplier.cooperative_id == coop.id))
        from app.core.dates import local_today

        services.do_receive_goods(db.session, location=location, supplier=supplier, payment="kredit",
                                  lines=[{"item_id": i, "quantity": quantity, "unit_cost": "10000"} for i in items],
                                  receipt_date=local_today(coop), idempotency_key=f"bench-restock-{time.time_ns()}",
                                  acting_user=SYSTEM_ACTOR)
        db.session.commit()
        db.session.remove()


def measure(app, url, runs, port):
    cid, item, loc, gerai, demo, count = _ids(app)
    _restock(app, gerai, demo, runs * 4 + 2)
    checks = [
        ("counter screen", "/persediaan/penjualan/kasir", 0.03),
        (f"stock card, first page ({count} movements)", f"/persediaan/kartu-stok/list/?barang={item}&lokasi={loc}",
         0.03),
        ("stock position of the cooperative", f"/persediaan/stok/list/?koperasi={cid}", 0.1),
        ("items below minimum (report)", "/persediaan/laporan/stok-minimum", 0.1),
        ("sales recap per gerai (30 days)", "/persediaan/laporan/rekap-penjualan", 0.1),
    ]
    proc = serve(ROOT, url, port)
    failed = []
    try:
        pages = HttpPages(f"http://127.0.0.1:{port}", CLERK)
        local = _login(app, CLERK)
        print(f"\n{'endpoint (gunicorn, production config)':52} {'median':>10} {'max':>9} {'bytes':>9} {'SQL':>4}  aim")
        for label, u, aim in checks:
            median, worst, size = _time(pages, u, runs)
            if median is None:
                print(f"{label:52} HTTP {size}")
                failed.append(label)
                continue
            sql = _count_sql(app, local, u)
            ok = median < aim
            failed += [] if ok else [label]
            print(f"{label:52} {median * 1000:8.1f}ms {worst * 1000:7.1f}ms {size:9d} {sql:4d}  "
                  f"< {aim * 1000:.0f} ms {'ok' if ok else 'MISSED'}")
        median, worst = _time_sales(f"http://127.0.0.1:{port}", gerai, demo, runs * 4)
        ok = median < 0.03
        failed += [] if ok else ["three-line sale"]
        print(f"{'three-line sale posted (API)':52} {median * 1000:8.1f}ms {worst * 1000:7.1f}ms {'':9} {'':4}  "
              f"< 30 ms {'ok' if ok else 'MISSED'}")
        elapsed, size, peak, growth = _xlsx_rate(pages, f"/persediaan/kartu-stok/export/xlsx?barang={item}&lokasi={loc}",
                                                 proc.pid)
        ok = count / elapsed >= 10_000 and peak < 200
        failed += [] if ok else ["stock card xlsx"]
        print(f"{'stock card xlsx':52} {elapsed * 1000:8.1f}ms {'':9} {size:9d}       "
              f"{count / elapsed:,.0f} rows/s (aim >= 10,000); worker peak {peak:.0f} MB, {growth:+.0f} MB over idle "
              f"(aim < 200 MB) {'ok' if ok else 'MISSED'}")
    finally:
        proc.terminate()
        proc.wait()
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--card", type=int, default=100_000, help="movements of the one big item")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8712)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("set DATABASE_URL=postgresql://... (the benchmark is for PostgreSQL)")
    ensure_database(url, args.fresh)

    from app import create_app

    app = create_app("test")
    generate(app, args.items, args.movements, args.card)
    failed = measure(app, url, args.runs, args.port)
    print("\nall aims met" if not failed else f"\naims missed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
