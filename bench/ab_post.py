"""A posting request served by two checkouts, taking turns: before and after a change, on one database and one
machine at one moment, so the machine's load falls on both columns alike.

    git worktree add /tmp/before <commit>      # and copy translations/*/LC_MESSAGES/*.mo into it
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kkmp_pupuk_bench \
        .venv/bin/python bench/ab_post.py redemption --before /tmp/before [-n 60]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kkmp_inv2_bench \
        .venv/bin/python bench/ab_post.py sale --before /tmp/before

The databases are the ones ``bench/pupuk_bench.py --keep`` and ``bench/inventory_bench.py`` leave behind; the
request bodies are ``profile_post.py``'s (its targets, imported). Each checkout is served by gunicorn in the
production configuration (``ledger_bench.serve``: 2 sync workers, Redis limiter, HTTPS behind the proxy), each
request is a JWT client's, as the benchmarks send them. Prints median, p95 and max per checkout, and the ratio.
Every request commits: run it on a benchmark database only.
"""
import argparse
import os
import secrets
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)
os.environ.setdefault("KKMP_ENV", "development")
os.environ.setdefault("KKMP_LOG_LEVEL", "WARNING")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("redemption", "sale"))
    ap.add_argument("--before", required=True, help="the checkout of the 'before' column")
    ap.add_argument("-n", type=int, default=60, help="requests per checkout (after 5 warm-ups each)")
    ap.add_argument("--port", type=int, default=8751)
    args = ap.parse_args()

    from ledger_bench import _api_session, production_env, serve
    from members_bench import pct
    from profile_post import redemption_target, sale_target

    from app import create_app

    url = os.environ["DATABASE_URL"]
    os.environ.update(production_env(url))  # the same SECRET_KEY as the servers: the NIK HMACs agree
    app = create_app("production")
    user, path, body = (sale_target if args.what == "sale" else redemption_target)(app, 2 * (args.n + 5))
    roots = {"before": os.path.abspath(args.before), "after": ROOT}
    procs, sessions = [], {}
    try:
        for i, (label, root) in enumerate(roots.items()):
            base = f"http://127.0.0.1:{args.port + i}"
            procs.append(serve(root, url, args.port + i))
            sessions[label] = (base, _api_session(base, user))
        run = secrets.token_hex(3)
        times = {label: [] for label in roots}
        for i in range(args.n + 5):
            order = list(sessions.items()) if i % 2 == 0 else list(reversed(sessions.items()))
            for label, (base, s) in order:
                t0 = time.perf_counter()
                r = s.post(base + path, json=dict(body, idempotency_key=f"ab-{run}-{label}-{i}"), timeout=60)
                elapsed = (time.perf_counter() - t0) * 1000
                assert r.status_code == 201, (label, r.status_code, r.text[:300])
                if i >= 5:
                    times[label].append(elapsed)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    print(f"uptime: {os.popen('uptime').read().strip()}")
    print(f"POST {path} as {user}, {args.n} requests per checkout, taking turns")
    print(f"{'checkout':<10}{'median':>10}{'p95':>10}{'max':>10}")
    for label, values in times.items():
        print(f"{label:<10}{statistics.median(values):>9.1f}ms{pct(values, 0.95):>8.1f}ms{max(values):>8.1f}ms"
              f"   ({roots[label]})")
    ratio = statistics.median(times["after"]) / statistics.median(times["before"])
    print(f"after / before (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
