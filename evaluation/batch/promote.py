"""Moving a finished run's files into place, and what a full disk leaves behind.

A run writes only into its staging folder. When it succeeded, its outputs are checked
(each present and, for JSON and notebooks, complete) and moved into
``<out>/<study>/<year>/`` with a rename, which needs no space; when it failed, its
executed notebook is kept as ``*.failed.ipynb``, but only when it is a complete notebook:
a file cut short by a full disk is never moved into place.

:class:`SpaceReserve` keeps a little space back so that, when the disk fills up, the batch
can still write its manifest with a final status.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._io import is_disk_full as disk_full
from .._io import sha256_file
from ..i18n import Formatter
from .runner import RunOutcome, RunSpec

#: Space kept back for the manifest and the index when the disk fills up.
RESERVE_BYTES = 4 << 20
RESERVE_NAME = ".space-reserve"
_ERRNO_PATH = re.compile(r"\[Errno (\d+)\][^']*'(.+)'")


@dataclass
class Promotion:
    """How a run ends once its files are where they belong."""

    status: str
    error: dict[str, Any] | None
    outputs: dict[str, str] = field(default_factory=dict)
    failed_notebook: str | None = None


def failed_name(spec: RunSpec) -> str:
    """Where a failed run's executed notebook is kept (never over a good one)."""
    return spec.executed_name.removesuffix(".ipynb") + ".failed.ipynb"


def complete(path: Path) -> bool:
    """Whether a file a run wrote is whole: not empty, and JSON or a notebook that parses.

    Outputs the toolkit writes itself go through atomic writes (never cut short); the
    executed notebook papermill saves after every cell does not, so it is checked here.
    """
    try:
        if path.stat().st_size == 0:
            return False
        if path.suffix in (".json", ".ipynb"):
            data = json.loads(path.read_bytes())
            return not (path.suffix == ".ipynb" and not isinstance(data.get("cells"), list))
    except (OSError, ValueError, AttributeError):
        return False
    return True


def promote(spec: RunSpec, outcome: RunOutcome, *, lang: str = "id") -> Promotion:
    """Move a run's outputs (or its failed notebook) from staging into its year folder.

    Raises :class:`OSError` only when the year folder itself cannot be made.
    """
    f = Formatter(lang)  # type: ignore[arg-type]
    staging = outcome.staging_year_dir
    status, error = outcome.status, outcome.error
    if status == "ok" and staging is not None:
        missing = [n for n in spec.outputs if not (staging / n).is_file()]
        broken = [n for n in spec.outputs if n not in missing and not complete(staging / n)]
        if missing:
            status, error = "failed", {"cell": None, "ename": "MissingOutput",
                                       "evalue": f.msg("batch.errors.missing_output",
                                                       names=missing)}
        elif broken:
            status, error = "failed", {"cell": None, "ename": "IncompleteOutput",
                                       "evalue": f.msg("batch.errors.incomplete_output",
                                                       names=broken)}
    spec.year_dir.mkdir(parents=True, exist_ok=True)
    if status == "ok" and staging is not None:
        hashes = {n: sha256_file(staging / n) for n in spec.outputs}
        for name in spec.outputs:
            os.replace(staging / name, spec.year_dir / name)
        with contextlib.suppress(FileNotFoundError):  # the earlier failure is resolved
            (spec.year_dir / failed_name(spec)).unlink()
        return Promotion(status, error, hashes, None)
    executed = staging / spec.executed_name if staging is not None else None
    kept = None
    if executed is not None and executed.is_file():
        if complete(executed):
            kept = failed_name(spec)
            os.replace(executed, spec.year_dir / kept)
        else:
            error = {**(error or {}), "note": f.msg("batch.errors.failed_notebook_incomplete")}
    return Promotion(status, error, {}, kept)


# ---- a full disk ------------------------------------------------------------------------------


def disk_full_path(error: dict[str, Any] | None) -> str | None:
    """The path a run could not write because the disk was full, from its error record."""
    if not error:
        return None
    if error.get("errno") in (errno.ENOSPC, errno.EDQUOT):
        return str(error.get("path") or "")
    match = _ERRNO_PATH.search(str(error.get("evalue") or ""))
    if match and int(match.group(1)) in (errno.ENOSPC, errno.EDQUOT):
        return match.group(2)
    if "No space left on device" in str(error.get("evalue") or ""):
        return ""
    return None


class SpaceReserve:
    """A file of ``RESERVE_BYTES`` in the output folder, given back when the disk is full.

    Creating it fails with a full disk before any run starts; releasing it lets the batch
    write its manifest and index with a final status after a write failed for lack of space.
    """

    def __init__(self, folder: Path, size: int = RESERVE_BYTES):
        self.path = folder / RESERVE_NAME
        self.size = size

    def take(self) -> None:
        try:
            with open(self.path, "wb") as fh:
                try:
                    os.posix_fallocate(fh.fileno(), 0, self.size)
                except OSError as exc:
                    if disk_full(exc):
                        raise
                    fh.write(b"\0" * self.size)  # a file system without fallocate
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            self.release()
            if disk_full(exc):
                code = exc.errno or errno.ENOSPC
                raise OSError(code, os.strerror(code), str(self.path)) from None
            raise

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


__all__ = ["RESERVE_NAME", "Promotion", "SpaceReserve", "complete", "disk_full",
           "disk_full_path", "failed_name", "promote"]
