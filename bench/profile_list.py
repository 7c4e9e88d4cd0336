"""Where a list page's time goes: the member register (or any URL) through the test client, N times, as one user.

    DATABASE_URL=sqlite:////tmp/x.sqlite python bench/profile_list.py [--user U] [--url /anggota/list/] [-n 200]

Prints the median and p95 of the page in ms and the top functions by cumulative time (cProfile) over all runs.
The database is the one DATABASE_URL names (the test suite's demo database will do: the page's Python cost does
not depend on the register's size, its SQL does — bench/members_bench.py measures that).
"""
import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("KKMP_ENV", "test")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--user", default="sekretaris.kebonjeruk")
    ap.add_argument("--url", default="/anggota/list/")
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()

    from app import create_app
    from tests.conftest import Session

    app = create_app("test")
    s = Session(app, args.user)
    for _ in range(10):  # warm: templates compiled, caches filled
        assert s.get(args.url).status_code == 200
    times = []
    for _ in range(args.n):
        t = time.perf_counter()
        s.get(args.url)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"{args.url} as {args.user}: median {statistics.median(times):.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms over {args.n}")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.n):
        s.get(args.url)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
