"""One notebook run, in its own process: parameterise, execute, report.

papermill is not thread-safe and changes the working directory, so every run gets a
process of its own, with a kernel of its own. With a warm start (:mod:`.warm`, local
runs) that process and its kernel are forked from a process that has already imported
papermill and the analysis libraries; otherwise (``--cold-start``, Dask workers) it is a
fresh ``python -m evaluation.batch.child SPEC`` that starts its kernel the usual way.
The parent (:func:`execute_run`, called by the batch from a thread, or by a Dask worker)
watches it: it reads progress and the outcome from the child's stdout, enforces the
per-run timeout, and retries a run whose kernel died.

A run writes only into its own staging folder; the batch moves the outputs into
place after success (:mod:`evaluation.batch`). A run that fails, times out or is
killed therefore never touches an earlier good output.

Recipe of :func:`execute_run`::

    stage inputs -> start child -> follow progress -> enforce timeout -> read outcome
    -> (kernel died and retries left? start again) -> RunOutcome
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..cache import CACHE_DIR_ENV
from ..i18n import Formatter
from ..settings import OUTPUT_ROOT_ENV, STAGED_ENV
from .child import log_tail, os_error

if TYPE_CHECKING:
    from .warm import WarmStarter

Stage = Literal["estimate", "brief"]
RunStatus = Literal["ok", "failed", "killed", "timeout", "interrupted"]

#: Thread-count variables pinned to 1 in every run's environment.
DETERMINISTIC_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                         "NUMBA_NUM_THREADS", "RAYON_NUM_THREADS")
#: A fixed string-hash seed in every run: the formula parser under pyfixest orders the
#: fixed effects by a set of their names, so the order of the alternating projections (and
#: the last digits of every estimate) would otherwise change from process to process.
HASH_SEED = "0"
#: How long a child gets to shut its kernel down after SIGTERM before SIGKILL.
_GRACE_SECONDS = 8.0
_STAGING = ".staging"
#: The study's cache of validated tables and panels (not an output; deleting it is safe).
CACHE_FOLDER = ".cache"


@dataclass(frozen=True)
class RunSpec:
    """Everything one notebook run needs; plain data so it can travel to a Dask worker.

    ``parameters`` are the logical values (as a user would pass them to papermill);
    the runner replaces ``out`` by the run's staging folder.
    """

    key: str
    year: int
    stage: Stage
    lang: str | None
    notebook: str
    parameters: dict[str, Any]
    study_name: str
    out_root: str
    outputs: tuple[str, ...]
    executed_name: str
    inputs: tuple[str, ...] = ()
    cwd: str = "."
    timeout: float | None = None
    retries: int = 0
    kernel_name: str = "python3"
    env: dict[str, str] = field(default_factory=dict)
    #: Language of the texts the run records (timeouts, a process that died).
    message_lang: Literal["id", "en"] = "id"

    @property
    def year_dir(self) -> Path:
        return Path(self.out_root) / self.study_name / str(self.year)


@dataclass
class RunOutcome:
    """What happened to one run. ``staging_year_dir`` holds its outputs until promoted."""

    key: str
    status: RunStatus
    start: str
    duration: float
    attempts: int
    staging: str | None = None
    error: dict[str, Any] | None = None

    @property
    def staging_year_dir(self) -> Path | None:
        return Path(self.staging) if self.staging else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def staging_root(out_root: str | os.PathLike[str], study_name: str) -> Path:
    """Folder under which every run of a study stages its outputs."""
    return Path(out_root) / study_name / _STAGING


def cache_root(out_root: str | os.PathLike[str], study_name: str) -> Path:
    """Cache folder every run of a study shares (see :mod:`evaluation.cache`)."""
    return Path(out_root) / study_name / CACHE_FOLDER


def execute_run(
    spec: RunSpec,
    *,
    on_progress: Callable[[str, int, int], None] | None = None,
    cancel: threading.Event | None = None,
    warm: WarmStarter | None = None,
) -> RunOutcome:
    """Run one notebook in a process of its own and return its outcome (never raises).

    Parameters
    ----------
    spec
        The run.
    on_progress
        Called with ``(key, cell_index, n_cells)`` as cells start.
    cancel
        When set, the running child is stopped and the outcome is ``interrupted``.
    warm
        Fork the run from this warm process instead of starting a fresh interpreter.
    """
    started = datetime.now(UTC)
    t0 = time.monotonic()
    attempts = 0
    staging: Path | None = None
    while True:
        attempts += 1
        try:
            staging = _stage(spec)
            status, error = _run_child(spec, staging, on_progress=on_progress, cancel=cancel,
                                       warm=warm)
        except OSError as exc:  # the staging folder could not be written (disk full, ...)
            status, error = "failed", os_error(exc)
        if status == "killed" and attempts <= spec.retries and not (cancel and cancel.is_set()):
            if staging is not None:
                shutil.rmtree(staging.parents[1], ignore_errors=True)
            continue
        break
    return RunOutcome(
        key=spec.key,
        status=status,
        start=started.isoformat(timespec="seconds"),
        duration=round(time.monotonic() - t0, 3),
        attempts=attempts,
        staging=str(staging) if staging is not None else None,
        error=error,
    )


def _stage(spec: RunSpec) -> Path:
    """Make the run's staging folder and copy in the inputs it reads (e.g. results.json)."""
    safe = spec.key.replace("/", "-")
    top = staging_root(spec.out_root, spec.study_name) / f"{safe}-{uuid.uuid4().hex[:8]}"
    year_dir = top / spec.study_name / str(spec.year)
    year_dir.mkdir(parents=True)
    for name in spec.inputs:
        shutil.copy2(spec.year_dir / name, year_dir / name)
    return year_dir


def _child_env(spec: RunSpec) -> dict[str, str]:
    env = dict(os.environ)
    # MPLBACKEND=Agg in the kernel's environment drops inline figures from the notebook
    env.pop("MPLBACKEND", None)
    env[OUTPUT_ROOT_ENV] = str(Path(spec.out_root).resolve())
    env[STAGED_ENV] = "1"  # the batch holds the output folder's claim
    # every year's run loads the same inputs: share the validated tables and panel
    env[CACHE_DIR_ENV] = str(cache_root(spec.out_root, spec.study_name).resolve())
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # One thread per run: parallelism comes from running several notebooks at once (and a
    # multi-threaded reduction may sum in a different order from run to run).
    for var in DETERMINISTIC_THREADS:
        env[var] = "1"
    env["PYTHONHASHSEED"] = HASH_SEED
    env.update(spec.env)
    return env


class _Child(Protocol):
    """What the parent needs of a run process (a Popen, or a run forked by the warm starter)."""

    pid: int
    returncode: int | None
    stdout: Any

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def send_signal(self, sig: int) -> None: ...


Progress = Callable[[str, int, int], None] | None


def _run_child(spec: RunSpec, staging_year_dir: Path, *, on_progress: Progress,
               cancel: threading.Event | None, warm: WarmStarter | None = None) -> tuple[RunStatus, dict[str, Any] | None]:
    top = staging_year_dir.parents[1]
    spec_file = top / "run.json"
    params = dict(spec.parameters)
    if "out" in params:
        params["out"] = str(top.resolve())
    payload = {
        "notebook": spec.notebook,
        "output": str((staging_year_dir / spec.executed_name).resolve()),
        "parameters": params,
        "kernel_name": spec.kernel_name,
        "cwd": spec.cwd,
        "parent": os.getpid(),
        "env": spec.env,
    }
    spec_file.write_text(json.dumps(payload), encoding="utf-8")
    proc: _Child
    if warm is not None:
        proc = warm.spawn(spec_file, top / "run.log")
    else:
        with open(top / "run.log", "wb") as log:  # the child writes into it
            proc = subprocess.Popen(
                [sys.executable, "-m", "evaluation.batch.child", str(spec_file)],
                stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                cwd=spec.cwd, env=_child_env(spec), start_new_session=True,
            )
    return _follow(spec, proc, top, on_progress=on_progress, cancel=cancel)


def _follow(spec: RunSpec, proc: _Child, top: Path, *, on_progress: Progress,
            cancel: threading.Event | None) -> tuple[RunStatus, dict[str, Any] | None]:
    """Read the child's progress and outcome; stop it on timeout or cancel."""
    outcome: dict[str, Any] = {}
    last_cell: dict[str, Any] = {}
    f = Formatter(spec.message_lang)

    def follow() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if msg.get("event") == "cell":
                last_cell.update(msg)
                if on_progress:
                    on_progress(spec.key, msg["index"], msg["total"])
            elif msg.get("event") == "outcome":
                outcome.update(msg)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    deadline = time.monotonic() + spec.timeout if spec.timeout else None
    stopped: RunStatus | None = None
    while proc.poll() is None:
        if cancel is not None and cancel.is_set():
            stopped = "interrupted"
        elif deadline is not None and time.monotonic() > deadline:
            stopped = "timeout"
        if stopped:
            _stop(proc)
            break
        time.sleep(0.05)
    proc.wait()
    reader.join(timeout=5)
    with contextlib.suppress(OSError, AttributeError):
        proc.stdout.close()
    if stopped:
        cell = last_cell.get("index")
        return stopped, {
            "cell": cell + 1 if cell is not None else None,
            "ename": "Timeout" if stopped == "timeout" else "Interrupted",
            "evalue": (f.msg("batch.errors.timeout", seconds=f"{spec.timeout:g}")
                       if stopped == "timeout" else f.msg("batch.errors.interrupted")),
        }
    if outcome.get("status") == "ok" and proc.returncode == 0:
        return "ok", None
    if outcome:
        return outcome["status"], outcome.get("error")
    cell = last_cell.get("index")
    return "killed", {
        "cell": cell + 1 if cell is not None else None,
        "ename": "RunProcessDied",
        "evalue": f.msg("batch.errors.died", code=proc.returncode, tail=log_tail(top / "run.log")),
    }


def _stop(proc: _Child) -> None:
    """SIGTERM (the child shuts its kernel down), then SIGKILL its whole process group."""
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


