"""The scheduling loop of one batch: start runs, follow them, record every step.

Estimation runs start longest first (:func:`~.plan.start_order`); as one succeeds, its
year's brief runs go to the front of the queue. Each run's record in ``manifest.json`` is
rewritten when it starts and when it ends, so a batch stopped at any moment leaves a
manifest that says what happened. When the disk fills up, no further run starts, the
space reserve is given back and the manifest ends with a final status naming the path.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import provenance
from .._io import sha256_file
from ..i18n import Formatter
from ..settings import RunSettings
from . import manifest as mf
from .child import os_error
from .overview import INDEX_NAME, write_index
from .plan import PROJECT_ROOT, start_order
from .promote import Promotion, SpaceReserve, disk_full, disk_full_path, promote
from .runner import RunOutcome, RunSpec, _child_env, execute_run
from .warm import WarmStarter


@dataclass
class BatchResult:
    """What a batch did: the manifest records of its runs, and where things are."""

    study: str
    folder: Path
    runs: dict[str, dict[str, Any]]
    executed: list[str] = field(default_factory=list)
    lang: str = "id"
    #: The path that could not be written because the disk was full (``None``: no such thing).
    disk_full: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return mf.counts(self.runs)

    @property
    def ok(self) -> bool:
        return self.disk_full is None and all(r["status"] in mf.DONE for r in self.runs.values())

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def summary(self) -> str:
        """A plain-text summary: one line per run that did not succeed, then the totals."""
        f = Formatter(self.lang)  # type: ignore[arg-type]
        lines = []
        if self.disk_full is not None:
            lines.append(f.msg("cli.console.disk_full", path=self.disk_full or self.folder))
        for key, rec in sorted(self.runs.items()):
            if rec["status"] in mf.DONE:
                continue
            err = rec.get("error") or {}
            where = (f.msg("batch.summary.at_cell", cell=err["cell"]) if err.get("cell")
                     else f.msg("batch.summary.before_cell"))
            lines.append(f.msg("batch.summary.failed_run", run=key, status=rec["status"],
                               where=where, ename=err.get("ename"), evalue=err.get("evalue")))
            if rec.get("failed_notebook"):
                path = self.folder / str(rec["year"]) / rec["failed_notebook"]
                lines.append("    " + f.msg("batch.summary.executed_notebook", path=path))
        total = len(self.runs)
        parts = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        if not self.executed and self.ok:
            lines.append(f.msg("batch.summary.nothing", n=total))
        else:
            lines.append(f.msg("batch.summary.totals", n=total, parts=parts))
        lines.append(f.msg("batch.summary.manifest", path=self.folder / mf.MANIFEST_NAME))
        lines.append(f.msg("batch.summary.index", path=self.folder / INDEX_NAME))
        return "\n".join(lines)


class BatchLoop:
    """State of one batch while it runs (the caller holds the output folder's lock)."""

    def __init__(self, settings: RunSettings, specs: list[RunSpec], folder: Path,
                 nb_sha: dict[str, str]):
        self.settings, self.specs, self.folder, self.nb_sha = settings, specs, folder, nb_sha
        self.options = settings.options
        self.f = Formatter(settings.lang)
        self.prov = provenance.collect(settings.config)
        self.manifest = mf.read_manifest(folder, settings.study_name)
        self.runs: dict[str, dict[str, Any]] = self.manifest["runs"]
        self.previous = {k: dict(v) for k, v in self.runs.items()}
        self.executed: list[str] = []
        self.cancel = threading.Event()
        self._lock = threading.Lock()
        self._bars: dict[str, Any] = {}
        self.reserve = SpaceReserve(folder)
        self.disk_full: str | None = None
        self.warm: WarmStarter | None = None
        self.start_mode: str | None = None

    # -- records -------------------------------------------------------------------------

    def _fingerprint(self, spec: RunSpec) -> str:
        return mf.fingerprint({
            "notebook_sha256": self.nb_sha[spec.notebook], "parameters": spec.parameters,
            "data_sha256": self.prov["data_sha256"], "packages": self.prov["packages"],
            "toolkit_sha256": self.prov["toolkit_sha256"],
        })

    def _upstream(self, spec: RunSpec) -> str | None:
        if not spec.inputs:
            return None
        path = spec.year_dir / spec.inputs[0]
        return sha256_file(path) if path.is_file() else None

    def _base_record(self, spec: RunSpec) -> dict[str, Any]:
        notebook = Path(spec.notebook)
        return {
            "key": spec.key, "year": spec.year, "stage": spec.stage, "lang": spec.lang,
            "notebook": os.path.relpath(notebook, PROJECT_ROOT)
            if notebook.is_relative_to(PROJECT_ROOT) else notebook.name,
            "notebook_sha256": self.nb_sha[spec.notebook], "parameters": spec.parameters,
            "data_sha256": self.prov["data_sha256"], "git_commit": self.prov["git_commit"],
            "git_dirty": self.prov["git_dirty"], "packages": self.prov["packages"],
            "toolkit_sha256": self.prov["toolkit_sha256"], "fingerprint": self._fingerprint(spec),
            "status": "pending", "start": None, "duration": None, "attempts": 0, "error": None,
            "outputs": {}, "failed_notebook": None, "upstream_sha256": None,
        }

    def _save(self) -> None:
        with self._lock:
            try:
                mf.write_manifest(self.folder, self.manifest)
            except OSError as exc:
                if not disk_full(exc):
                    raise
                self._note_disk_full(str(self.folder / mf.MANIFEST_NAME))
                mf.write_manifest(self.folder, self.manifest)  # into the space given back

    def _note_disk_full(self, path: str) -> None:
        if self.disk_full is None:
            self.disk_full = path
        self.reserve.release()

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> BatchResult:
        self.reserve.take()
        self._open()
        by_key = {s.key: s for s in self.specs}
        dependants: dict[str, list[str]] = {}
        for s in self.specs:
            if s.stage != "estimate":
                dependants.setdefault(f"{s.year}/estimate", []).append(s.key)
        ready = start_order(self.specs, self.previous)
        overall = self._bar(total=len(self.specs), desc=f"batch {self.settings.study_name}",
                            unit="run")
        executor, closer = self._executor()
        futures: dict[Future[RunOutcome], RunSpec] = {}
        try:
            while ready or futures:
                while ready and len(futures) < self.options.jobs and self.disk_full is None:
                    spec = by_key[ready.pop(0)]
                    if self._try_cache(spec):
                        overall.update(1)
                        ready[:0] = dependants.get(spec.key, [])
                        continue
                    self._start(spec)
                    futures[self._submit(executor, spec)] = spec
                if self.disk_full is not None and ready:
                    overall.update(self._not_started(ready, dependants, by_key))
                    ready = []
                if not futures:
                    continue
                done, _ = wait(list(futures), timeout=0.5, return_when=FIRST_COMPLETED)
                for fut in done:
                    spec = futures.pop(fut)
                    ok = self._finish(spec, _result(fut, spec))
                    overall.update(1)
                    if ok:
                        ready[:0] = dependants.get(spec.key, [])
                    else:
                        self._skip(dependants.get(spec.key, []), spec, by_key)
                        overall.update(len(dependants.get(spec.key, [])))
        except BaseException:
            self._stop_running(futures)
            raise
        finally:
            closer()
            overall.close()
            if self.warm is not None:
                self.warm.close()
        return self._close()

    def _open(self) -> None:
        self.manifest["study"] = self.settings.study_name
        self.manifest["batch"] = {
            "started": _now(), "finished": None, "status": "running", "mode": self.options.mode,
            "jobs": self.options.jobs, "scheduler": self.options.scheduler or "processes",
            "study_dir": str(self.settings.study_dir), "years": list(self.settings.years),
            "provenance": {k: v for k, v in self.prov.items() if k != "notebook_sha256"},
        }
        for spec in self.specs:
            old = self.runs.get(spec.key)
            if old is None or old.get("status") not in mf.DONE:
                keep: dict[str, Any] = {k: old[k] for k in ("error", "failed_notebook")
                                        if old and k in old}
                self.runs[spec.key] = {**self._base_record(spec), **keep}
        self._save()

    def _close(self) -> BatchResult:
        result = BatchResult(self.settings.study_name, self.folder,
                             {s.key: self.runs[s.key] for s in self.specs}, self.executed,
                             lang=self.settings.lang)
        try:
            write_index(self.folder, self.manifest, lang=self.settings.lang)
        except OSError as exc:
            if not disk_full(exc):
                raise
            self._note_disk_full(str(self.folder / INDEX_NAME))
        result.disk_full = self.disk_full
        batch = self.manifest["batch"]
        batch.update(status="complete" if result.ok else "failed", finished=_now(),
                     start=self.start_mode or "none")
        if self.disk_full is not None:
            batch["error"] = {"ename": "DiskFull", "path": self.disk_full,
                              "evalue": self.f.msg("cli.console.disk_full", path=self.disk_full)}
        self._save()
        self.reserve.release()
        return result

    def _stop_running(self, futures: dict[Future[RunOutcome], RunSpec]) -> None:
        """Interrupted: stop the running runs, record them, and say so in the manifest."""
        self.cancel.set()
        for fut, spec in futures.items():
            outcome = _result(fut, spec, wait_s=30)
            if outcome.status != "ok":
                outcome.status = "interrupted"
            self._finish(spec, outcome)
        self.manifest["batch"].update(status="interrupted", finished=_now(),
                                      start=self.start_mode or "none")
        self._save()
        self.reserve.release()

    def _try_cache(self, spec: RunSpec) -> bool:
        upstream = self._upstream(spec)
        old = self.runs.get(spec.key)
        fresh = mf.can_skip(old, fingerprint_now=self._fingerprint(spec), upstream_sha256=upstream,
                            year_dir=spec.year_dir, mode=self.options.mode)
        if fresh and old is not None:
            old["status"] = "cached"
            self._save()
        return fresh

    def _start(self, spec: RunSpec) -> None:
        if self.start_mode is None:
            self._warm_start(spec)
        rec = {**self._base_record(spec), "status": "running", "start": _now(),
               "upstream_sha256": self._upstream(spec)}
        old = self.runs.get(spec.key) or {}
        rec["failed_notebook"] = old.get("failed_notebook")
        self.runs[spec.key] = rec
        self.executed.append(spec.key)
        self._save()
        desc = f"{spec.year} {spec.stage}" + (f" {spec.lang}" if spec.lang else "")
        self._bars[spec.key] = self._bar(total=None, desc=desc, unit="cell", leave=False)

    def _warm_start(self, spec: RunSpec) -> None:
        """Start the warm starter before the first run (local processes with fork only)."""
        if self.options.scheduler or not self.options.warm_start or not hasattr(os, "fork"):
            self.start_mode = "cold"
            return
        fill = self.settings.study if spec.stage == "estimate" else None
        self.warm, reason = WarmStarter.start(_child_env(spec), spec.cwd, fill=fill)
        self.start_mode = "warm" if self.warm is not None else f"cold ({reason})"

    def _submit(self, executor: Executor, spec: RunSpec) -> Future[RunOutcome]:
        if self.options.scheduler:
            return executor.submit(execute_run, spec)
        return executor.submit(execute_run, spec, on_progress=self._on_progress,
                               cancel=self.cancel, warm=self.warm)

    def _on_progress(self, key: str, index: int, total: int) -> None:
        bar = self._bars.get(key)
        if bar is not None:
            bar.total = total
            bar.n = index
            bar.refresh()

    def _finish(self, spec: RunSpec, outcome: RunOutcome) -> bool:
        """Move a run's files into place (or keep its failed notebook) and record it."""
        full = disk_full_path(outcome.error)
        if full is not None:
            self._note_disk_full(_final_path(full, outcome, spec))
        try:
            done = promote(spec, outcome, lang=self.settings.lang)
        except OSError as exc:
            if not disk_full(exc):
                raise
            self._note_disk_full(str(spec.year_dir))
            done = Promotion("failed", os_error(exc))
        finally:
            if outcome.staging_year_dir is not None:
                shutil.rmtree(outcome.staging_year_dir.parents[1], ignore_errors=True)
        rec = self.runs[spec.key]
        rec.update(status=done.status, error=done.error, outputs=done.outputs,
                   failed_notebook=done.failed_notebook or (
                       None if done.status == "ok" else rec.get("failed_notebook")),
                   start=outcome.start, duration=outcome.duration, attempts=outcome.attempts)
        self._save()
        bar = self._bars.pop(spec.key, None)
        if bar is not None:
            bar.close()
        return done.status == "ok"

    def _skip(self, keys: list[str], cause: RunSpec, by_key: dict[str, RunSpec]) -> None:
        for key in keys:
            rec = self._base_record(by_key[key])
            rec.update(status="skipped", error={
                "cell": None, "ename": "UpstreamFailed",
                "evalue": self.f.msg("batch.errors.upstream", run=cause.key,
                                     status=self.runs[cause.key]["status"])})
            self.runs[key] = rec
        self._save()

    def _not_started(self, ready: list[str], dependants: dict[str, list[str]],
                     by_key: dict[str, RunSpec]) -> int:
        """The disk is full: record the runs that will not start; how many they are."""
        keys = list(dict.fromkeys(k for key in ready for k in [key, *dependants.get(key, [])]))
        reason = self.f.msg("cli.console.disk_full", path=self.disk_full or self.folder)
        for key in keys:
            rec = self._base_record(by_key[key])
            rec.update(status="skipped", error={
                "cell": None, "ename": "DiskFull",
                "evalue": self.f.msg("batch.errors.not_started", reason=reason)})
            self.runs[key] = rec
        self._save()
        return len(keys)

    def _executor(self) -> tuple[Executor, Callable[[], None]]:
        if not self.options.scheduler:
            pool = ThreadPoolExecutor(max_workers=self.options.jobs, thread_name_prefix="run")
            return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)
        from distributed import Client, LocalCluster

        if self.options.scheduler == "local":
            cluster = LocalCluster(n_workers=self.options.jobs, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            cluster, client = None, Client(self.options.scheduler, timeout="30s")

        def close() -> None:
            client.close()
            if cluster is not None:
                cluster.close()

        return client.get_executor(pure=False), close

    def _bar(self, **kwargs: Any) -> Any:
        from tqdm import tqdm

        return tqdm(disable=not self.options.progress, dynamic_ncols=True, **kwargs)


def _result(fut: Future[RunOutcome], spec: RunSpec, wait_s: float | None = None) -> RunOutcome:
    try:
        return fut.result(timeout=wait_s)
    except Exception as exc:  # the executor lost the run (a Dask worker died, ...)
        return RunOutcome(key=spec.key, status="killed", start=_now(), duration=0.0, attempts=1,
                          error={"cell": None, "ename": type(exc).__name__,
                                 "evalue": str(exc)[:300]})


def _final_path(path: str, outcome: RunOutcome, spec: RunSpec) -> str:
    """Where a file a run could not write in its staging folder was going to be."""
    staging = outcome.staging_year_dir
    if not path:
        return str(spec.year_dir)
    if staging is not None and Path(path).is_relative_to(staging.resolve()):
        return str(spec.year_dir / Path(path).relative_to(staging.resolve()))
    if staging is not None and Path(path).is_relative_to(staging):
        return str(spec.year_dir / Path(path).relative_to(staging))
    return path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


__all__ = ["BatchLoop", "BatchResult"]
