"""The yearly batch: every year's estimation and briefs, in parallel, resumable, recorded.

``run_batch`` reads as a recipe::

    resolve and check the run's settings once (no kernel yet)
    -> take the lock on <out>/<study>/ -> check that the folder is this study's
    -> clean what a killed batch left
    -> per year: 02_estimate once, then 03_brief per language, each in a process of its own
       (skipped as cached when nothing it depends on changed)          (loop.BatchLoop)
    -> move each run's outputs into <out>/<study>/<year>/ only after it succeeded (promote)
    -> rewrite manifest.json after every run -> write index.html

Runs go to local processes (forked from a warm starter, ``jobs`` at a time) or, with a
``scheduler``, to a Dask distributed cluster; outputs and manifest are the same.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from .. import cache as _cache
from .._io import clean_stale_temporaries
from .._options import Language
from ..errors import LockError, RunError
from ..i18n import Formatter
from ..settings import RunSettings, check_options, claim_output_folder, parse_years, resolve_run
from . import manifest as mf
from .loop import BatchLoop, BatchResult
from .overview import render_index, write_index
from .plan import NotebookSet, default_notebooks, notebook_sha256, plan_runs
from .runner import cache_root, staging_root

LOCK_NAME = ".lock"


@contextlib.contextmanager
def batch_lock(folder: Path, *, lang: Language = "id") -> Iterator[None]:
    """Hold ``<folder>/.lock`` so two batches cannot write the same output folder."""
    from filelock import FileLock, Timeout

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockError(Formatter(lang).msg("batch.errors.lock", folder=folder,
                                            lock=folder / LOCK_NAME)) from None
    try:
        yield
    finally:
        lock.release()


def run_batch(
    study: str | os.PathLike[str] | RunSettings,
    *,
    years: Sequence[int] | str | None = None,
    langs: Sequence[str] | None = None,
    jobs: int | None = None,
    retries: int = 0,
    timeout: float | None = None,
    force: bool = False,
    resume: bool = False,
    scheduler: str | None = None,
    out: str | os.PathLike[str] | None = None,
    seed: int | None = None,
    notebooks: NotebookSet | None = None,
    progress: bool = False,
    warm_start: bool = True,
) -> BatchResult:
    """Run the yearly notebooks for a study and return what happened.

    Parameters
    ----------
    study
        The run's :class:`~evaluation.settings.RunSettings` (as the command line builds
        them; the other arguments are then ignored but ``notebooks``), or a study folder
        as a user would give it (kept as given in the runs' parameters).
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
        Output folder (default: ``EVALUATION_OUTPUT_ROOT``, else ``reports``); outputs go
        to ``<out>/<study name>/<year>/``.
    notebooks
        The notebooks to run (default: ``notebooks/02_estimate.ipynb`` and
        ``notebooks/03_brief.ipynb``).
    progress
        Progress bars on stderr.
    warm_start
        Fork runs from a warm process (faster; each run still has its own process and
        kernel); false starts every run in a fresh interpreter.

    Raises
    ------
    ParameterError
        A bad option or parameter, or an output folder that holds another study's outputs
        (before any kernel starts).
    LockError
        Another batch holds the output folder.
    OSError
        The output folder cannot be written (the disk is full before any run starts).

    Examples
    --------
    >>> res = run_batch("data/demo", years="2023-2024", langs=["id", "en"])  # doctest: +SKIP
    >>> res.exit_code  # doctest: +SKIP
    0
    """
    if isinstance(study, RunSettings):
        settings = study
    else:
        options = check_options(jobs=jobs, retries=retries, timeout=timeout, force=force,
                                resume=resume, scheduler=scheduler, progress=progress,
                                warm_start=warm_start, spelling="notebook")
        settings = resolve_run(study, years=years, langs=langs, seed=seed, out=out,
                               options=options)
    lang = settings.lang
    if notebooks is None:
        folder_option = settings.options.notebooks
        notebooks = (NotebookSet.from_folder(folder_option, lang=lang) if folder_option
                     else default_notebooks())
    nb_sha = {str(nb.resolve()): notebook_sha256(nb, lang=lang)
              for nb in (notebooks.estimate, notebooks.brief)}
    specs = plan_runs(settings, notebooks, cwd=os.getcwd())
    folder = settings.study_out
    with batch_lock(folder, lang=lang):
        claim_output_folder(folder, settings.config, lang=lang)
        clean_stale_temporaries(folder)
        shutil.rmtree(staging_root(settings.out_root, settings.study_name), ignore_errors=True)
        # the cache is not an output: entries left by killed runs and long-unused ones go
        _cache.prune(cache_root(settings.out_root, settings.study_name))
        return BatchLoop(settings, specs, folder, nb_sha).run()


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
           "plan_runs", "render_index", "run_batch", "run_error", "write_index"]
