"""Provenance: which code, which libraries and which input bytes produced a result.

``collect`` gathers it without timestamps, so a result that embeds it stays
byte-identical across runs of the same inputs; timestamps belong in the batch
manifest. Used by the batch manifest (:mod:`evaluation.batch.manifest`) and by
:mod:`evaluation.brief.report` for ``results.json``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from ._io import sha256_file
from .config import STUDY_FILE, StudyConfig, read_study_config

#: Libraries whose version can change a number or a page.
KEY_PACKAGES: tuple[str, ...] = (
    "evaluation", "numpy", "pandas", "scipy", "statsmodels", "pyfixest", "wildboottest",
    "pandera", "matplotlib", "seaborn", "jinja2", "babel", "weasyprint", "openpyxl",
    "pyarrow", "papermill", "nbclient", "nbformat", "ipykernel",
)

_PACKAGE_ROOT = Path(__file__).resolve().parent


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (``None`` when it is not installed)."""
    return dict(_package_versions(tuple(names)))


@lru_cache(maxsize=8)
def _package_versions(names: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    out: list[tuple[str, str | None]] = []
    for name in names:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, None))
    return tuple(out)


def git_state(folder: str | os.PathLike | None = None) -> tuple[str | None, bool | None]:
    """``(commit, dirty)`` of the toolkit's checkout, or ``(None, None)`` outside git.

    ``dirty`` looks only at tracked files of the toolkit itself (the ``evaluation``
    package and ``notebooks``), so outputs written into the checkout do not count.
    """
    return _git_state(str(Path(folder) if folder else _PACKAGE_ROOT.parent))


@lru_cache(maxsize=4)
def _git_state(folder: str) -> tuple[str | None, bool | None]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True,
                                  timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None, None
    status = git("status", "--porcelain", "--untracked-files=no", "--", "evaluation", "notebooks")
    return commit, bool(status) if status is not None else None


def toolkit_sha256() -> str:
    """One hash over the toolkit's source (Python modules and templates).

    Changes to the code change this hash even when the version number does not, so a
    cached run is redone after the code it ran changes.
    """
    h = hashlib.sha256()
    for path in sorted(_PACKAGE_ROOT.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc",):
            continue
        h.update(path.relative_to(_PACKAGE_ROOT).as_posix().encode())
        h.update(b"\0")
        h.update(sha256_file(path).encode())
    return h.hexdigest()


def input_hashes(
    study: str | os.PathLike[str] | StudyConfig,
) -> tuple[dict[str, str | None], str]:
    """SHA-256 of ``study.yaml`` and of each input table the study declares, and one over all.

    ``study`` is the study folder or its configuration, already read. Keys are file names
    relative to the study folder (the table's declared ``file``); a declared table that is
    missing hashes to ``None`` (the loader reports it).
    """
    cfg = study if isinstance(study, StudyConfig) else read_study_config(study)
    files: dict[str, str | None] = {STUDY_FILE: sha256_file(cfg.root / STUDY_FILE)}
    for name in sorted(cfg.tables):
        path = cfg.table_path(name)
        files[cfg.tables[name].file] = sha256_file(path) if path.is_file() else None
    h = hashlib.sha256()
    for key in sorted(files):
        h.update(key.encode())
        h.update(b"\0")
        h.update((files[key] or "missing").encode())
        h.update(b"\n")
    return files, h.hexdigest()


def collect(
    study_dir: str | os.PathLike[str] | StudyConfig,
    *,
    notebook: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Provenance of a run: code, libraries, input data and (optionally) the notebook.

    Parameters
    ----------
    study_dir
        The study folder (with ``study.yaml``), or its configuration already read.
    notebook
        The notebook that ran, if any: its SHA-256 is included.

    Returns
    -------
    dict
        ``git_commit``, ``git_dirty``, ``toolkit_version``, ``toolkit_sha256``,
        ``packages`` (name -> version), ``inputs`` (file -> sha256), ``data_sha256``
        (one hash over all inputs) and ``notebook_sha256`` (or ``None``). No timestamps:
        the same inputs and code give the same dict.

    Examples
    --------
    >>> prov = collect("data/demo")  # doctest: +SKIP
    >>> sorted(prov)[:3]  # doctest: +SKIP
    ['data_sha256', 'git_commit', 'git_dirty']
    """
    from . import __version__

    commit, dirty = git_state()
    inputs, data_sha = input_hashes(study_dir)
    return {
        "git_commit": commit,
        "git_dirty": dirty,
        "toolkit_version": __version__,
        "toolkit_sha256": toolkit_sha256(),
        "packages": package_versions(),
        "inputs": inputs,
        "data_sha256": data_sha,
        "notebook_sha256": sha256_file(notebook) if notebook is not None else None,
    }


__all__ = ["KEY_PACKAGES", "collect", "git_state", "input_hashes", "package_versions",
           "toolkit_sha256"]
