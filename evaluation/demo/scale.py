"""The demo city K times: a scaled synthetic study for benchmarks and scale tests.

Copy 1 is the demo itself; copy j >= 2 repeats every unit with a new code
(``<code>_K<j>``), and every ASN with a new NIP (the birth date moved j - 1 days later,
the sequence digits renumbered so that no two persons share a NIP). Every copy holds the
same records as the demo, so the truths are the demo's and every estimate of a scaled
study equals the demo's (with K times the clusters).

Two layouts: ``file`` writes one Parquet file per table (what the in-memory loader reads);
``partitioned`` writes ``training/`` and ``skm/`` as folders of Parquet files by year
(``tahun=2015/part-0.parquet``, ...), the layout the out-of-core engine streams from for
national-scale studies.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import _io
from ..errors import ParameterError
from ._spec import DEFAULT_SEED
from .generator import DemoData, simulate
from .writer import arrow_table, check_writable, csv_text, study_yaml

#: Largest scale: the NIP birth dates move at most this many days (ages stay plausible).
MAX_SCALE = 1000
Layout = Literal["file", "partitioned"]
_ROWS_PER_GROUP = 1_000_000
_OPTIONS = {"compression": "zstd", "compression_level": 1, "use_dictionary": True,
            "write_statistics": True, "version": "2.6"}


def unit_code(code: str, copy: int) -> str:
    """The code of a unit in copy ``copy`` (1 keeps the demo's code)."""
    return code if copy == 1 else f"{code}_K{copy:04d}"


def scaled_nips(nips: np.ndarray, scale: int) -> np.ndarray:
    """NIPs of every copy as an array (copy, person) of 18-digit numbers, all distinct
    (int64: a country's NIPs as text would take gigabytes; each copy is written as text).

    The birth date of copy j moves j - 1 days later; the last three digits (sequence)
    are renumbered within each birth date + appointment + sex prefix, in copy order, so
    that persons of different copies never share a NIP.
    """
    text = pd.Series(nips, dtype="str")
    birth = pd.to_datetime(text.str[:8], format="%Y%m%d").to_numpy()
    rest = text.str[8:15].astype(np.int64).to_numpy()  # appointment yyyymm + sex
    shift = np.arange(scale, dtype="timedelta64[D]").astype("timedelta64[ns]")
    moved = pd.DatetimeIndex((birth[None, :] + shift[:, None]).ravel())
    ymd = (moved.year * 10_000 + moved.month * 100 + moved.day).to_numpy(dtype=np.int64)
    prefix = ymd * 10_000_000 + np.tile(rest, scale)
    order = np.argsort(prefix, kind="stable")
    sorted_prefix = prefix[order]
    start = np.r_[True, sorted_prefix[1:] != sorted_prefix[:-1]]
    run_start = np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))
    seq = np.empty(len(order), dtype=np.int64)
    seq[order] = np.arange(len(order)) - run_start + 1
    if seq.max() > 999:  # pragma: no cover - needs scales far beyond MAX_SCALE
        raise ParameterError("scale too large: NIP sequence digits would overflow")
    return (prefix * 1000 + seq).reshape(scale, len(nips))


def _copy_tables(data: DemoData, scale: int) -> Callable[[int], dict[str, pd.DataFrame]]:
    """A function giving the training and SKM rows of copy j (1-based)."""
    training = data.tables["training.parquet"]
    nip_code, nips = pd.factorize(training["nip"])
    new_nips = scaled_nips(np.asarray(nips, dtype=str), scale)
    skm = data.tables["skm.parquet"]
    units = {name: pd.factorize(t["kode_opd"]) for name, t in (("training", training),
                                                              ("skm", skm))}

    def codes(name: str, j: int) -> np.ndarray:
        code, uniques = units[name]
        return np.array([unit_code(str(c), j) for c in uniques], dtype=object)[code]

    def copy(j: int) -> dict[str, pd.DataFrame]:
        nips_j = new_nips[j - 1].astype(str).astype(object)
        tr = training.assign(nip=nips_j[nip_code], kode_opd=codes("training", j))
        return {"training": tr, "skm": skm.assign(kode_opd=codes("skm", j))}

    return copy


def _small_tables(data: DemoData, scale: int) -> dict[str, pd.DataFrame]:
    t = data.tables
    out = {}
    for name in ("units.csv", "staff.csv", "iku.csv", "programme.csv"):
        parts = []
        for j in range(1, scale + 1):
            part = t[name].assign(kode_opd=t[name]["kode_opd"].map(lambda c, j=j: unit_code(c, j)))
            if name == "units.csv" and j > 1:
                part = part.assign(nama_opd=part["nama_opd"] + f" (salinan {j})")
            parts.append(part)
        out[name] = pd.concat(parts, ignore_index=True)
    out["cpi.csv"] = t["cpi.csv"]
    return out


class _Sink:
    """Parquet writers for one table: one file, or one file per year."""

    def __init__(self, folder: Path, name: str, layout: Layout) -> None:
        self.folder, self.name, self.layout = folder, name, layout
        self.writers: dict[object, pq.ParquetWriter] = {}
        self.pending: dict[object, list[pa.Table]] = {}
        self.paths: list[Path] = []

    def _path(self, key: object) -> Path:
        if self.layout == "file":
            return self.folder / f"{self.name}.parquet"
        return self.folder / self.name / f"tahun={key}" / "part-0.parquet"

    def add(self, table: pa.Table) -> None:
        if self.layout == "file":
            self._queue(None, table)
            return
        years = table.column("tahun").to_numpy()
        for year in np.unique(years):
            self._queue(int(year), table.filter(pa.array(years == year)))

    def _queue(self, key: object, table: pa.Table) -> None:
        self.pending.setdefault(key, []).append(table)
        if sum(t.num_rows for t in self.pending[key]) >= _ROWS_PER_GROUP:
            self._flush(key)

    def _flush(self, key: object) -> None:
        tables = self.pending.pop(key, [])
        if not tables:
            return
        table = pa.concat_tables(tables)
        if key not in self.writers:
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[key] = pq.ParquetWriter(str(path) + ".tmp", table.schema, **_OPTIONS)
            self.paths.append(path)
        self.writers[key].write_table(table, row_group_size=_ROWS_PER_GROUP)

    def close(self) -> list[Path]:
        for key in list(self.pending):
            self._flush(key)
        for writer in self.writers.values():
            writer.close()
        for path in self.paths:
            Path(str(path) + ".tmp").replace(path)  # complete files appear whole
        return self.paths


def generate_scaled(out_dir: str | Path, *, scale: int, seed: int = DEFAULT_SEED,
                    layout: Layout = "file") -> list[Path]:
    """Write the demo city ``scale`` times to ``out_dir`` (see the module docstring).

    Returns
    -------
    list of Path
        The files written.
    """
    if not 1 <= scale <= MAX_SCALE:
        raise ParameterError(f"--scale: expecting a whole number from 1 to {MAX_SCALE}. "
                             f"Got {scale}.")
    out = Path(out_dir)
    check_writable(out)
    data = simulate(seed)
    written = [_io.write_text(out / name, csv_text(df))
               for name, df in _small_tables(data, scale).items()]
    sinks = {name: _Sink(out, name, layout) for name in ("training", "skm")}
    copy = _copy_tables(data, scale)
    for j in range(1, scale + 1):
        for name, df in copy(j).items():
            sinks[name].add(arrow_table(df))
    for sink in sinks.values():
        written += sink.close()
    files = {"training": "training.parquet", "skm": "skm.parquet"}
    if layout == "partitioned":
        files = {"training": "training/", "skm": "skm/"}
    written.append(_io.write_text(out / "study.yaml",
                                  study_yaml(seed, scale=scale, files=files)))
    written.append(_io.write_text(out / "README.md", _readme(seed, scale, layout)))
    return written


def _readme(seed: int, scale: int, layout: Layout) -> str:
    return f"""\
# Demo study x {scale} (SYNTHETIC DATA)

**These data are synthetic**: the demo city of `evaluation demo-data --seed {seed}`,
repeated {scale} times with new unit codes (`<code>_K<copy>`) and new NIPs, for benchmarks
and scale tests (layout: {layout}). Every copy holds the same records as the demo, so the
truths are the demo's (see the demo's TRUTH.md) and the estimates equal the demo's.

Made by `evaluation demo-data --seed {seed} --scale {scale} --layout {layout}`.
"""
