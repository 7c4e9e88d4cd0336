"""Where a list page's time goes, as served: gunicorn in the production configuration, cProfile inside the worker.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kkmp_perf_prof \
        .venv/bin/python bench/render_profile.py [--runs 101] [--port 8714] [--top 25] [--root CHECKOUT]

The database must hold the demo data (`flask kkmp seed-demo` on a development configuration, or the test suite's
database). For each page (member list and savings transaction list, as a Sekretaris and as a Sudin) it prints the
median and p95 over ``--runs`` unprofiled requests, then profiles ``--profiled`` more requests inside the worker
(bench/gunicorn_profile.py) and prints the Python function calls per request (median: independent of the machine's
load) and the top entries by internal and by cumulative time. ``--root`` serves another checkout (a "before").
"""
import argparse
import glob
import os
import pstats
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

PAGES = [
    ("members-sekretaris", "sekretaris.kebonjeruk", "/anggota/list/"),
    ("members-sudin", "sudin.jakbar", "/anggota/list/"),
    ("savings-sekretaris", "sekretaris.kebonjeruk", "/simpanan/transaksi/list/"),
    ("savings-sudin", "sudin.jakbar", "/simpanan/transaksi/list/"),
]


def serve(root, url, port, profile_dir):
    import requests

    env = dict(os.environ, KKMP_ENV="production", DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32),
               KKMP_PROXY_COUNT="1", KKMP_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/14", KKMP_LOG_LEVEL="WARNING",
               BENCH_PROFILE_DIR=profile_dir)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    # one sync worker: every profiled request lands in the same process
    proc = subprocess.Popen([gunicorn, "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "600",
                             "-c", os.path.join(HERE, "gunicorn_profile.py"), "run:app"],
                            cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(f"/tmp/render_profile_{port}.log", "w"))
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/login/", timeout=30, headers={"X-Forwarded-Proto": "https"})
            return proc
        except (requests.ConnectionError, requests.Timeout):
            if proc.poll() is not None:
                sys.exit(f"gunicorn did not start: see /tmp/render_profile_{port}.log")
            time.sleep(0.2)
    sys.exit("gunicorn did not answer within 30 s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=101)
    ap.add_argument("--profiled", type=int, default=50)
    ap.add_argument("--port", type=int, default=8714)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--root", default=os.path.dirname(HERE))
    ap.add_argument("--only", help="one page label")
    args = ap.parse_args()
    from ledger_bench import HttpPages

    url = os.environ["DATABASE_URL"]
    profile_dir = f"/tmp/render_profile_{args.port}"
    shutil.rmtree(profile_dir, ignore_errors=True)
    proc = serve(args.root, url, args.port, profile_dir)
    base = f"http://127.0.0.1:{args.port}"
    pages = [p for p in PAGES if not args.only or p[0] == args.only]
    results = {}
    try:
        sessions = {}
        for label, user, path in pages:
            s = sessions.get(user) or sessions.setdefault(user, HttpPages(base, user))
            for _ in range(10):
                status, body = s.get(path)
                assert status == 200, (label, status, body[:300])
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                s.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            results[label] = (statistics.median(times), times[int(len(times) * 0.95) - 1], len(body))
            s.s.headers["X-Bench-Profile"] = label
            for _ in range(args.profiled):
                s.get(path)
            del s.s.headers["X-Bench-Profile"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for label, user, path in pages:
        med, p95, size = results[label]
        calls = []
        for f in glob.glob(f"{profile_dir}/{label}.*.calls"):
            calls += [int(x) for x in open(f).read().split()]
        print(f"\n== {label}: {path} as {user}: median {med:.1f} ms, p95 {p95:.1f} ms, {size / 1024:.1f} KB; "
              f"{statistics.median(calls):,.0f} Python function calls per request (median of {len(calls)})")
        files = glob.glob(f"{profile_dir}/{label}.*.prof")
        st = pstats.Stats(*files)
        st.sort_stats("tottime").print_stats(args.top)
        st.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
