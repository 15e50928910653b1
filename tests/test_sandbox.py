"""The sandbox, exercised with real worker processes (no mocks): what is contained, what is not."""
from __future__ import annotations

import os
import socket
import subprocess
import textwrap
import time

import pytest

from kopt.sandbox.isolation import BoundedCapture, Limits, Worker, isolation_mode
from kopt.sandbox.protocol import ProtocolError

NS = isolation_mode() != "none"
needs_ns = pytest.mark.skipif(not NS, reason="this machine does not allow namespaces (fallback mode)")


def run_code(code: str, timeout: float = 20, **limits) -> Worker:
    """Start a worker running `code`; wait for it to end (or the timeout), return it (not yet killed)."""
    w = Worker(["-c", textwrap.dedent(code)], Limits(timeout_s=timeout, **limits), label="test")
    try:
        w.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    return w


def _procs_with(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def test_kill_takes_down_detached_descendants():
    marker = f"{time.time_ns() % 10**9}.25"
    w = run_code(f"""
        import os, subprocess, time
        subprocess.Popen(["sleep", "{marker}"], start_new_session=True)   # new session
        if os.fork() == 0:                                                 # classic daemon
            os.setsid()
            if os.fork() == 0:
                os.execvp("sleep", ["sleep", "{marker}"])
            os._exit(0)
        time.sleep(1000)
    """, timeout=3)
    deadline = time.time() + 5
    while len(_procs_with(marker)) < 2 and time.time() < deadline:
        time.sleep(0.1)
    assert len(_procs_with(marker)) >= 2, "the test's daemons did not start"
    w.kill()
    time.sleep(0.3)
    assert _procs_with(marker) == [], "a process started by the worker outlived it"


def test_environment_is_scrubbed(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-xyz")
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok-secret-xyz")
    monkeypatch.setenv("HARMLESS_SETTING", "visible-or-not")
    w = run_code("import os; print(sorted(os.environ.items()))")
    out = w.output()
    w.kill()
    assert "secret-xyz" not in out
    assert "KOPT_SANDBOX" in out


@needs_ns
def test_no_network():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    try:
        w = run_code(f"""
            import socket
            s = socket.socket(); s.settimeout(2)
            try:
                s.connect(("127.0.0.1", {port})); print("CONNECTED")
            except OSError as e:
                print("BLOCKED", e)
        """)
        out = w.output()
        w.kill()
    finally:
        srv.close()
    assert "BLOCKED" in out and "CONNECTED" not in out


@needs_ns
def test_filesystem_is_read_only_outside_the_workdir(tmp_path):
    os.chmod(tmp_path, 0o777)
    target = tmp_path / "pwned"
    w = run_code(f"""
        import os
        open("inside.txt", "w").write("ok"); print("INSIDE-OK", os.getcwd())
        try:
            open({str(target)!r}, "w").write("x"); print("OUTSIDE-WROTE")
        except OSError as e:
            print("OUTSIDE-BLOCKED", e.errno)
    """)
    out = w.output()
    w.kill()
    assert "INSIDE-OK" in out and "OUTSIDE-BLOCKED" in out
    assert not target.exists()


@needs_ns
def test_secret_dirs_of_the_user_are_hidden(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("PRIVATE-KEY-MATERIAL")
    os.chmod(tmp_path, 0o755)
    monkeypatch.setenv("HOME", str(home))
    w = run_code(f"""
        import os
        p = {str(home / '.ssh')!r}
        print("LISTING", os.listdir(p) if os.path.isdir(p) else None)
    """)
    out = w.output()
    w.kill()
    assert "LISTING []" in out, out


def test_output_flood_is_bounded():
    w = run_code("""
        import sys
        chunk = "x" * 65536
        for _ in range(800): sys.stdout.write(chunk)   # ~50 MB
        sys.stdout.flush(); print("END")
    """, capture_bytes=4096)
    w.proc.wait(timeout=30)
    time.sleep(0.2)
    text = w.stdout.text()
    total = w.stdout.total
    w.kill()
    assert total >= 800 * 65536
    assert len(text) < 3 * 4096 and "END" in text and "not kept" in text


def test_bounded_capture_keeps_head_and_tail():
    c = BoundedCapture(10)
    for i in range(100):
        c.feed(f"{i:03d}".encode())
    t = c.text()
    assert t.startswith("0000010020") and t.rstrip().endswith("098099") and c.total == 300


def test_memory_limit():
    w = run_code("""
        try:
            b = bytearray(20 * 1024**3); print("ALLOCATED")
        except MemoryError:
            print("MEMORY-ERROR")
    """, memory_bytes=2 << 30)
    out = w.output()
    w.kill()
    assert "MEMORY-ERROR" in out


@pytest.mark.skipif(isolation_mode() == "none" and os.geteuid() == 0,
                    reason="root without namespaces: RLIMIT_NPROC does not bind root")
def test_process_count_is_limited():
    w = run_code("""
        import os, time
        n = 0
        for _ in range(600):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(5); os._exit(0)
            n += 1
        print("FORKED", n)
    """, processes=64, timeout=30)
    out = w.output()
    w.kill()
    forked = int(out.split("FORKED")[1].split()[0])
    assert forked < 100, out


def test_crashes_are_described():
    w = run_code("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    desc = w.exit_description()
    w.kill()
    assert "SIGSEGV" in desc
    w = run_code("import os; os._exit(7)")
    assert "7" in w.exit_description()
    w.kill()


def test_recv_deadline_and_dead_worker():
    w = Worker(["-c", "import time; time.sleep(30)"], Limits(timeout_s=5), label="test")
    t = time.monotonic()
    with pytest.raises(ProtocolError) as e:
        w.request({"op": "hello"}, deadline=time.monotonic() + 0.5)
    assert e.value.kind == "timeout" and time.monotonic() - t < 2
    w.kill()
    w = Worker(["-c", "pass"], Limits(timeout_s=5), label="test")
    with pytest.raises(ProtocolError) as e:
        w.request({"op": "hello"}, deadline=time.monotonic() + 10)
    assert e.value.kind == "eof"
    w.kill()


def test_workdir_is_removed_after_kill():
    w = run_code("open('f', 'w').write('x')")
    d = w.workdir
    w.kill()
    assert not os.path.exists(d)


def test_limits_are_set_by_the_child_before_its_command_runs():
    import sys
    from kopt.sandbox import rlimits
    code = "import resource; print(resource.getrlimit(resource.RLIMIT_FSIZE), resource.getrlimit(resource.RLIMIT_CORE))"
    r = subprocess.run(rlimits.wrap([sys.executable, "-c", code], {"RLIMIT_FSIZE": (12345, 12345),
                                                                    "RLIMIT_CORE": (0, 0)}),
                       capture_output=True, text=True, timeout=30)
    assert r.stdout.strip() == "(12345, 12345) (0, 0)", r.stderr


def test_a_wrapped_child_dies_with_the_process_that_started_it():
    import sys
    code = textwrap.dedent("""
        import subprocess, sys, time
        from kopt.sandbox import rlimits
        p = subprocess.Popen(rlimits.wrap([sys.executable, "-c", "import time; time.sleep(60)"],
                                          {"RLIMIT_CORE": (0, 0)}, die_with_parent=True))
        print(p.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    time.sleep(0.3)
    assert os.path.exists(f"/proc/{child}")
    parent.kill()
    parent.wait()

    def alive() -> bool:
        try:
            with open(f"/proc/{child}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    deadline = time.monotonic() + 10
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(), "the child outlived the process that started it"
