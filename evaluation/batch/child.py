"""The run process: execute one notebook with papermill and report on stdout.

Started as ``python -m evaluation.batch.child SPEC`` (a cold start), or forked from the warm
starter (:mod:`.warm`), in which case its kernel is forked from it too
(:func:`forked_kernel`). Either way it writes one JSON line per cell started and one with
the outcome on its stdout, which the batch reads (:mod:`.runner`); anything else it prints
goes to the run's log.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any


def os_error(exc: OSError) -> dict[str, Any]:
    """A run's error record for an operating-system error, with its errno and path."""
    return {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)[:500],
            "errno": exc.errno, "path": exc.filename}


def log_tail(path: Path, n: int = 3) -> str:
    """The last ``n`` lines of a run's log on one line, for a message about why it stopped."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(lines[-n:]) or "(empty log)"


def die_with_parent(parent: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent dies, so no run outlives the batch."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent is not None and os.getppid() != parent:
        os._exit(137)


def child_main(spec_file: str, *, warm: bool = False) -> int:
    """The run process: execute one notebook with papermill and report on stdout.

    ``warm``: this process was forked from the warm starter, which imported everything
    already; the kernel is then forked from this process too (before papermill starts),
    instead of starting a fresh interpreter.
    """
    payload = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    if not warm:
        die_with_parent(payload["parent"])
    os.environ.update(payload.get("env") or {})
    km = forked_kernel(payload["kernel_name"], payload["cwd"]) if warm else None
    # the protocol channel is the original stdout; anything else printed goes to the log
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)

    def emit(msg: dict[str, Any]) -> None:
        channel.write(json.dumps(msg) + "\n")
        channel.flush()

    try:
        return _execute(payload, emit, km)
    finally:
        if km is not None:
            stop_kernel(km)


class _Stop(BaseException):
    """SIGTERM from the batch: stop now (the kernel is shut down on the way out)."""


def _execute(payload: dict[str, Any], emit: Callable[[dict[str, Any]], None], km: Any) -> int:
    def on_term(signum: int, frame: Any) -> None:
        raise _Stop()

    signal.signal(signal.SIGTERM, on_term)
    last: dict[str, int | None] = {"index": None}

    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.exceptions import PapermillExecutionError

    class ProgressEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            start = nb_man.cell_start
            total = len(nb_man.nb.cells)

            def cell_start(cell: Any, cell_index: int | None = None, **kw: Any) -> Any:
                last["index"] = cell_index + 1 if cell_index is not None else None
                emit({"event": "cell", "index": cell_index, "total": total})
                return start(cell, cell_index, **kw)

            nb_man.cell_start = cell_start
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("evaluation-progress", ProgressEngine)
    extra = {"km": km} if km is not None else {}
    try:
        papermill.execute_notebook(
            payload["notebook"], payload["output"], parameters=payload["parameters"],
            kernel_name=payload["kernel_name"], cwd=payload["cwd"], progress_bar=False,
            log_output=False, request_save_on_cell_execute=True,
            engine_name="evaluation-progress", **extra,
        )
    except PapermillExecutionError as exc:
        emit({"event": "outcome", "status": "failed", "error": {
            "cell": exc.cell_index + 1, "exec_count": exc.exec_count,
            "source": _first_line(exc.source), "ename": exc.ename, "evalue": exc.evalue,
        }})
        return 1
    except DeadKernelError as exc:
        emit({"event": "outcome", "status": "killed", "error": {
            "cell": last["index"], "ename": "DeadKernelError", "evalue": str(exc)[:300],
        }})
        return 1
    except _Stop:
        return 143
    except OSError as exc:  # writing the executed notebook failed (disk full, ...)
        emit({"event": "outcome", "status": "failed",
              "error": {**os_error(exc), "cell": last["index"]}})
        return 1
    except Exception as exc:  # a run must always report; the batch decides what follows
        emit({"event": "outcome", "status": "failed", "error": {
            "cell": None, "ename": type(exc).__name__, "evalue": str(exc)[:500],
        }})
        return 1
    emit({"event": "outcome", "status": "ok"})
    return 0


def _first_line(source: str | None) -> str | None:
    if not source:
        return None
    lines = [ln for ln in source.splitlines() if ln.strip()]
    return lines[0][:120] if lines else None


# ---- the kernel, forked from the run process ----------------------------------------------


class _ForkedKernel:
    """The kernel process, forked by the run process, with the Popen interface
    jupyter_client's provisioner uses."""

    stdout = stderr = stdin = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _same_interpreter_kernel(kernel_name: str) -> bool:
    """Whether the kernelspec runs ipykernel in this interpreter (jupyter_client reads a
    bare ``python``, ``python3`` or ``python3.X`` as the interpreter asking)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except NoSuchKernel:
        return False
    if not argv or ("ipykernel_launcher" not in argv and "ipykernel" not in argv):
        return False
    major, minor = sys.version_info[:2]
    if argv[0] in ("python", f"python{major}", f"python{major}.{minor}"):
        return True
    exe = shutil.which(argv[0]) or argv[0]
    return os.path.realpath(exe) == os.path.realpath(sys.executable)


def forked_kernel(kernel_name: str, cwd: str) -> Any:
    """A started kernel forked from this (warm) process, as a jupyter_client KernelManager;
    ``None`` when the kernelspec runs another interpreter (papermill then starts it)."""
    from ipykernel.kernelapp import IPKernelApp
    from jupyter_client import AsyncKernelManager
    from jupyter_client.connect import write_connection_file
    from jupyter_client.provisioning import LocalProvisioner
    from jupyter_core.paths import jupyter_runtime_dir

    if not _same_interpreter_kernel(kernel_name):
        return None
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True)
    connection = str(runtime / f"kernel-evaluation-{uuid.uuid4().hex}.json")
    write_connection_file(connection, ip="127.0.0.1", key=uuid.uuid4().hex.encode(),
                          transport="tcp", kernel_name=kernel_name)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the kernel
        code = 1
        try:
            die_with_parent(parent)
            os.dup2(2, 1)  # stdout is the run's protocol channel, never the kernel's
            os.chdir(cwd)
            os.environ["JPY_PARENT_PID"] = str(parent)
            IPKernelApp.launch_instance(argv=["-f", connection])
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    # async, as nbclient's own: it asks the manager whether the kernel is alive from inside
    # its event loop (a blocking manager's answer would wait on that same loop)
    km = AsyncKernelManager(kernel_name=kernel_name)
    km.load_connection_file(connection)
    provisioner = LocalProvisioner(kernel_id=str(uuid.uuid4()), kernel_spec=km.kernel_spec,
                                   parent=km)
    provisioner.process = _ForkedKernel(pid)  # type: ignore[assignment]  # a Popen stand-in
    provisioner.pid = pid
    km.provisioner = provisioner
    km.connection_file = connection
    return km


def stop_kernel(km: Any) -> None:
    """Shut a forked kernel down (politely, then by force) and remove its connection file."""
    import asyncio

    try:
        asyncio.run(asyncio.wait_for(km.shutdown_kernel(now=False), timeout=10))
    except Exception:  # the kernel is gone or does not answer: make sure it is
        process = km.provisioner.process if km.provisioner is not None else None
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()
            with contextlib.suppress(Exception):
                process.wait(timeout=5)
    with contextlib.suppress(OSError):
        os.unlink(km.connection_file)


if __name__ == "__main__":  # pragma: no cover - exercised through execute_run
    sys.exit(child_main(sys.argv[1]))
