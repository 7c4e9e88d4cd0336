"""Issue 11.11: a newcomer's first minutes. `make run` prints what a person reads (the demo logins and the
address), not thousands of INFO lines, and `PORT` chooses the port.

Runs the real `make run` against a fresh SQLite file on a free port (about a minute: migrations, 91,599
regions and the demo data), then stops the server it started."""
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_prints_the_logins_and_the_address_and_serves_on_port(tmp_path):
    port = _free_port()
    env = dict(os.environ, PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite'}")
    for name in ("KKMP_LOG_LEVEL", "KKMP_ENV"):  # as a newcomer runs it: development, default logging
        env.pop(name, None)
    env.pop("MAKEFLAGS", None)
    proc = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    lines = []
    try:
        deadline = time.monotonic() + 300
        address = f"http://127.0.0.1:{port}/"
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if address in line:
                break
        text = "\n".join(lines)
        assert address in text, f"no address in the output:\n{text[-3000:]}"
        assert "sudin.jakbar" in text and "demo-kkmp-2026" in text
        assert " INFO " not in text and len(lines) <= 20, f"{len(lines)} lines:\n{text[:3000]}"
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen(address + "login/", timeout=5).status
            except OSError:
                time.sleep(1)
        assert status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
