"""Warm start: every run forked from a process that has already imported and warmed up.

A fresh run process spends about a second and a half importing papermill, and its fresh
kernel seconds more importing pandas, pyfixest (whose estimation modules load on the first
call, about three seconds), matplotlib, WeasyPrint and the toolkit, before the notebook's own
work starts. The batch therefore starts one *warm starter* (``python -m evaluation.batch.warm``)
that does all of that once; then, per run, it forks a run process, which forks its kernel
from itself before papermill starts (:func:`forked_kernel`). Each run still has a process
and a kernel of its own, in the state a fresh interpreter reaches after the same imports
(tested: ``results.json`` byte-identical to a cold run), in a fraction of a second.

While the warm starter warms up, a forked helper fills the study's table/panel cache once,
so the runs read it instead of each filling it.

Rules that keep a fork faithful (checked: the executed notebooks show the same outputs):
- fork only from a single-threaded process: after warming up, the starter refuses when any
  thread other than its main one runs (the allocator's background thread that pyarrow
  starts is allowed: jemalloc re-creates it after a fork), and the batch starts runs cold;
- matplotlib must be set to the inline backend a kernel uses before it is first imported
  (``MPLBACKEND`` in the starter's environment), and that backend's module must be imported
  inside the kernel (it hooks into the kernel's shell on import): the warm-up renders figures
  without pyplot, and the starter refuses when either rule is broken;
- the root logger is left as a fresh interpreter has it (an import configures it);
- only when the notebook's kernelspec runs this same interpreter with ipykernel; any other
  kernel is started the usual way.

Protocol: the batch connects to the starter's Unix socket and sends a JSON line
``{"spec": path}`` with two file descriptors (the run's stdout channel and its log); the
starter forks, replies ``{"pid": N}`` and, when the run exits, ``{"exit": code}``.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

from .child import child_main, die_with_parent, log_tail

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Threads a fork may leave behind: the main thread and jemalloc's background thread.
_FORK_SAFE_THREADS = frozenset({"jemalloc_bg_thd"})
#: What the warm starter imports before it forks anything.
WARM_IMPORTS = (
    "papermill", "papermill.engines", "nbclient", "nbformat", "jupyter_client",
    "jupyter_client.connect", "jupyter_client.provisioning", "ipykernel.kernelapp",
    "numpy", "pandas", "pyarrow", "scipy", "scipy.stats", "statsmodels.api",
    "statsmodels.formula.api", "pyfixest", "pyfixest.estimation", "wildboottest", "matplotlib",
    "matplotlib.pyplot", "seaborn", "weasyprint", "openpyxl", "jinja2", "babel",
    "evaluation", "evaluation.params", "evaluation.study", "evaluation.panel",
    "evaluation.estimate", "evaluation.estimate.fixed_effects", "evaluation.estimate.chain",
    "evaluation.estimate.diagnostics", "evaluation.estimate.staggered", "evaluation.brief",
    "evaluation.brief.report", "evaluation.brief.plot", "evaluation.brief.render",
)
_READY_TIMEOUT = 300.0


# ---- the batch's side -----------------------------------------------------------------------


class ForkedRun:
    """A run forked by the warm starter, watched like a :class:`subprocess.Popen`."""

    def __init__(self, pid: int, stdout: Any, conn: socket.socket):
        self.pid = pid
        self.stdout = stdout
        self.returncode: int | None = None
        self._conn = conn
        self._buffer = b""

    def _read(self, timeout: float | None) -> None:
        ready, _, _ = select.select([self._conn], [], [], timeout)
        if not ready:
            return
        data = self._conn.recv(4096)
        if not data:  # the warm starter died: the run died with it
            self.returncode = -signal.SIGKILL
            return
        self._buffer += data
        if b"\n" in self._buffer:
            line = self._buffer.split(b"\n", 1)[0]
            self.returncode = int(json.loads(line)["exit"])
            self._conn.close()

    def poll(self) -> int | None:
        if self.returncode is None:
            self._read(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(f"run {self.pid}", timeout or 0)
            self._read(left if left is not None else 1.0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)


class WarmStarter:
    """The warm starter process of one batch; :meth:`spawn` forks a run from it."""

    def __init__(self, proc: subprocess.Popen[bytes], folder: Path):
        self._proc = proc
        self._folder = folder
        self._socket = str(folder / "s")

    @classmethod
    def start(cls, env: dict[str, str], cwd: str, *, fill: str | None = None,
              timeout: float = _READY_TIMEOUT) -> tuple[WarmStarter | None, str]:
        """Start the warm starter; ``(None, reason)`` when runs must start cold.

        ``fill``: a study folder whose table/panel cache a helper fills meanwhile.
        """
        folder = Path(tempfile.mkdtemp(prefix="evaluation-warm-"))
        # what ipykernel sets in a fresh kernel, set before the starter's first import (the
        # batch package imports pyplot, which reads it once)
        env = {**env, "MPLBACKEND": INLINE_BACKEND}
        cmd = [sys.executable, "-m", "evaluation.batch.warm", str(folder / "s"), str(os.getpid())]
        if fill:
            cmd.append(fill)
        with open(folder / "warm.log", "wb") as log:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=log, cwd=cwd, env=env, start_new_session=True)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        line = proc.stdout.readline() if ready else b""
        try:
            reply = json.loads(line)
        except ValueError:
            reply = {"ready": False, "reason": "no answer: " + log_tail(folder / "warm.log")}
        if reply.get("ready"):
            return cls(proc, folder), "warm"
        cls(proc, folder).close()
        return None, str(reply.get("reason", "not ready"))

    def spawn(self, spec_file: Path, log_path: Path) -> ForkedRun:
        """Fork a run of ``spec_file``; its stdout is the returned object's ``stdout``."""
        read_end, write_end = os.pipe()
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(self._socket)
            message = json.dumps({"spec": str(spec_file)}).encode() + b"\n"
            socket.send_fds(conn, [message], [write_end, log_fd])
        except OSError:
            conn.close()
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
            os.close(log_fd)
        reply = b""
        while not reply.endswith(b"\n"):
            data = conn.recv(4096)
            if not data:
                os.close(read_end)
                raise OSError("the warm starter ended before it started the run")
            reply += data
        return ForkedRun(int(json.loads(reply)["pid"]), os.fdopen(read_end, "rb"), conn)

    def close(self) -> None:
        """Stop the warm starter (its runs have finished) and remove its socket."""
        with contextlib.suppress(OSError):
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        with contextlib.suppress(OSError):
            if self._proc.stdout is not None:
                self._proc.stdout.close()
        shutil.rmtree(self._folder, ignore_errors=True)


# ---- the warm starter process -----------------------------------------------------------------


def warm_up() -> str | None:
    """Import and warm up what runs need; the reason a fork would be unsafe, or ``None``."""
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    # a fresh kernel starts with logging unconfigured; one import configures the root logger
    # (pyfixest.estimation calls logging.basicConfig), which would show other libraries' INFO
    # lines in notebooks that never import it
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in WARM_IMPORTS:
                with contextlib.suppress(ImportError):
                    importlib.import_module(name)
            _first_calls()
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return fork_problem()


def _first_calls() -> None:
    """Call, once, what is slow the first time in a process and safe to fork after: figures
    drawn with fonts (PNG and SVG), a page laid out with the brief's stylesheet, its fonts
    and an inline chart. Not an estimation: pyfixest's compiled core starts a thread pool
    that does not survive a fork (its first call is fast once its modules are imported)."""
    import io

    svg = ""
    with contextlib.suppress(Exception):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(3, 2))
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], marker="o", label="warm")
        ax.set_title("warm", fontweight="bold")
        ax.set_xlabel("x")
        ax.legend()
        fig.savefig(io.BytesIO(), format="png")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
        svg = buffer.getvalue()
    with contextlib.suppress(Exception):
        from evaluation.brief.render import render_pdf

        css = (Path(render_pdf.__code__.co_filename).parent / "templates" / "brief.css")
        style = css.read_text(encoding="utf-8") if css.is_file() else ""
        start = svg.find("<svg")
        render_pdf(f"<html lang=\"id\"><head><style>{style}</style></head><body><h1>Warm</h1>"
                   f"<p>Teks <b>tebal</b> dan <i>miring</i>, 1.234,5.</p>"
                   f"<table><tr><th>a</th><td>1</td></tr></table>"
                   f"<figure>{svg[start:] if start >= 0 else ''}</figure></body></html>")


def fork_problem() -> str | None:
    """Why forking this process now would be unsafe (threads, a hooked backend), or ``None``."""
    if "matplotlib_inline.backend_inline" in sys.modules:
        return "the inline matplotlib backend was imported before a kernel existed"
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and dict.__getitem__(mpl.rcParams, "backend") != INLINE_BACKEND:
        return "matplotlib's backend is not the inline one a kernel uses (MPLBACKEND)"
    return thread_problem()


def thread_problem() -> str | None:
    """Which threads besides the main one (and known fork-safe ones) this process runs, or ``None``."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return "cannot list this process's threads (no /proc)"
    others = []
    for task in tasks:
        if int(task) == os.getpid():
            continue
        try:
            name = Path(f"/proc/self/task/{task}/comm").read_text().strip()
        except OSError:
            name = "?"
        if name not in _FORK_SAFE_THREADS:
            others.append(name)
    if others:
        return f"threads running after the warm-up: {sorted(others)}"
    return None


def _fill_cache(study: str) -> None:
    """Fill the study's table/panel cache (a helper forked while the starter warms up)."""
    from evaluation.study import load_study

    load_study(study).panel()


def _fork_run(spec: str, out_fd: int, log_fd: int, inherited: list[int]) -> int:
    starter = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for fd in inherited:  # the starter's sockets are not the run's
            with contextlib.suppress(OSError):
                os.close(fd)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(log_fd, 2)
        for fd in (devnull, out_fd, log_fd):
            os.close(fd)
        sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        die_with_parent(starter)
        code = child_main(spec, warm=True)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _serve(listener: socket.socket) -> None:
    waiting: dict[int, socket.socket] = {}
    while True:
        readable, _, _ = select.select([listener.fileno(), 0], [], [], 0.05)
        if 0 in readable and not os.read(0, 1024):  # the batch closed our stdin: it is done
            return
        if listener.fileno() in readable:
            conn, _ = listener.accept()
            message, fds, _, _ = socket.recv_fds(conn, 65536, 2)
            spec = json.loads(message.split(b"\n", 1)[0])["spec"]
            inherited = [listener.fileno(), conn.fileno(), *(c.fileno() for c in waiting.values())]
            try:
                pid = _fork_run(spec, fds[0], fds[1], inherited)
            finally:
                for fd in fds:
                    os.close(fd)
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            waiting[pid] = conn
        while waiting:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            done = waiting.pop(pid, None)
            if done is not None:
                with contextlib.suppress(OSError):
                    code = os.waitstatus_to_exitcode(status)
                    done.sendall(json.dumps({"exit": code}).encode() + b"\n")
                done.close()


def main(argv: list[str]) -> int:
    """``SOCKET BATCH_PID [STUDY]``: warm up, then fork runs on request until stdin closes."""
    die_with_parent(int(argv[1]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch stops its runs itself
    sock_path, study = argv[0], (argv[2] if len(argv) > 2 else None)
    problem = None
    try:
        os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
        import evaluation.study  # noqa: F401  (what the cache helper needs, before it forks)

        filler = 0
        if study:
            filler = os.fork()
            if filler == 0:
                code = 0
                try:
                    _fill_cache(study)
                except BaseException:
                    code = 1  # the runs will report the data's problem themselves
                finally:
                    os._exit(code)
        problem = warm_up()
        if filler:
            os.waitpid(filler, 0)
    except BaseException as exc:
        problem = f"warm-up failed: {type(exc).__name__}: {exc}"
    if problem:
        print(json.dumps({"ready": False, "reason": problem}), flush=True)
        return 1
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(64)
    print(json.dumps({"ready": True}), flush=True)
    _serve(listener)
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through the batch
    sys.exit(main(sys.argv[1:]))
