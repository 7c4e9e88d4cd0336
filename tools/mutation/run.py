"""Mutation testing of the core modules with cosmic-ray (tests/README.md, "Mutation testing").

    .venv/bin/python tools/mutation/run.py                 # every module of modules.toml, one after the other
    .venv/bin/python tools/mutation/run.py nik scope       # some of them
    .venv/bin/python tools/mutation/run.py --report        # only rewrite the report from the last runs
    .venv/bin/python tools/mutation/run.py --survivors scope   # after adding tests: rerun last run's survivors
    .venv/bin/python tools/mutation/run.py --resume savings    # continue an interrupted run

Per module: copy the working tree to instance/mutation/<name>/src<i> (one per worker; the checkout you work in
is never touched), run the module's tests once unmutated (which also saves the test database as a template, see
tests/conftest.py: KKMP_TEST_DB_TEMPLATE, so each later session starts from a copy instead of rebuilding 91k
regions and the demo), let cosmic-ray make every mutant, run the tests against each in a persistent pytest worker
(tools/mutation/inprocess.py; --subprocess: one pytest process per mutant), then write
instance/mutation/<name>/results.json and instance/mutation/REPORT.md.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "instance" / "mutation"
sys.path.insert(0, str(ROOT))


def load_modules():
    with open(HERE / "modules.toml", "rb") as f:
        config = tomllib.load(f)
    # [[module]] blocks, or one-line inline tables in `also = [...]`: both name the same fields.
    return config, {m["name"]: m for m in config.get("module", []) + config.get("also", [])}


def load_equivalents():
    with open(HERE / "equivalent.toml", "rb") as f:
        return tomllib.load(f).get("equivalent", [])


# -- a private copy of the tree -----------------------------------------------------------------------------

def copy_tree(dest):
    """Tracked and new (not ignored) files, the compiled translations and a link to the venv."""
    if dest.exists():
        shutil.rmtree(dest)
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    files += [str(p.relative_to(ROOT)) for p in (ROOT / "translations").rglob("*.mo")]
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file() and not src.is_symlink():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    (dest / ".venv").symlink_to((ROOT / ".venv").resolve())


def module_paths(module):
    """The files of a module: ``path`` is one file, or a list of them (a package split by verb)."""
    path = module["path"]
    return [path] if isinstance(path, str) else list(path)


def test_command(module):
    tests = " ".join(module["tests"])
    extra = " ".join(module.get("pytest-args", ()))
    return f"{sys.executable} -m pytest -x -q -p no:cacheprovider --no-header {extra} {tests}"


# -- one module -----------------------------------------------------------------------------------------------

def mutation_key(mutation, diff):
    """What identifies a mutant across edits elsewhere in the file: module, function, operator, and the changed
    line before and after (whitespace-trimmed). Line numbers and occurrence indexes move; these rarely do."""
    before = [l[1:].strip() for l in diff.splitlines() if l.startswith("-") and not l.startswith("---")]
    after = [l[1:].strip() for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    return {"function": mutation.definition_name or "<module>", "operator": mutation.operator_name,
            "before": " / ".join(before), "after": " / ".join(after)}


def _worker_init(src, db_path, template):
    from tools.mutation.operators import register

    register()
    os.chdir(src)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["KKMP_TEST_DB_TEMPLATE"] = str(template)


def _worker_run(job_id, mutations, command, timeout):
    from cosmic_ray.mutating import mutate_and_test

    return job_id, mutate_and_test(mutations=mutations, test_command=command, timeout=timeout)


def run_module(config, module, max_mutants=None, jobs=1, subprocess_mode=False, survivors_only=False,
               resume=False, select=True):
    from cosmic_ray.commands import init
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    from tools.mutation.operators import register

    register()
    work = OUT / module["name"]
    if survivors_only or resume:
        # Keep the session of the last run; only its survivors run again, against the tests as they are now.
        if not (work / "session.sqlite").exists():
            raise SystemExit(f"{module['name']}: no earlier run to take the survivors from")
        for old in work.iterdir():
            if old.name != "session.sqlite":
                shutil.rmtree(old) if old.is_dir() else old.unlink()
    elif work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    # One copy of the tree and one test database per worker: cosmic-ray writes each mutant into the file itself.
    srcs = [work / f"src{i}" for i in range(jobs)]
    print(f"== {module['name']}: copying the tree to {work}/src0..{jobs - 1}", flush=True)
    for src in srcs:
        copy_tree(src)
    template = work / "template.sqlite"
    os.environ.pop("PYTEST_ADDOPTS", None)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{work / 'baseline.sqlite'}", KKMP_TEST_DB_TEMPLATE=str(template))
    command = test_command(module)

    started = time.monotonic()
    baseline = subprocess.run(command, shell=True, cwd=srcs[0], env=env, capture_output=True, text=True)
    if baseline.returncode != 0:
        print(baseline.stdout[-3000:], baseline.stderr[-3000:])
        raise SystemExit(f"{module['name']}: the tests fail on the unmutated code; fix that first.")
    # The first run built the template and took longer than a mutant's run will.
    timeout = max(60.0, 2 * (time.monotonic() - started))
    print(f"   baseline passes ({time.monotonic() - started:.0f}s); timeout per mutant {timeout:.0f}s", flush=True)

    exclude = [re.compile(p) for p in config.get("exclude-operators", [])]
    functions = set(module.get("functions") or ())
    cwd = os.getcwd()
    os.chdir(srcs[0])
    try:
        with use_db(str(work / "session.sqlite"),
                    WorkDB.Mode.open if survivors_only or resume else WorkDB.Mode.create) as db:
            if survivors_only or resume:
                items = [item for item, result in db.completed_work_items
                         if survivors_only and getattr(result.test_outcome, "value", None) == "survived"]
                items += list(db.pending_work_items) if resume else []
            else:
                init([Path(p) for p in module_paths(module)], db, {})
                items = list(db.pending_work_items)
            todo = []
            for item in items:
                m = item.mutations[0]
                reason = None
                if any(p.match(m.operator_name) for p in exclude):
                    reason = "operator excluded in modules.toml"
                elif functions and m.definition_name not in functions:
                    reason = "outside the listed functions"
                elif max_mutants is not None and len(todo) >= max_mutants:
                    reason = "over --max-mutants"
                if reason:
                    db.set_result(item.job_id, WorkResult(output=reason, worker_outcome=WorkerOutcome.SKIPPED))
                else:
                    todo.append(item)
            print(f"   {len(todo)} mutants to run with {jobs} worker(s)", flush=True)
            run_all(db, module, todo, srcs, work, template, command, timeout, subprocess_mode, started, select)
            results = collect(db, module)
    finally:
        os.chdir(cwd)
    results["seconds"] = round(time.monotonic() - started)
    (work / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    for src in srcs:
        shutil.rmtree(src)
    return results


def run_all(db, module, todo, srcs, work, template, command, timeout, subprocess_mode, started, select=True):
    """Each worker (own tree copy, own database) takes the next mutant; results go to cosmic-ray's session db."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from tools.mutation.inprocess import Worker

    pending = list(reversed(todo))
    lock = threading.Lock()
    done = [0]

    def record(job_id, result):
        with lock:
            db.set_result(job_id, result)
            done[0] += 1
            if done[0] % 20 == 0 or done[0] == len(todo):
                print(f"   {done[0]}/{len(todo)} ({time.monotonic() - started:.0f}s)", flush=True)

    def next_item():
        with lock:
            return pending.pop() if pending else None

    def loop(i, src):
        env = {"DATABASE_URL": f"sqlite:///{work / f'test{i}.sqlite'}", "KKMP_TEST_DB_TEMPLATE": str(template),
               "KKMP_TEST_REUSE_APP": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        if subprocess_mode:
            pool = ProcessPoolExecutor(1, initializer=_worker_init, initargs=(src, work / f"test{i}.sqlite",
                                                                              template))
            run = lambda item: pool.submit(_worker_run, item.job_id, item.mutations, command, timeout).result()[1]
            ready, stop = (lambda: None), pool.shutdown
        else:
            worker = Worker(multiprocessing.get_context("fork"), src, env, module, command, timeout, select)
            run, ready, stop = (lambda item: worker.run(item.job_id, item.mutations)), worker.ready, worker.stop
        try:
            while True:
                item = None
                ready()
                if (item := next_item()) is None:
                    break
                record(item.job_id, run(item))
        except BaseException as e:
            # A restarted worker whose unmutated tests fail raises SystemExit, which would end this thread
            # silently: say so, with the failing tests (pytest's last lines), and what is left.
            with lock:
                left = len(pending) + (item is not None)
            lines = [l for l in str(e).splitlines() if l.strip()] or [type(e).__name__]
            (work / f"worker{i}-stopped.txt").write_text(str(e) or type(e).__name__, encoding="utf-8")
            print(f"   worker {i} stopped: {lines[0][:200]}\n      " + "\n      ".join(l[:200] for l in lines[-3:])
                  + f"\n   {left} mutants left to the other workers or without a result (`--resume` runs them); "
                  f"pytest's output: {work / f'worker{i}-stopped.txt'}",
                  flush=True)
            raise
        finally:
            stop()

    threads = [threading.Thread(target=loop, args=(i, src)) for i, src in enumerate(srcs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _diff_of(module, mutation):
    """The diff of a mutant whose run left none (a worker killed by the timeout)."""
    from cosmic_ray.mutating import _make_diff, mutate_code
    from cosmic_ray.plugins import get_operator

    path = str(mutation.module_path)
    original = (ROOT / path).read_text(encoding="utf-8")
    mutated = mutate_code(original, get_operator(mutation.operator_name)(**(mutation.operator_args or {})),
                          mutation.occurrence)
    return "\n".join(_make_diff(original, mutated, path)) if mutated else ""


def collect(db, module):
    mutants = []
    for item, result in db.completed_work_items:
        if result.worker_outcome == "skipped":
            continue
        m = item.mutations[0]
        diff = result.diff or _diff_of(module, m)
        outcome = "timeout" if (result.output or "") == "timeout" else getattr(result.test_outcome, "value",
                                                                                    "incompetent")
        if result.worker_outcome == "no-test":
            continue
        mutants.append({"path": str(m.module_path), "line": m.start_pos[0], "col": m.start_pos[1], "outcome": outcome,
                        "diff": "\n".join(l for l in diff.splitlines() if not l.startswith("--- mutation diff")),
                        **mutation_key(m, diff)})
    mutants.sort(key=lambda x: (x["path"], x["line"], x["col"], x["operator"]))
    return {"name": module["name"], "path": module["path"], "functions": module.get("functions"),
            "tests": module["tests"], "mutants": mutants}


# -- the report -----------------------------------------------------------------------------------------------

def previous_line(diff):
    """The unchanged line just above the change: tells two identical lines of one function apart."""
    last = ""
    for line in diff.splitlines():
        if line.startswith(("---", "+++", "@@")):
            continue
        if line.startswith(("-", "+")):
            return last
        last = line[1:].strip()
    return last


def classify(results, equivalents):
    listed = [e for e in equivalents if e["module"] == results["name"]]
    used = set()
    for m in results["mutants"]:
        m["equivalent"] = None
        m["previous"] = previous_line(m["diff"])
        for i, e in enumerate(listed):
            if "previous" in e and e["previous"] != m["previous"]:
                continue
            if (e["function"], e["operator"], e["before"], e["after"]) == (m["function"], m["operator"],
                                                                           m["before"], m["after"]):
                m["equivalent"] = e["reason"]
                used.add(i)
    stale = [e for i, e in enumerate(listed) if i not in used]
    return stale


def score_line(results, stale):
    muts = results["mutants"]
    killed = sum(m["outcome"] in ("killed", "timeout", "incompetent") for m in muts)
    equivalent = [m for m in muts if m["outcome"] == "survived" and m["equivalent"]]
    wrongly_listed = [m for m in muts if m["outcome"] != "survived" and m["equivalent"]]
    survived = [m for m in muts if m["outcome"] == "survived" and not m["equivalent"]]
    counted = len(muts) - len(equivalent)
    score = 100.0 * killed / counted if counted else 100.0
    return {"mutants": len(muts), "killed": killed, "survived": len(survived), "equivalent": len(equivalent),
            "score": score, "survivors": survived, "wrongly_listed": wrongly_listed, "stale": stale}


def _toml_str(text):
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def toml_entry(name, m, reason="..."):
    return (f"[[equivalent]]\nmodule = {_toml_str(name)}\nfunction = {_toml_str(m['function'])}\n"
            f"operator = {_toml_str(m['operator'])}\nbefore = {_toml_str(m['before'])}\n"
            f"after = {_toml_str(m['after'])}\nprevious = {_toml_str(m.get('previous', ''))}\n"
            f"reason = {_toml_str(reason)}\n")


def _duration(seconds):
    return f"{seconds} s" if isinstance(seconds, int) else str(seconds)


def partial_results(module):
    """What a run still going (or stopped) has recorded so far, from cosmic-ray's session database."""
    from cosmic_ray.work_db import WorkDB, use_db

    with use_db(str(OUT / module["name"] / "session.sqlite"), WorkDB.Mode.open) as db:
        results = collect(db, module)
        results["pending"] = db.num_work_items - db.num_results
    return results


def write_report(modules):
    _, configs = load_modules()
    equivalents = load_equivalents()
    rows, details = [], []
    for name in modules:
        path = OUT / name / "results.json"
        session = OUT / name / "session.sqlite"
        if path.exists():
            results = json.loads(path.read_text())
        elif session.exists():
            results = partial_results(configs[name])
            results["seconds"] = f"unfinished: {results['pending']} not run yet"
        else:
            continue
        stale = classify(results, equivalents)
        s = score_line(results, stale)
        shown = results["path"] if isinstance(results["path"], str) else ", ".join(results["path"])
        rows.append(f"| {name} | `{shown}` | {s['mutants']} | {s['killed']} | {s['survived']} | "
                    f"{s['equivalent']} | {s['score']:.1f} % | {_duration(results.get('seconds'))} |")
        if s["survivors"] or s["wrongly_listed"] or s["stale"]:
            details.append(f"\n## {name}: {len(s['survivors'])} surviving\n")
            for m in s["survivors"]:
                details.append(f"- `{m.get('path', results['path'])}:{m['line']}` in `{m['function']}` ({m['operator']})\n\n"
                               f"```diff\n{m['diff'].strip()}\n```\n\n"
                               f"  If it cannot change behaviour, list it in equivalent.toml:\n\n"
                               f"```toml\n{toml_entry(name, m)}```\n")
            for m in s["wrongly_listed"]:
                details.append(f"- listed as equivalent but {m['outcome']}: `{m['function']}` {m['operator']} "
                               f"`{m['before']}` -> `{m['after']}`: remove it from equivalent.toml\n")
            for e in s["stale"]:
                details.append(f"- equivalent.toml entry matches no mutant any more: `{e['function']}` "
                               f"{e['operator']} `{e['before']}`\n")
    report = ["# Mutation testing report", "",
              "Score = caught / (mutants - equivalent). Equivalent mutants: tools/mutation/equivalent.toml.", "",
              "| module | file | mutants | killed | survived | equivalent | score | time |",
              "|---|---|---|---|---|---|---|---|", *rows, *details]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "REPORT.md").write_text("\n".join(report) + "\n")
    print("\n".join(report[4:4 + 2 + len(rows)]))
    print(f"\nreport: {OUT / 'REPORT.md'}")


def main(argv=None):
    config, modules = load_modules()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(modules)} (default: all)")
    parser.add_argument("--report", action="store_true", help="only rewrite REPORT.md from the last results")
    parser.add_argument("--jobs", type=int, default=1, help="workers in parallel (each its own copy and database)")
    parser.add_argument("--subprocess", action="store_true",
                        help="one pytest process per mutant (cosmic-ray's own way; slower, for comparison)")
    parser.add_argument("--survivors", action="store_true",
                        help="run again only the mutants that survived last time (after adding tests)")
    parser.add_argument("--resume", action="store_true", help="run the mutants an interrupted run did not reach")
    parser.add_argument("--max-mutants", type=int, help="run only the first N mutants (to try a new module)")
    parser.add_argument("--every-test", action="store_true",
                        help="run the module's whole test list against every mutant, not only the tests that run "
                             "the mutated lines (tools/mutation/inprocess.py)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.modules if n not in modules]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; modules.toml lists {list(modules)}")
    chosen = args.modules or list(modules)
    if not args.report:
        for name in chosen:
            run_module(config, modules[name], args.max_mutants, args.jobs, args.subprocess, args.survivors,
                       args.resume, not args.every_test)
    write_report(list(modules))


if __name__ == "__main__":
    main()
