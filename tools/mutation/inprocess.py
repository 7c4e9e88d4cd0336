"""Run mutants in one persistent pytest process instead of one pytest process per mutant.

Starting pytest imports Flask-AppBuilder and builds the app (several seconds, far more on a loaded machine) while a
module's own tests take one or two. So a worker process imports the app once and, per mutant:

1. cosmic-ray makes the mutated source (``mutate_code``: the same mutants as the file-based run);
2. the source is compiled and the code object of every changed function or method is swapped into the live
   function object (``function.__code__``), so every reference to it (event listeners, ``from x import f`` in
   other modules, views) runs the mutant; nothing is re-executed at module level (no second event listener);
3. ``pytest.main`` runs the module's tests in the same process (tests/conftest.py reuses the app and renews the
   database from the template each session: KKMP_TEST_REUSE_APP);
4. the original code objects go back.

Only the tests that ran the mutated lines run against it: the worker's first (unmutated) run records, per test,
which lines of the module's files it ran and which of the module's live functions it called (``CallRecorder``,
through ``sys.settrace``; line events are traced only in frames of the module's own files). A test that never runs
a line cannot tell its mutant from the original, so skipping it changes no outcome, and most mutants then run a
handful of tests instead of the module's whole list: a flush guard called by every posting test has its refusal
lines run by three. A mutated span that emitted no line event falls back to the tests that called the function. The
chosen tests run quickest first (their time in the unmutated run): most mutants are caught, and ``-x`` stops
at the first failure.
A mutant that no test reaches survives without a run. Tests that need an earlier one of the list (shared state)
could fail in a subset for that reason alone: the first time a subset kills a mutant, it runs once more
unmutated, and a subset that fails so is replaced by the whole list from then on. ``--every-test`` (run.py)
turns the selection off.

A mutant outside any function (a module constant) cannot be swapped in: it falls back to cosmic-ray's own
file-on-disk run in a subprocess. A worker that hangs past the timeout is killed (the mutant counts as killed)
and a new one is started.
"""
import contextlib
import gc
import inspect
import io
import os
import sys
import time
import types
from pathlib import Path

import pytest


def _nested_codes(code):
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield const
            yield from _nested_codes(const)


def _live_functions(module):
    """qualname -> function object for the module's own functions and methods (decorators unwrapped)."""
    found = {}

    def add(obj):
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        if isinstance(obj, property):
            for part in (obj.fget, obj.fset, obj.fdel):
                if part is not None:
                    add(part)
            return
        if callable(obj):
            try:
                obj = inspect.unwrap(obj)
            except ValueError:
                return
        if isinstance(obj, types.FunctionType) and obj.__module__ == module.__name__:
            found[obj.__code__.co_qualname] = obj

    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == module.__name__:
            for attr in list(vars(value).values()):
                add(attr)
        else:
            add(value)
    return found


def _own_changes(old, new, qualname="<module>"):
    """Qualnames of the code objects whose OWN code differs (not only through a nested function's change)."""
    def stripped(code):
        return code.replace(co_consts=tuple("<code>" if isinstance(c, types.CodeType) else c for c in code.co_consts))

    changed = [] if stripped(old) == stripped(new) else [qualname]
    olds = {c.co_qualname: c for c in old.co_consts if isinstance(c, types.CodeType)}
    for child in (c for c in new.co_consts if isinstance(c, types.CodeType)):
        before = olds.get(child.co_qualname)
        if before is None:
            changed.append(child.co_qualname)
        elif before != child:
            changed += _own_changes(before, child, child.co_qualname)
    return changed


def swap_in(module, path, mutated_source, original_source=None, import_time=()):
    """Swap the mutated code into the live functions; returns the undo list (empty: nothing could be swapped).

    Nothing is swapped (the caller runs the mutant from the file instead) when the change lies in code that ran
    only when the module was imported: module level, a class body (a method's default values are evaluated
    there, not in the method's code), or a function listed in ``import_time`` (a factory such as
    ``app.core.money._wtforms_field``, called once at import to build a class)."""
    mutated = compile(mutated_source, str(path), "exec")
    if original_source is not None:
        live = _live_functions(module)
        for qualname in _own_changes(compile(original_source, str(path), "exec"), mutated):
            # Code nested in a live function (a closure, a local class) is made anew by each call of it.
            while qualname not in live and ".<locals>." in qualname:
                qualname = qualname.rsplit(".<locals>.", 1)[0]
            if qualname not in live or qualname.split(".")[-1] in import_time:
                return []
    new_codes = {c.co_qualname: c for c in _nested_codes(mutated)}
    undo = []
    try:
        for qualname, function in _live_functions(module).items():
            new = new_codes.get(qualname)
            if new is not None and new != function.__code__:
                old = function.__code__
                function.__code__ = new  # ValueError if the closure changed shape: caller falls back
                undo.append((function, old))
    except ValueError:
        restore(undo)
        return []
    return undo


def restore(undo):
    for function, old in reversed(undo):
        function.__code__ = old


def run_pytest(args, plugins=()):
    import pytest

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = pytest.main(list(args), plugins=list(plugins))
    return int(code), out.getvalue()


class CallRecorder:
    """A pytest plugin for the unmutated run: which tests (node ids, in run order) called which of the given
    functions (by qualname), and which tests ran which lines of the module's files. A call made while a fixture is
    set up counts for the test being set up; the tracer also follows threads started by a test.

    Lines matter because one function is often called by most of the list (a flush guard, a posting path) while
    the mutated line (a refusal, a rare branch) runs in a few tests: those few are the only ones that can tell the
    mutant apart. ``sys.settrace`` asks its global function only on calls, and line events are traced only in the
    frames of the module's own files, so the rest of the app runs untraced."""

    def __init__(self, functions, files=()):
        self.by_code = {function.__code__: qualname for qualname, function in functions.items()}
        self.files = set(files)  # as the code objects name them (module.__file__)
        self.callers = {}  # qualname -> [nodeid, ...]
        self.lines = {}  # (filename, line) -> [nodeid, ...]
        self.order = []
        self.seconds = {}  # nodeid -> how long it took in the unmutated run (setup, call, teardown)
        self.current = None
        self._started = None

    def _local(self, frame, event, arg):
        if event == "line" and self.current is not None:
            runners = self.lines.setdefault((frame.f_code.co_filename, frame.f_lineno), [])
            if not runners or runners[-1] != self.current:
                runners.append(self.current)
        return self._local

    def _trace(self, frame, event, arg):
        if event != "call" or self.current is None:
            return None
        qualname = self.by_code.get(frame.f_code)
        if qualname is not None:
            callers = self.callers.setdefault(qualname, [])
            if not callers or callers[-1] != self.current:
                callers.append(self.current)
        if frame.f_code.co_filename in self.files:
            # The call counts as a run of the function's first line (its def), which no line event reports: a
            # mutant of the signature (`*` to `/`) then runs the function's callers.
            return self._local(frame, "line", arg)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        import threading

        self.current = item.nodeid
        self.order.append(item.nodeid)
        self._started = time.perf_counter()
        sys.settrace(self._trace)
        threading.settrace(self._trace)

    def pytest_runtest_logfinish(self, nodeid, location):
        import threading

        sys.settrace(None)
        threading.settrace(None)
        if self.current is not None and self._started is not None:
            self.seconds[self.current] = time.perf_counter() - self._started
        self.current = None

    def tests_for(self, qualnames):
        """The node ids that called any of ``qualnames``, the quickest first."""
        wanted = set()
        for qualname in qualnames:
            wanted.update(self.callers.get(qualname, ()))
        return self._fastest_first(wanted)

    def _fastest_first(self, wanted):
        # Most mutants are caught, and -x stops at the first failing test: the quickest tests first make a catch
        # cheap (a survivor runs them all whatever the order). Ties keep the list's order.
        ranked = sorted((round(self.seconds.get(n, 0), 2), i, n) for i, n in enumerate(self.order) if n in wanted)
        return [n for _seconds, _i, n in ranked]

    def tests_running(self, filename, first, last):
        """The node ids that ran any line from ``first`` to ``last`` of ``filename``, the quickest first."""
        wanted = set()
        for line in range(first, last + 1):
            wanted.update(self.lines.get((filename, line), ()))
        return self._fastest_first(wanted)


# -- the worker process ---------------------------------------------------------------------------------------

def worker(src, env, module_paths, pytest_args, command, timeout, jobs, results, import_time=(), n_tests=0):
    """Loop: take (job_id, mutations) from ``jobs``, put (job_id, WorkResult) on ``results``.

    ``module_paths``: the module's files (one, or several for a package split by verb); each mutant names its file.
    ``pytest_args``: options first, then the module's ``n_tests`` test paths; ``n_tests=0`` runs every test of the
    list against every mutant (no selection)."""
    os.chdir(src)
    os.environ.update(env)
    sys.path.insert(0, str(src))
    from cosmic_ray.mutating import _make_diff, mutate_and_test, mutate_code
    from cosmic_ray.plugins import get_operator
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    from tools.mutation.operators import register

    register()
    live = {}
    for module_path in module_paths:
        module_name = module_path[:-3].replace("/", ".")
        __import__(module_name)
        module = sys.modules[module_name]
        assert Path(module.__file__).resolve() == (Path(src) / module_path).resolve(), module.__file__
        live[module_path] = (module, Path(module_path).read_text(encoding="utf-8"))
    recorder = None
    if n_tests:
        functions = {}
        for module_path, (module, _source) in live.items():
            functions.update({(module_path, q): f for q, f in _live_functions(module).items()})
        recorder = CallRecorder(functions, [module.__file__ for module, _source in live.values()])
        functions_of = {id(f): key for key, f in functions.items()}
    code, output = run_pytest(pytest_args, [recorder] if recorder else ())
    # The app, its models and the test modules live as long as the worker: out of the collector's way (Python's
    # automatic full collections would otherwise walk them again and again).
    gc.collect()
    gc.freeze()
    results.put(("baseline", code, output[-3000:]))
    options = list(pytest_args[:len(pytest_args) - n_tests])
    subsets_ok = {}  # tuple of node ids -> passes unmutated (None: not yet known)
    while True:
        job = jobs.get()
        if job is None:
            return
        job_id, mutations = job
        mutation = mutations[0]
        module_path = str(mutation.module_path)
        module, original = live[module_path]
        operator = get_operator(mutation.operator_name)(**(mutation.operator_args or {}))
        mutated = mutate_code(original, operator, mutation.occurrence)
        if mutated is None:
            results.put((job_id, WorkResult(worker_outcome=WorkerOutcome.NO_TEST)))
            continue
        try:
            undo = swap_in(module, module_path, mutated, original, import_time)
        except SyntaxError:
            # A mutant that is not Python (e.g. an operator applied to a keyword-only marker) cannot run at all.
            results.put((job_id, WorkResult(worker_outcome=WorkerOutcome.NORMAL, test_outcome=TestOutcome.INCOMPETENT,
                                            output="not valid Python",
                                            diff="\n".join(_make_diff(original, mutated, module_path)))))
            continue
        if not undo:
            results.put((job_id, mutate_and_test(mutations=mutations, test_command=command, timeout=timeout)))
            continue
        args = pytest_args
        if recorder is not None:
            # The tests that ran the mutated lines; if none did (a line that emits no event of its own), those that
            # called the mutated function: never fewer tests than could tell.
            chosen = tuple(recorder.tests_running(module.__file__, mutation.start_pos[0],
                                                  mutation.end_pos[0])
                           or recorder.tests_for([functions_of[id(f)] for f, _old in undo if id(f) in functions_of]))
            if not chosen:
                restore(undo)
                results.put((job_id, WorkResult(worker_outcome=WorkerOutcome.NORMAL,
                                                test_outcome=TestOutcome.SURVIVED,
                                                output="no test of the module calls the mutated code",
                                                diff="\n".join(_make_diff(original, mutated, module_path)))))
                continue
            if subsets_ok.get(chosen, True):
                args = [*options, *chosen]
        try:
            code, output = run_pytest(args)
        finally:
            restore(undo)
        if code != 0 and args is not pytest_args and chosen not in subsets_ok:
            # First kill by this subset: is it the mutant, or a test that needs one left out?
            subsets_ok[chosen] = run_pytest(args)[0] == 0
            if not subsets_ok[chosen]:
                undo = swap_in(module, module_path, mutated, original, import_time)
                try:
                    code, output = run_pytest(pytest_args)
                finally:
                    restore(undo)
        outcome = TestOutcome.SURVIVED if code == 0 else TestOutcome.KILLED
        diff = "\n".join(_make_diff(original, mutated, module_path))
        results.put((job_id, WorkResult(worker_outcome=WorkerOutcome.NORMAL, test_outcome=outcome,
                                        output=output[-2000:], diff=diff)))


class Worker:
    """One worker process with its own copy of the tree and database; restarted after a timeout, before it takes
    the next mutant (``ready``)."""

    def __init__(self, ctx, src, env, module, command, timeout, select=True):
        self.ctx, self.src, self.env, self.module, self.command, self.timeout = ctx, src, env, module, command, timeout
        self.select = select
        self.start()

    def ready(self):
        """Restart the process if it is gone (killed at a timeout, or crashed). Done here, not in ``run``: the
        timed-out mutant has its result recorded first, and a restart whose unmutated tests fail (SystemExit) stops
        this worker with no mutant in hand, so the other workers still run every mutant (a restart in ``run`` lost
        the mutant that timed out)."""
        if not self.process.is_alive():
            self.start()

    def start(self):
        from tools.mutation.run import ROOT, module_paths

        paths = module_paths(self.module)
        # A mutant that cannot be swapped in memory is written to the tree copy by cosmic-ray, which puts the file
        # back in a `finally`; a worker killed at its timeout never gets there, and the restarted worker would import
        # the mutant as its "unmutated" code (seen: ledger-balances, whose baseline then failed). Put the module's
        # files back from this checkout before every start.
        for path in paths:
            pristine, copy = (ROOT / path).read_bytes(), Path(self.src) / path
            if copy.read_bytes() != pristine:
                copy.write_bytes(pristine)
        # no:unraisableexception: that plugin runs gc.collect() at the end of every session, which over the heap of
        # a process holding the app took 0.2 s each, twice per pytest.main: 90 % of a one-test mutant run (0.47 s
        # against 0.045 s without it, pupuk-quota). It only turns an exception raised in a __del__ into a warning,
        # and warnings do not fail a test here (pytest.ini), so no mutant's outcome depends on it.
        args = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:unraisableexception",
                *self.module.get("pytest-args", ()), *self.module["tests"]]
        self.jobs, self.results = self.ctx.Queue(), self.ctx.Queue()
        self.process = self.ctx.Process(target=worker, args=(self.src, self.env, paths, args, self.command,
                                                             self.timeout, self.jobs, self.results,
                                                             tuple(self.module.get("import-time", ())),
                                                             len(self.module["tests"]) if self.select else 0),
                                   daemon=True)
        self.process.start()
        tag, code, output = self.results.get(timeout=max(600, 10 * self.timeout))
        if code != 0:
            raise SystemExit(f"{self.module['name']}: the tests fail unmutated in the worker:\n{output}")

    def run(self, job_id, mutations):
        import queue

        from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

        self.jobs.put((job_id, mutations))
        try:
            return self.results.get(timeout=self.timeout)[1]
        except queue.Empty:
            self.process.kill()
            self.process.join()
            return WorkResult(worker_outcome=WorkerOutcome.NORMAL, test_outcome=TestOutcome.KILLED, output="timeout")

    def stop(self):
        self.jobs.put(None)
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()
