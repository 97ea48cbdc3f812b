"""A content-addressed cache of validated tables and panels (Parquet on disk).

Every yearly run of a batch loads the same input files: reading, validating and
pseudonymising them, then building the unit-year panel, takes most of a run that is not
estimation. :func:`evaluation.load_study` therefore keeps what it produced in a cache
folder when one is given (``cache_dir=`` or the environment variable
``EVALUATION_CACHE_DIR``, which the batch sets to ``<out>/<study>/.cache``).

What an entry holds and how it is found
    An entry holds exactly what :class:`evaluation.Study` holds (the pseudonymised
    tables, their ``attrs``, the notes and input hashes), or one built panel; never a raw
    NIP, a name or the secret. Its key is a SHA-256 over the SHA-256 of every input file
    and of ``study.yaml``, the toolkit's source hash, the versions of the libraries that
    read and write the tables, and a slow salted hash of the pseudonymisation secret.
    Any change to any of these gives a new key: there is no invalidation to get wrong.

How it stays correct
    * An entry is written into a private temporary folder, checked by reading it back
      (the frames must equal what was computed, dtype for dtype), and only then renamed
      into place; two processes filling the same key both end with a valid entry (the
      loser of the rename discards its copy).
    * ``entry.json`` records the SHA-256 and size of every file; an entry whose files do
      not match, cannot be parsed, or is incomplete is ignored, removed and rebuilt.
    * Deleting the cache folder, or any entry in it, is always safe: the next run
      rebuilds what it needs.

The cache folder is made readable by its owner only: it holds row-level (pseudonymised)
records, while the reports beside it hold aggregates.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where frames are read or written: the batch
    import pandas as pd  # runner imports this module for its constants only

__all__ = [
    "CACHE_DIR_ENV",
    "CacheEntry",
    "cache_dir_from_env",
    "cache_key",
    "fetch",
    "prune",
    "secret_digest",
    "store",
]

#: Environment variable naming the cache folder (set by the batch runner for every run).
CACHE_DIR_ENV = "EVALUATION_CACHE_DIR"
#: Bumped whenever the layout of an entry changes (old entries are then simply unused).
FORMAT = 1
#: Libraries whose version can change how a table is read, checked or written.
_KEY_PACKAGES = ("pandas", "pyarrow", "numpy", "pandera")
_ENTRY_FILE = "entry.json"
_TMP_PREFIX = ".tmp-"
_README = "README.txt"
_README_TEXT = (
    "Cache of validated, pseudonymised tables and built panels (evaluation toolkit).\n"
    "Deleting this folder, or anything in it, is always safe: the next run rebuilds it.\n"
)
#: PBKDF2 rounds for the secret's digest: a key on disk must not make guessing a weak
#: secret (and with it the NIPs behind the pseudonyms) cheap.
_SECRET_ROUNDS = 100_000


@dataclass(frozen=True)
class CacheEntry:
    """What :func:`fetch` returns: the frames (by name) and the entry's metadata."""

    frames: Mapping[str, pd.DataFrame]
    meta: Mapping[str, Any]


# ---- keys -----------------------------------------------------------------------------------


def cache_dir_from_env() -> Path | None:
    """The folder named by ``EVALUATION_CACHE_DIR``, or ``None`` when it is unset or empty."""
    value = os.environ.get(CACHE_DIR_ENV, "").strip()
    return Path(value) if value else None


def secret_digest(key: bytes | None, *, salt: str) -> str:
    """A slow, salted digest of the pseudonymisation secret (never the secret itself).

    ``salt`` is the study's combined input hash, so one digest cannot be reused across
    data sets. ``None`` (no secret) gives a fixed marker.
    """
    if key is None:
        return "no-secret"
    digest = hashlib.pbkdf2_hmac(
        "sha256", key, b"evaluation.cache\0" + salt.encode("utf-8"), _SECRET_ROUNDS
    )
    return digest.hex()


def package_versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in _KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def cache_key(kind: str, parts: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of ``parts`` (with the entry kind and format)."""
    text = json.dumps({"format": FORMAT, "kind": kind, **parts}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# ---- reading --------------------------------------------------------------------------------


def _entry_dir(root: Path, kind: str, key: str) -> Path:
    return root / f"{kind}-{key}"


def fetch(root: str | os.PathLike, kind: str, key: str) -> CacheEntry | None:
    """The entry ``kind``/``key`` under ``root``, or ``None`` (missing or not intact).

    An entry that exists but is not intact (a file missing, truncated or altered, a
    metadata file that cannot be parsed) is removed, so that the caller's :func:`store`
    replaces it. Never raises for the cache's own state.
    """
    folder = _entry_dir(Path(root), kind, key)
    if not folder.is_dir():
        return None
    entry = _read_entry(folder, kind, key)
    if entry is None:
        _discard_if_broken(folder, kind, key)
        return None
    with contextlib.suppress(OSError):  # "last used", for prune()
        os.utime(folder / _ENTRY_FILE)
    return entry


def _read_entry(folder: Path, kind: str, key: str) -> CacheEntry | None:
    import pandas as pd

    try:
        meta = json.loads((folder / _ENTRY_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("kind") != kind or meta.get("key") != key:
            return None
        frames: dict[str, pd.DataFrame] = {}
        for name, info in meta["frames"].items():
            data = (folder / info["file"]).read_bytes()
            if len(data) != info["size"] or hashlib.sha256(data).hexdigest() != info["sha256"]:
                return None
            df = pd.read_parquet(io.BytesIO(data))
            df.attrs = _decode(info["attrs"])
            frames[name] = df
        return CacheEntry(frames=frames, meta=meta["meta"])
    except Exception:  # noqa: BLE001 - a damaged cache is a miss, whatever the damage
        return None


def _discard_if_broken(folder: Path, kind: str, key: str) -> None:
    # Another process may have replaced the broken entry with a good one meanwhile.
    if _read_entry(folder, kind, key) is not None:
        return
    trash = folder.parent / f"{_TMP_PREFIX}trash-{uuid.uuid4().hex}"
    try:
        os.rename(folder, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


# ---- writing --------------------------------------------------------------------------------


class _Uncacheable(Exception):
    """A frame does not survive the Parquet round trip exactly: do not cache it."""


def store(
    root: str | os.PathLike,
    kind: str,
    key: str,
    frames: Mapping[str, pd.DataFrame],
    meta: Mapping[str, Any],
) -> bool:
    """Write an entry atomically; ``True`` when the entry is in place afterwards.

    Written into a unique temporary folder, read back and compared with ``frames``
    (values, dtypes, index and ``attrs`` exactly), then renamed into place. When another
    process got there first its entry is kept and this copy discarded. Failures (disk
    full, permissions, a frame Parquet cannot hold exactly) leave no entry and no error:
    the cache is only ever a shortcut.
    """
    root = Path(root)
    final = _entry_dir(root, kind, key)
    tmp = root / f"{_TMP_PREFIX}{kind}-{uuid.uuid4().hex}"
    try:
        _ensure_root(root)
        tmp.mkdir()
        listing = {}
        for i, (name, df) in enumerate(frames.items()):
            file = f"{i:03d}.parquet"
            listing[name] = {**_write_frame(df, tmp / file), "file": file}
        text = json.dumps({"format": FORMAT, "kind": kind, "key": key, "frames": listing,
                           "meta": meta, "created": time.time()},
                          sort_keys=True, indent=1, ensure_ascii=True, allow_nan=False)
        _write_synced(tmp / _ENTRY_FILE, text.encode("ascii"))
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.is_dir():  # not a lost race: something else is wrong
                raise
        return final.is_dir()
    except (OSError, ValueError, TypeError, _Uncacheable):
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _ensure_root(root: Path) -> None:
    if not root.is_dir():
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    readme = root / _README
    if not readme.exists():
        with contextlib.suppress(OSError):
            part = root / f"{_TMP_PREFIX}readme-{uuid.uuid4().hex}"
            part.write_text(_README_TEXT, encoding="utf-8")
            os.replace(part, readme)


def _write_frame(df: pd.DataFrame, path: Path) -> dict[str, Any]:
    import pandas as pd

    attrs = _encode(df.attrs)
    if not _same(_decode(attrs), df.attrs):
        raise _Uncacheable("attrs")
    plain = df.copy(deep=False)
    plain.attrs = {}  # kept in entry.json, exactly, rather than in Parquet metadata
    buf = io.BytesIO()
    plain.to_parquet(buf, engine="pyarrow")
    data = buf.getvalue()
    back = pd.read_parquet(io.BytesIO(data))
    try:
        pd.testing.assert_frame_equal(back, plain, check_exact=True, check_index_type=True,
                                      check_column_type=True, check_frame_type=True,
                                      check_names=True, check_flags=True)
    except AssertionError:
        raise _Uncacheable("frame") from None
    if type(back.index) is not type(plain.index):
        raise _Uncacheable("index")
    _write_synced(path, data)
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "attrs": attrs}


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


# ---- attrs: JSON with tuples, exactly ---------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return {"float": repr(value)}
    if type(value) is list:
        return [_encode(v) for v in value]
    if type(value) is tuple:
        return {"tuple": [_encode(v) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        # pairs, not an object: entry.json is written with sorted keys, attrs keep order
        return {"dict": [[k, _encode(v)] for k, v in value.items()]}
    raise _Uncacheable(f"attrs value of type {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        ((tag, inner),) = value.items()
        if tag == "float":
            return float(inner)
        if tag == "tuple":
            return tuple(_decode(v) for v in inner)
        if tag == "dict":
            return {k: _decode(v) for k, v in inner}
        raise ValueError(f"unknown tag {tag!r}")
    return value


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b)
    return a == b


# ---- housekeeping -----------------------------------------------------------------------------


def prune(
    root: str | os.PathLike,
    *,
    unused_days: float = 30.0,
    temporary_hours: float = 1.0,
    now: Callable[[], float] = time.time,
) -> list[Path]:
    """Remove entries unused for ``unused_days`` and temporaries older than ``temporary_hours``.

    Temporaries are left by processes killed while writing; a young one may belong to a
    process still writing, so it is kept. Returns what was removed.
    """
    root = Path(root)
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    t = now()
    for path in root.iterdir():
        if not path.is_dir():
            continue
        try:
            if path.name.startswith(_TMP_PREFIX):
                stale = t - path.stat().st_mtime > temporary_hours * 3600
            else:
                marker = path / _ENTRY_FILE
                age = t - (marker.stat().st_mtime if marker.exists() else path.stat().st_mtime)
                stale = age > unused_days * 86400
        except OSError:
            continue
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
