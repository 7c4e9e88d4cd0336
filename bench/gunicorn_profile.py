"""gunicorn configuration that profiles chosen requests inside the worker (bench/render_profile.py uses it).

A request carrying ``X-Bench-Profile: <label>`` runs under cProfile from gunicorn's pre_request to its
post_request hook, so the whole WSGI call and the writing of the body are measured, exactly as served. Per label the
worker keeps the summed statistics and, per request, the number of Python function calls (a measure that does not
depend on the machine's load). At worker exit they are written to ``$BENCH_PROFILE_DIR/<label>.<pid>.prof`` and
``<label>.<pid>.calls``. Requests without the header are served unprofiled.
"""
import cProfile
import os
import pstats

_DIR = os.environ.get("BENCH_PROFILE_DIR", "/tmp/bench_profile")
_stats = {}
_calls = {}
_current = {}


def _label(req):
    for name, value in req.headers:
        if name.upper() == "X-BENCH-PROFILE":
            return "".join(c if c.isalnum() or c in "-_" else "_" for c in value)
    return None


def pre_request(worker, req):
    label = _label(req)
    if label:
        prof = cProfile.Profile()
        _current[id(req)] = (label, prof)
        prof.enable()


def post_request(worker, req, environ, resp):
    item = _current.pop(id(req), None)
    if item is None:
        return
    label, prof = item
    prof.disable()
    st = pstats.Stats(prof)
    _calls.setdefault(label, []).append(st.total_calls)
    if label in _stats:
        _stats[label].add(prof)
    else:
        _stats[label] = st


def worker_exit(server, worker):
    os.makedirs(_DIR, exist_ok=True)
    for label, st in _stats.items():
        st.dump_stats(os.path.join(_DIR, f"{label}.{os.getpid()}.prof"))
    for label, calls in _calls.items():
        with open(os.path.join(_DIR, f"{label}.{os.getpid()}.calls"), "w") as f:
            f.write("\n".join(str(c) for c in calls) + "\n")
