"""The yearly batch: every year's estimation and briefs, in parallel, resumable, recorded.

``run_batch`` reads as a recipe::

    check options and every run's parameters (no kernel yet)
    -> take the lock on reports/<study>/ -> clean what a killed batch left
    -> per year: 02_estimate once, then 03_brief per language, each in its own process
       (skipped as cached when nothing it depends on changed)
    -> move each run's outputs into reports/<study>/<year>/ only after it succeeded
    -> rewrite manifest.json after every run -> write index.html

Runs go to local processes (one process per run, ``jobs`` at a time) or, with
``scheduler``, to a Dask distributed cluster; outputs and manifest are the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import cache as _cache
from .._io import clean_stale_temporaries, sha256_file
from .._options import Language, check_option
from ..config import StudyConfig, read_study_config
from ..errors import LockError, ParameterError, RunError
from ..params import check_parameters
from . import manifest as mf
from .overview import INDEX_NAME, render_index, write_index
from .runner import RunOutcome, RunSpec, cache_root, execute_run, staging_root

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCK_NAME = ".lock"


@dataclass(frozen=True)
class NotebookSet:
    """The notebooks a batch runs: estimation (writes results.json) and brief (reads it)."""

    estimate: Path
    brief: Path

    @classmethod
    def from_folder(cls, folder: str | os.PathLike) -> NotebookSet:
        folder = Path(folder)
        nbs = cls(folder / "02_estimate.ipynb", folder / "03_brief.ipynb")
        for nb in (nbs.estimate, nbs.brief):
            if not nb.is_file():
                raise ParameterError(f"notebook {nb} not found; a notebook folder holds "
                                     "02_estimate.ipynb and 03_brief.ipynb")
        return nbs


def default_notebooks() -> NotebookSet:
    return NotebookSet.from_folder(PROJECT_ROOT / "notebooks")


@dataclass
class BatchResult:
    """What a batch did: the manifest records of its runs, and where things are."""

    study: str
    folder: Path
    runs: dict[str, dict[str, Any]]
    executed: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return mf.counts(self.runs)

    @property
    def ok(self) -> bool:
        return all(r["status"] in mf.DONE for r in self.runs.values())

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def summary(self) -> str:
        """A plain-text summary: one line per run that did not succeed, then the totals."""
        lines = []
        for key, rec in sorted(self.runs.items()):
            if rec["status"] in mf.DONE:
                continue
            err = rec.get("error") or {}
            where = f"cell {err['cell']}" if err.get("cell") else "before any cell"
            text = f"{key}: {rec['status']} at {where}: {err.get('ename')}: {err.get('evalue')}"
            if rec.get("failed_notebook"):
                text += f"\n    executed notebook: {self.folder / str(rec['year']) / rec['failed_notebook']}"
            lines.append(text)
        total = len(self.runs)
        parts = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        if not self.executed and self.ok:
            lines.append(f"nothing to run: all {total} runs cached (notebook, parameters, input "
                         "data and packages unchanged); --force runs them again")
        else:
            lines.append(f"{total} runs: {parts}")
        lines.append(f"manifest: {self.folder / mf.MANIFEST_NAME}")
        lines.append(f"index: {self.folder / INDEX_NAME}")
        return "\n".join(lines)


def parse_years(text: str, cfg: StudyConfig | None = None) -> tuple[int, ...]:
    """``"2016-2024"``, ``"2020,2022"`` or ``"2024"`` -> years; checked against the study."""
    years: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                years.extend(range(a, b + 1))
            elif part:
                years.append(int(part))
    except ValueError:
        raise ParameterError(f"--years {text!r}: expecting a range like 2016-2024 or a list "
                             "like 2020,2022") from None
    if not years:
        raise ParameterError(f"--years {text!r}: no year given")
    if cfg is not None:
        outside = sorted(y for y in set(years) if y not in cfg.years.span)
        if outside:
            raise ParameterError(f"--years: {outside} outside the study's data; allowed: "
                                 f"{cfg.years.first} to {cfg.years.last}")
    return tuple(sorted(set(years)))


def plan_runs(
    study_arg: str,
    cfg: StudyConfig,
    *,
    years: Sequence[int],
    langs: Sequence[str],
    out: str,
    seed: int,
    notebooks: NotebookSet,
    timeout: float | None,
    retries: int,
    cwd: str,
) -> list[RunSpec]:
    """Every run of the batch, in order (pure: reads nothing, starts nothing)."""
    out_root = str(Path(cwd, out).resolve()) if not Path(out).is_absolute() else out
    specs = []
    for year in years:
        specs.append(RunSpec(
            key=f"{year}/estimate", year=year, stage="estimate", lang=None,
            notebook=str(notebooks.estimate.resolve()),
            parameters={"study": study_arg, "year": year, "out": out, "seed": seed},
            study_name=cfg.name, out_root=out_root,
            outputs=("results.json", "notebook.ipynb"), executed_name="notebook.ipynb",
            cwd=cwd, timeout=timeout, retries=retries,
        ))
        for i, lang in enumerate(langs):
            outputs = [f"brief.{lang}.html", f"brief.{lang}.pdf", f"notebook.brief.{lang}.ipynb"]
            if i == 0:  # one tables.xlsx per year: the first language's
                outputs.append("tables.xlsx")
            specs.append(RunSpec(
                key=f"{year}/brief.{lang}", year=year, stage="brief", lang=lang,
                notebook=str(notebooks.brief.resolve()),
                parameters={"study": study_arg, "year": year, "lang": lang, "out": out},
                study_name=cfg.name, out_root=out_root, outputs=tuple(outputs),
                executed_name=f"notebook.brief.{lang}.ipynb", inputs=("results.json",),
                cwd=cwd, timeout=timeout, retries=retries,
            ))
    return specs


def _check_notebook(path: Path) -> str:
    """SHA-256 of a notebook that papermill can run (it has a kernelspec)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError) as exc:
        raise ParameterError(f"notebook {path}: not readable as a notebook ({exc})") from None
    if not (meta.get("kernelspec") or {}).get("name"):
        raise ParameterError(f"notebook {path}: no kernelspec in its metadata (papermill would "
                             "fail with 'No language found'); open and save it in JupyterLab "
                             "with the Python 3 kernel, or set metadata.kernelspec.name")
    return sha256_file(path)


@contextlib.contextmanager
def batch_lock(folder: Path) -> Iterator[None]:
    """Hold ``<folder>/.lock`` so two batches cannot write the same output folder."""
    from filelock import FileLock, Timeout

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockError(f"another batch is writing {folder} (lock {folder / LOCK_NAME} is held); "
                        "wait for it to finish, or use a different --out") from None
    try:
        yield
    finally:
        lock.release()


def run_batch(
    study: str | os.PathLike,
    *,
    years: Sequence[int] | str | None = None,
    langs: Sequence[str] | None = None,
    jobs: int | None = None,
    retries: int = 0,
    timeout: float | None = None,
    force: bool = False,
    resume: bool = False,
    scheduler: str | None = None,
    out: str | os.PathLike = "reports",
    seed: int | None = None,
    notebooks: NotebookSet | None = None,
    progress: bool = False,
) -> BatchResult:
    """Run the yearly notebooks for a study and return what happened.

    Parameters
    ----------
    study
        Study folder, as given on the command line (kept as given in the parameters).
    years
        Years to run (default: every study year); ``"2016-2024"`` is accepted.
    langs
        Brief languages (default: the study's language).
    jobs
        Runs at a time (default: the number of cores).
    retries
        Extra attempts for a run whose kernel died.
    timeout
        Seconds per run; a run past it is stopped and recorded as ``timeout``.
    force, resume
        Run everything again / only what failed or never ran (default: what changed).
    scheduler
        ``None`` for local processes, ``"local"`` for a Dask LocalCluster, or a
        Dask scheduler address.
    out
        Output folder; outputs go to ``<out>/<study name>/<year>/``.
    notebooks
        The notebooks to run (default: ``notebooks/02_estimate.ipynb`` and
        ``notebooks/03_brief.ipynb``).
    progress
        Progress bars on stderr.

    Raises
    ------
    ParameterError
        A bad option or parameter (before any kernel starts).
    LockError
        Another batch holds the output folder.

    Examples
    --------
    >>> res = run_batch("data/demo", years="2023-2024", langs=["id", "en"])  # doctest: +SKIP
    >>> res.exit_code  # doctest: +SKIP
    0
    """
    if force and resume:
        raise ParameterError("--force and --resume exclude each other: --force runs everything, "
                             "--resume only what failed or never ran")
    study_arg = os.fspath(study)
    cfg = read_study_config(study_arg)
    if years is None:
        years = tuple(cfg.years.span)
    elif isinstance(years, str):
        years = parse_years(years, cfg)
    else:
        years = parse_years(",".join(str(y) for y in years), cfg)
    langs = tuple(dict.fromkeys(langs or (cfg.language,)))
    for lang in langs:
        check_option("--lang", lang, Language, error=ParameterError)
    jobs = int(jobs or os.cpu_count() or 1)
    if jobs < 1 or retries < 0 or (timeout is not None and timeout <= 0):
        raise ParameterError("--jobs must be >= 1, --retries >= 0 and --timeout > 0")
    notebooks = notebooks or default_notebooks()
    cwd = os.getcwd()
    out_text = os.fspath(out)
    specs = plan_runs(study_arg, cfg, years=years, langs=langs, out=out_text,
                      seed=cfg.seed if seed is None else seed, notebooks=notebooks,
                      timeout=timeout, retries=retries, cwd=cwd)
    nb_sha = {str(notebooks.estimate.resolve()): _check_notebook(notebooks.estimate),
              str(notebooks.brief.resolve()): _check_notebook(notebooks.brief)}
    for spec in specs:  # every parameter checked before any kernel starts
        check_parameters(Path(spec.notebook).name, spec.parameters, out_root=out_text, base=cwd)
    folder = Path(specs[0].out_root) / cfg.name
    mode: mf.Mode = "force" if force else "resume" if resume else "incremental"
    with batch_lock(folder):
        clean_stale_temporaries(folder)
        shutil.rmtree(staging_root(specs[0].out_root, cfg.name), ignore_errors=True)
        # the cache is not an output: entries left by killed runs and long-unused ones go
        _cache.prune(cache_root(specs[0].out_root, cfg.name))
        return _Batch(cfg, study_arg, specs, folder, nb_sha, mode=mode, jobs=jobs,
                      scheduler=scheduler, progress=progress).run()


class _Batch:
    """The scheduling loop: state of one batch while it runs."""

    def __init__(self, cfg, study_arg, specs, folder, nb_sha, *, mode, jobs, scheduler, progress):
        from .. import provenance

        self.cfg, self.study_arg, self.specs, self.folder = cfg, study_arg, specs, folder
        self.nb_sha, self.mode, self.jobs, self.scheduler = nb_sha, mode, jobs, scheduler
        self.progress = progress
        self.prov = provenance.collect(study_arg)
        self.manifest = mf.read_manifest(folder, cfg.name)
        self.runs: dict[str, dict[str, Any]] = self.manifest["runs"]
        self.executed: list[str] = []
        self.cancel = threading.Event()
        self._lock = threading.Lock()
        self._bars: dict[str, Any] = {}

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
        return {
            "key": spec.key, "year": spec.year, "stage": spec.stage, "lang": spec.lang,
            "notebook": os.path.relpath(spec.notebook, PROJECT_ROOT)
            if Path(spec.notebook).is_relative_to(PROJECT_ROOT) else Path(spec.notebook).name,
            "notebook_sha256": self.nb_sha[spec.notebook], "parameters": spec.parameters,
            "data_sha256": self.prov["data_sha256"], "git_commit": self.prov["git_commit"],
            "git_dirty": self.prov["git_dirty"], "packages": self.prov["packages"],
            "toolkit_sha256": self.prov["toolkit_sha256"], "fingerprint": self._fingerprint(spec),
            "status": "pending", "start": None, "duration": None, "attempts": 0, "error": None,
            "outputs": {}, "failed_notebook": None, "upstream_sha256": None,
        }

    def _save(self) -> None:
        with self._lock:
            mf.write_manifest(self.folder, self.manifest)

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> BatchResult:
        self.manifest["study"] = self.cfg.name
        self.manifest["batch"] = {
            "started": _now(), "finished": None, "status": "running", "mode": self.mode,
            "jobs": self.jobs, "scheduler": self.scheduler or "processes",
            "study_dir": self.study_arg, "years": sorted({s.year for s in self.specs}),
            "provenance": {k: v for k, v in self.prov.items() if k != "notebook_sha256"},
        }
        for spec in self.specs:
            old = self.runs.get(spec.key)
            if old is None or old.get("status") not in mf.DONE:
                keep = {k: old[k] for k in ("error", "failed_notebook") if old and k in old}
                self.runs[spec.key] = {**self._base_record(spec), **keep}
        self._save()
        by_key = {s.key: s for s in self.specs}
        dependants: dict[str, list[str]] = {}
        ready: list[str] = []
        for s in self.specs:
            if s.stage == "estimate":
                ready.append(s.key)
            else:
                dependants.setdefault(f"{s.year}/estimate", []).append(s.key)
        overall = self._bar(total=len(self.specs), desc=f"batch {self.cfg.name}", unit="run")
        executor, closer = self._executor()
        futures: dict[Future, RunSpec] = {}
        try:
            while ready or futures:
                while ready and len(futures) < self.jobs:
                    spec = by_key[ready.pop(0)]
                    if self._try_cache(spec):
                        overall.update(1)
                        ready[:0] = dependants.get(spec.key, [])
                        continue
                    self._start(spec)
                    futures[self._submit(executor, spec)] = spec
                if not futures:
                    continue
                done, _ = wait(list(futures), timeout=0.5, return_when=FIRST_COMPLETED)
                for fut in done:
                    spec = futures.pop(fut)
                    outcome = _result(fut, spec)
                    ok = self._finish(spec, outcome)
                    overall.update(1)
                    if ok:
                        ready[:0] = dependants.get(spec.key, [])
                    else:
                        self._skip(dependants.get(spec.key, []), spec, by_key)
                        overall.update(len(dependants.get(spec.key, [])))
        except BaseException:
            self.cancel.set()
            for fut, spec in futures.items():
                outcome = _result(fut, spec, wait_s=30)
                if outcome.status != "ok":
                    outcome.status = "interrupted"
                self._finish(spec, outcome)
            self.manifest["batch"].update(status="interrupted", finished=_now())
            self._save()
            raise
        finally:
            closer()
            overall.close()
        result = BatchResult(self.cfg.name, self.folder,
                             {s.key: self.runs[s.key] for s in self.specs}, self.executed)
        self.manifest["batch"].update(status="complete" if result.ok else "failed",
                                      finished=_now())
        self._save()
        write_index(self.folder, self.manifest, lang=self.cfg.language)
        return result

    def _try_cache(self, spec: RunSpec) -> bool:
        upstream = self._upstream(spec)
        old = self.runs.get(spec.key)
        fresh = mf.can_skip(old, fingerprint_now=self._fingerprint(spec), upstream_sha256=upstream,
                            year_dir=spec.year_dir, mode=self.mode)
        if fresh:
            old["status"] = "cached"
            self._save()
        return fresh

    def _start(self, spec: RunSpec) -> None:
        rec = {**self._base_record(spec), "status": "running", "start": _now(),
               "upstream_sha256": self._upstream(spec)}
        old = self.runs.get(spec.key) or {}
        rec["failed_notebook"] = old.get("failed_notebook")
        self.runs[spec.key] = rec
        self.executed.append(spec.key)
        self._save()
        desc = f"{spec.year} {spec.stage}" + (f" {spec.lang}" if spec.lang else "")
        self._bars[spec.key] = self._bar(total=None, desc=desc, unit="cell", leave=False)

    def _submit(self, executor, spec: RunSpec) -> Future:
        if self.scheduler:
            return executor.submit(execute_run, spec)
        return executor.submit(execute_run, spec, on_progress=self._on_progress,
                               cancel=self.cancel)

    def _on_progress(self, key: str, index: int, total: int) -> None:
        bar = self._bars.get(key)
        if bar is not None:
            bar.total = total
            bar.n = index
            bar.refresh()

    def _finish(self, spec: RunSpec, outcome: RunOutcome) -> bool:
        """Promote a successful run's outputs, keep a failed run's notebook; record it."""
        rec = self.runs[spec.key]
        staging = outcome.staging_year_dir
        status, error = outcome.status, outcome.error
        if status == "ok" and staging is not None:
            missing = [n for n in spec.outputs if not (staging / n).is_file()]
            if missing:
                status, error = "failed", {"cell": None, "ename": "MissingOutput",
                                           "evalue": f"the notebook did not write {missing}"}
        spec.year_dir.mkdir(parents=True, exist_ok=True)
        if status == "ok":
            hashes = {n: sha256_file(staging / n) for n in spec.outputs}
            for name in spec.outputs:
                os.replace(staging / name, spec.year_dir / name)
            with contextlib.suppress(FileNotFoundError):  # the earlier failure is resolved
                (spec.year_dir / _failed_name(spec)).unlink()
            rec.update(outputs=hashes, failed_notebook=None)
        else:
            executed = staging / spec.executed_name if staging else None
            if executed is not None and executed.is_file():
                kept = _failed_name(spec)
                os.replace(executed, spec.year_dir / kept)
                rec["failed_notebook"] = kept
            rec["outputs"] = {}
        if staging is not None:
            shutil.rmtree(staging.parents[1], ignore_errors=True)
        rec.update(status=status, error=error, start=outcome.start, duration=outcome.duration,
                   attempts=outcome.attempts)
        self._save()
        bar = self._bars.pop(spec.key, None)
        if bar is not None:
            bar.close()
        return status == "ok"

    def _skip(self, keys: list[str], cause: RunSpec, by_key: dict[str, RunSpec]) -> None:
        for key in keys:
            rec = self._base_record(by_key[key])
            rec.update(status="skipped", error={
                "cell": None, "ename": "UpstreamFailed",
                "evalue": f"{cause.key} did not succeed ({self.runs[cause.key]['status']})"})
            self.runs[key] = rec
        self._save()

    def _executor(self):
        if not self.scheduler:
            pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="run")
            return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)
        from distributed import Client, LocalCluster

        if self.scheduler == "local":
            cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            cluster, client = None, Client(self.scheduler, timeout="30s")

        def close():
            client.close()
            if cluster is not None:
                cluster.close()

        return client.get_executor(pure=False), close

    def _bar(self, **kwargs):
        from tqdm import tqdm

        return tqdm(disable=not self.progress, dynamic_ncols=True, **kwargs)


def _failed_name(spec: RunSpec) -> str:
    """Where a failed run's executed notebook is kept (never over a good one)."""
    return spec.executed_name.removesuffix(".ipynb") + ".failed.ipynb"


def _result(fut: Future, spec: RunSpec, wait_s: float | None = None) -> RunOutcome:
    try:
        return fut.result(timeout=wait_s)
    except Exception as exc:  # the executor lost the run (a Dask worker died, ...)
        return RunOutcome(key=spec.key, status="killed", start=_now(), duration=0.0, attempts=1,
                          error={"cell": None, "ename": type(exc).__name__,
                                 "evalue": str(exc)[:300]})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_error(result: BatchResult) -> RunError | None:
    """A :class:`RunError` describing the first failed run (for callers that raise)."""
    for key, rec in sorted(result.runs.items()):
        if rec["status"] not in mf.DONE:
            err = rec.get("error") or {}
            return RunError(f"{key}: {rec['status']}", cell=err.get("cell"),
                            source=err.get("source"), ename=err.get("ename"),
                            evalue=err.get("evalue"))
    return None


__all__ = ["BatchResult", "NotebookSet", "batch_lock", "default_notebooks", "parse_years",
           "plan_runs", "render_index", "run_batch", "write_index"]
