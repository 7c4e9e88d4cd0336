"""Where a posting request's time goes: a pupuk redemption (or a three-line sale) through the app in process.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kkmp_pupuk_bench \
        .venv/bin/python bench/profile_post.py redemption [-n 40] [--top 30]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kkmp_inv2_bench \
        .venv/bin/python bench/profile_post.py sale [-n 40]

The database is one a benchmark left behind: ``bench/pupuk_bench.py --keep`` (its Pengurus, farmer and stocked
kiosk) or ``bench/inventory_bench.py`` (its Sekretaris and items). The requests go through Flask's test client with
a JWT, as the API's clients send them (no gunicorn: the timings in bench/README.md are the served ones). Prints the
median in ms, the SQL statements and the Python function calls per request, then cProfile's top entries by
internal and by cumulative time. Every request commits: run it on a benchmark database only.
"""
import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("KKMP_ENV", "development")
os.environ.setdefault("KKMP_LOG_LEVEL", "WARNING")

PASSWORD = "demo-kkmp-2026"  # the benchmarks' users (bench/ledger_bench.py)


def redemption_target(app, n):
    from sqlalchemy import select

    from app.core.scope import system_scope
    from app.extensions import db
    from app.inventory.models import Location
    from app.pupuk.models import Farmer, PupukAllocation

    with app.app_context(), system_scope():
        farmer = db.session.scalar(select(Farmer).join(PupukAllocation, PupukAllocation.farmer_id == Farmer.id)
                                   .where(PupukAllocation.kg >= 10000).order_by(Farmer.id.desc()).limit(1))
        kiosk = db.session.scalar(select(Location).where(Location.cooperative_id == farmer.cooperative_id))
        body = {"farmer_id": farmer.id, "location_id": kiosk.id, "pupuk_type": "urea", "kg": 1}
        return "pengurus.pupukbench", "/api/v1/pupuk_redemption/", body


def sale_target(app, n):
    """The inventory benchmark's gerai and demo items, restocked through the receiving service for the run."""
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from inventory_bench import CLERK, _ids, _restock

    _cid, _item, _loc, gerai, demo, _count = _ids(app)
    _restock(app, gerai, demo, 2 * n + 10)
    body = {"location_id": gerai, "lines": [{"item_id": i, "quantity": 1} for i in demo], "paid": "500000"}
    return CLERK, "/api/v1/sale/", body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("redemption", "sale", "quota"))
    ap.add_argument("-n", type=int, default=40)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--sql", action="store_true", help="the time of each statement, measured around the cursor")
    ap.add_argument("--dump", help="write cProfile's statistics to this file (for pstats or snakeviz)")
    ap.add_argument("--production", action="store_true",
                    help="the production configuration, as the benchmarks serve it (Redis limiter, HTTPS proxy)")
    args = ap.parse_args()
    if args.production:
        sys.path.insert(0, os.path.join(ROOT, "bench"))
        from ledger_bench import production_env

        os.environ.update(production_env(os.environ["DATABASE_URL"]))

    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    app = create_app("production" if args.production else "development")
    user, url, body = (sale_target if args.what == "sale" else redemption_target)(app, args.n)
    if args.what == "quota":  # the fixed cost of an API request: one read, no posting
        url, body = f"/api/v1/farmer/{body['farmer_id']}/quota", None
    client = app.test_client()
    # what the proxy in front of gunicorn sends (the production configuration redirects plain HTTP)
    client.environ_base.update({"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "10.0.0.8"})
    r = client.post("/api/v1/security/login", json={"username": user, "password": PASSWORD, "provider": "db"})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    headers = {"Authorization": "Bearer " + r.get_json()["access_token"]}
    run = secrets.token_hex(3)
    statements, sql_ms, started = [], {}, []

    def before(conn, cursor, statement, *a):
        statements.append(1)
        started.append(time.perf_counter())

    def after(conn, cursor, statement, *a):
        first = " ".join(statement.split())[:110]
        total, n = sql_ms.get(first, (0.0, 0))
        sql_ms[first] = (total + (time.perf_counter() - started.pop()) * 1000, n + 1)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)

    def post(i):
        if body is None:
            r = client.get(url, headers=headers)
            assert r.status_code == 200, r.get_data(as_text=True)[:300]
            return
        r = client.post(url, json=dict(body, idempotency_key=f"prof-{run}-{i}"), headers=headers)
        assert r.status_code == 201, r.get_data(as_text=True)[:300]

    for i in range(5):  # warm: statements compiled, caches filled
        post(f"w{i}")
    times, counts = [], []
    sql_ms.clear()
    for i in range(args.n):
        sent = len(statements)
        t = time.perf_counter()
        post(i)
        times.append((time.perf_counter() - t) * 1000)
        counts.append(len(statements) - sent)
    if args.sql:
        print("SQL per request (ms, statements), the statement's start:")
        for first, (total, n) in sorted(sql_ms.items(), key=lambda kv: -kv[1][0]):
            print(f"{total / args.n:7.2f} {n / args.n:5.1f}  {first}")
        print(f"{sum(t for t, _ in sql_ms.values()) / args.n:7.2f} ms of SQL per request in all")
    prof = cProfile.Profile()
    prof.enable()
    for i in range(args.n):
        post(f"p{i}")
    prof.disable()
    stats = pstats.Stats(prof)
    if args.dump:
        stats.dump_stats(args.dump)
    print(f"{'GET' if body is None else 'POST'} {url} as {user}: median {statistics.median(times):.1f} ms over {args.n}, "
          f"{statistics.median(counts)} SQL statements, "
          f"{stats.total_calls // args.n:,} Python function calls per request")
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
