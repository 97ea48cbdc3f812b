"""The run manifest ``reports/<study>/manifest.json``: what ran, with what, and how it went.

One record per run (``"<year>/estimate"``, ``"<year>/brief.<lang>"``), rewritten atomically
after every run, so a batch killed at any moment leaves a manifest that says what
happened. A record holds the parameters, the status, start and duration, the error
summary (cell, ename, evalue), the output files with their SHA-256, and the fingerprint
of everything the run depended on (notebook, parameters, input data, package versions,
toolkit source, and for a brief the ``results.json`` it read).

Statuses: ``ok``, ``cached`` (unchanged, not run again), ``failed`` (a cell raised),
``killed`` (the kernel or run process died), ``timeout``, ``interrupted``; while a batch
runs also ``pending`` (not started) and ``running``; ``skipped`` for a brief whose
estimation run did not succeed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from .._io import sha256_file, write_json

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1

Status = Literal["ok", "cached", "failed", "killed", "timeout", "interrupted", "pending",
                 "running", "skipped"]
#: Statuses whose outputs are complete.
DONE: frozenset[str] = frozenset({"ok", "cached"})
Mode = Literal["incremental", "resume", "force"]


def fingerprint(parts: Mapping[str, Any]) -> str:
    """One SHA-256 over the canonical JSON of what a run depends on."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def empty_manifest(study: str) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "study": study, "batch": {}, "runs": {}}


def read_manifest(folder: str | os.PathLike[str], study: str) -> dict[str, Any]:
    """The manifest in ``folder``, or an empty one; an unreadable manifest is set aside.

    A manifest is always written atomically, so an unreadable one was edited by hand or
    comes from another tool: it is renamed to ``manifest.unreadable.json`` (every run is
    then redone) rather than silently overwritten.
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.exists():
        return empty_manifest(study)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("runs"), dict):
            raise ValueError("not a manifest")
    except ValueError:
        os.replace(path, path.with_name("manifest.unreadable.json"))
        return empty_manifest(study)
    return data


def write_manifest(folder: str | os.PathLike[str], manifest: Mapping[str, Any]) -> Path:
    """Write the manifest atomically (temporary file, then rename)."""
    return write_json(Path(folder) / MANIFEST_NAME, manifest)


def outputs_intact(record: Mapping[str, Any], year_dir: str | os.PathLike[str]) -> bool:
    """Whether every output the record lists exists with the recorded SHA-256."""
    outputs = record.get("outputs") or {}
    if not outputs:
        return False
    folder = Path(year_dir)
    for name, digest in outputs.items():
        path = folder / name
        if not path.is_file() or sha256_file(path) != digest:
            return False
    return True


def can_skip(
    record: Mapping[str, Any] | None,
    *,
    fingerprint_now: str,
    upstream_sha256: str | None,
    year_dir: str | os.PathLike[str],
    mode: Mode,
) -> bool:
    """Whether a run can be reported as cached instead of run again.

    ``incremental``: the last run succeeded, nothing it depends on changed, and its
    outputs are intact. ``resume``: the last run succeeded and its outputs (and, for a
    brief, the results it read) are intact, whatever else changed. ``force``: never.
    """
    if mode == "force" or not record or record.get("status") not in DONE:
        return False
    if upstream_sha256 is not None and record.get("upstream_sha256") != upstream_sha256:
        return False
    if mode == "incremental" and record.get("fingerprint") != fingerprint_now:
        return False
    return outputs_intact(record, year_dir)


def counts(runs: Mapping[str, Mapping[str, Any]], keys: list[str] | None = None) -> dict[str, int]:
    """Number of runs per status (only ``keys`` when given)."""
    out: dict[str, int] = {}
    for key, rec in runs.items():
        if keys is not None and key not in keys:
            continue
        out[rec.get("status", "pending")] = out.get(rec.get("status", "pending"), 0) + 1
    return out


__all__ = ["DONE", "MANIFEST_NAME", "can_skip", "counts", "empty_manifest", "fingerprint",
           "outputs_intact", "read_manifest", "write_manifest"]
