"""Fertiliser benchmark (issue 16, Speed; on demand, not in CI).

A fresh PostgreSQL database (default kkmp_pupuk_bench) is built with the app's own commands (`flask db upgrade`,
`flask kkmp init`), then filled with set-based SQL: --coops cooperatives (the first Kemendagri kelurahan of Jawa
Timur, each with an operating pupuk unit and a kiosk holding every subsidised type), --farmers farmers with valid-
looking NIKs and their HMACs, --allocations current allocation rows with their national quota rows, and
--redemptions redemptions spread over them (rows only: the journals are not generated). Then, in process (the
app's own session as Admin inside a request context):

* the quota lookup of one farmer (``services.quota_rows``), median of --runs;
* a redemption through HTTP (``POST /api/v1/pupuk_redemption/`` with a JWT, the Flask test client), median;
* the city's realisation report (``reports.realisation`` per kecamatan over the whole city), median;
* an e-RDKK import of --import-rows rows (``do_import_rdkk``), once, rolled back.

    /path/to/venv/bin/python bench/pupuk_bench.py [--farmers 50000] [--allocations 300000]
        [--redemptions 500000] [--coops 56] [--import-rows 10000] [--runs 15] [--keep]

Report ``uptime`` beside the figures: the machine is shared.
"""
import argparse
import io
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
BIN = os.path.dirname(sys.executable)


def sh(env, *args):
    subprocess.run([os.path.join(BIN, "flask"), *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def psql(sql, db="postgres"):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-q", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def fill(engine, args, key):
    """Set-based generation; NIK = 3573 + 2-digit kecamatan + DDMMYY + serial, HMAC computed in Python batches."""
    import hashlib
    import hmac

    from sqlalchemy import text

    with engine.begin() as c:
        kel = c.execute(text("SELECT code FROM region WHERE kind = 'kelurahan' AND code LIKE '35.%' ORDER BY code "
                             "LIMIT :n"), {"n": args.coops}).scalars().all()
    from app.cooperatives.services import create_cooperative
    from app.core.scope import system_scope
    from app.extensions import db

    with system_scope():
        coops = []
        for code in kel:
            coops.append(create_cooperative(code, session=db.session))
        db.session.flush()
        for coop in coops:
            db.session.execute(text("INSERT INTO business_unit (cooperative_id, kind, status, version) VALUES "
                                    "(:c, 'pupuk', 'beroperasi', 1)"), {"c": coop.id})
            db.session.execute(text("INSERT INTO inv_location (cooperative_id, name, kind, active, version) VALUES "
                                    "(:c, 'Kios pupuk', 'gerai', true, 1)"), {"c": coop.id})
        db.session.commit()
        coop_ids = [c.id for c in coops]
    rows = []
    for i in range(args.farmers):
        day, month, year = 1 + i % 28, 1 + (i // 28) % 12, 60 + (i // 336) % 40
        nik = f"357301{day:02d}{month:02d}{year:02d}{i % 10000:04d}"
        digest = hmac.new(key, nik.encode(), hashlib.sha256).hexdigest()
        rows.append((i, coop_ids[i % len(coop_ids)], nik, digest))
    with engine.begin() as c:
        c.execute(text("CREATE TEMP TABLE f (i int, coop int, nik text, h text)"))
        buf = io.StringIO("".join(f"{i}\t{coop}\t{nik}\t{h}\n" for i, coop, nik, h in rows))
        raw = c.connection.driver_connection
        with raw.cursor() as cur:
            with cur.copy("COPY f FROM STDIN") as cp:
                cp.write(buf.getvalue())
        c.execute(text("INSERT INTO pupuk_farmer (cooperative_id, name, nik, nik_hmac, region_code, active, version) "
                       "SELECT f.coop, 'Petani ' || f.i, f.nik, f.h, co.region_code, true, 1 FROM f "
                       "JOIN cooperative co ON co.id = f.coop"))
        # allocations: farmer x type (5) x season (3) x years until the count is reached, current versions
        c.execute(text("""
            INSERT INTO pupuk_allocation (cooperative_id, farmer_id, pupuk_type_id, year, season, kg, version_no,
                                          is_current, version)
            SELECT fa.cooperative_id, fa.id, t.id, y, s, 100, 1, true, 1
            FROM pupuk_farmer fa CROSS JOIN pupuk_type t CROSS JOIN generate_series(1, 3) s
                 CROSS JOIN generate_series(EXTRACT(YEAR FROM now())::int - 1, EXTRACT(YEAR FROM now())::int) y
            ORDER BY y DESC, fa.id, t.id, s LIMIT :n"""), {"n": args.allocations})
        c.execute(text("""
            INSERT INTO pupuk_quota (nik_hmac, pupuk_type_id, year, season, farmer_id, home_cooperative_id,
                                     allocated_kg, redeemed_kg)
            SELECT fa.nik_hmac, a.pupuk_type_id, a.year, a.season, fa.id, fa.cooperative_id, a.kg, 0
            FROM pupuk_allocation a JOIN pupuk_farmer fa ON fa.id = a.farmer_id"""))
        c.execute(text("""
            INSERT INTO pupuk_redemption (cooperative_id, number, year, seq, redemption_date, location_id, farmer_id,
                farmer_name, nik_hmac, pupuk_type_id, quota_year, season, kg, price_per_kg, amount, delivery_fee,
                total, cost, remaining_kg, is_member, idempotency_key, version)
            SELECT q.home_cooperative_id, 'TP-B-' || g, q.year, g, make_date(q.year, q.season * 4 - 3, 1),
                   l.id, q.farmer_id, 'Petani', q.nik_hmac, q.pupuk_type_id, q.year, q.season, 1, 1800, 1800, 0,
                   1800, 1500, 99, false, 'b-' || g, 1
            FROM (SELECT q.*, row_number() OVER () AS g FROM pupuk_quota q LIMIT :n) q
            JOIN inv_location l ON l.cooperative_id = q.home_cooperative_id"""), {"n": args.redemptions})
        c.execute(text("UPDATE pupuk_quota q SET redeemed_kg = r.kg FROM (SELECT nik_hmac, pupuk_type_id, "
                       "quota_year, season, sum(kg) kg FROM pupuk_redemption GROUP BY 1, 2, 3, 4) r WHERE "
                       "r.nik_hmac = q.nik_hmac AND r.pupuk_type_id = q.pupuk_type_id AND r.quota_year = q.year "
                       "AND r.season = q.season"))
        c.execute(text("ANALYZE"))
    return coop_ids


def median_ms(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--farmers", type=int, default=50000)
    p.add_argument("--allocations", type=int, default=300000)
    p.add_argument("--redemptions", type=int, default=500000)
    p.add_argument("--coops", type=int, default=56)
    p.add_argument("--import-rows", type=int, default=10000)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--db", default="kkmp_pupuk_bench")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    url = f"postgresql://postgres@127.0.0.1:5432/{args.db}"
    psql(f"DROP DATABASE IF EXISTS {args.db}")
    psql(f"CREATE DATABASE {args.db}")
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="run.py", SECRET_KEY="bench-pupuk", KKMP_LOG_LEVEL="WARNING")
    os.environ.update(env)
    t0 = time.time()
    sh(env, "db", "upgrade")
    sh(env, "kkmp", "init")
    sh(env, "kkmp", "load-regions")
    from app import create_app
    from app.extensions import db

    app = create_app()
    with app.app_context():
        key = (app.config.get("KKMP_NIK_HMAC_KEY") or app.config["SECRET_KEY"])
        key = key.encode() if isinstance(key, str) else key
        fill(db.engine, args, key)
        print(f"generated in {time.time() - t0:.0f} s")
        run(app, args)
    if not args.keep:
        psql(f"DROP DATABASE {args.db}")


def run(app, args):
    from datetime import date
    from decimal import Decimal as D

    from openpyxl import Workbook
    from sqlalchemy import select, text

    from app.core.dates import local_today
    from app.core.scope import system_scope
    from app.extensions import db
    from app.members.services import SYSTEM_ACTOR
    from app.pupuk import services
    from app.pupuk.models import Farmer, PupukItem, PupukType
    from app.pupuk.reports import realisation
    from app.pupuk.services.allocations import COLUMNS

    session = db.session
    with system_scope():
        farmer = session.scalar(select(Farmer).order_by(Farmer.id.desc()).limit(1))
        coop = farmer.cooperative
        today = local_today(coop)
        year, season = services.season_of(today)
        print(f"uptime: {os.popen('uptime').read().strip()}")
        ms = median_ms(lambda: services.quota_rows(session, farmer.nik_hmac, year, season), args.runs)
        print(f"quota lookup: {ms:.1f} ms median (target < 10 ms)")
        city = coop.region_code[:5]
        ms = median_ms(lambda: realisation(session, "kecamatan", year, None, None), max(3, args.runs // 3))
        print(f"realisation per kecamatan, all {city}: {ms:.0f} ms median (target < 300 ms)")
        # a stocked kiosk and an allocation for the HTTP redemptions
        from app.inventory import services as inv
        from app.inventory.models import Item, Location

        kiosk = session.scalar(select(Location).where(Location.cooperative_id == coop.id))
        urea = session.scalar(select(PupukType).where(PupukType.code == "urea"))
        item = Item(cooperative_id=coop.id, name="Urea bersubsidi", unit="kg", category="pupuk_non_subsidi")
        session.add(item)
        session.flush()
        session.add(PupukItem(cooperative_id=coop.id, pupuk_type_id=urea.id, item_id=item.id))
        inv.do_receive_goods(session, location=kiosk, lines=[{"item_id": item.id, "quantity": 100000,
                                                             "unit_cost": 1500}], receipt_date=today,
                             payment="tunai", idempotency_key="bench-stock", acting_user=SYSTEM_ACTOR)
        services.do_set_allocation(session, farmer=farmer, pupuk_type="urea", year=year, season=season,
                                   kg=D(100000), acting_user=SYSTEM_ACTOR)
        session.execute(text("UPDATE account SET is_active = true"))
        session.commit()
        kiosk_id, farmer_id = kiosk.id, farmer.id
    client = app.test_client()
    sm = app.appbuilder.sm
    with app.app_context():
        if not sm.find_user(username="bench.admin"):
            sm.add_user("bench.admin", "Bench", "Admin", "bench@x.local", [sm.find_role("Admin")],
                        password="bench-pupuk-2026")
    r = client.post("/api/v1/security/login", json={"username": "bench.admin", "password": "bench-pupuk-2026",
                                                    "provider": "db", "refresh": False})
    headers = {"Authorization": "Bearer " + r.json["access_token"]}
    n = [0]

    def redeem():
        n[0] += 1
        resp = client.post("/api/v1/pupuk_redemption/", headers=headers, json={
            "farmer_id": farmer_id, "location_id": kiosk_id, "pupuk_type": "urea", "kg": 1,
            "idempotency_key": f"bench-{n[0]}"})
        assert resp.status_code == 201, resp.get_data(as_text=True)

    ms = median_ms(redeem, args.runs)
    print(f"redemption through HTTP: {ms:.1f} ms median (target < 30 ms)")
    wb = Workbook()
    ws = wb.active
    ws.title = "e-RDKK"
    ws.append([h for _k, h in COLUMNS])
    for i in range(args.import_rows):
        day, month = 1 + i % 28, 1 + (i // 28) % 12
        ws.append([f"357302{day:02d}{month:02d}85{i % 10000:04d}", f"Petani impor {i}", "Poktan bench", "", "padi",
                   "0,5", str(year), str(season), "100", "50", "", "", ""])
    out = io.BytesIO()
    wb.save(out)
    with app.test_request_context(), system_scope():
        coop = db.session.get(type(farmer.cooperative), coop.id)
        done = []
        t = time.perf_counter()
        result = services.do_import_rdkk(db.session, coop=coop, filename="bench.xlsx", data=out.getvalue(),
                                         acting_user=SYSTEM_ACTOR, progress=lambda a, b: done.append(a))
        elapsed = time.perf_counter() - t
        db.session.rollback()
    print(f"e-RDKK import of {args.import_rows} rows: {elapsed:.1f} s (target < 10 s), ok={result.ok}, "
          f"{len(done)} progress calls, errors={result.errors[:2]}")
    print(f"uptime: {os.popen('uptime').read().strip()}")
    return date


if __name__ == "__main__":
    main()
