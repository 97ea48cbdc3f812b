"""The writing edge of the synthetic demo: deterministic CSV and Parquet bytes, the
study.yaml and README.md written beside the data, and :func:`generate`.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import _io
from ..errors import EvaluationError
from ._spec import (
    ACTIVITIES,
    AGENCIES,
    DEFAULT_SEED,
    FIRST_YEAR,
    KECAMATAN_POPULATION_2022,
    LAST_YEAR,
    NEW_UNIT,
    NEW_UNIT_YEAR,
    NONKLASIKAL_CREDIT,
    PROGRAMME_NAME,
    SKM_ELEMENTS,
    TOPICS,
)
from ._truth import truth_markdown
from .generator import DemoData, simulate

# ---- the words written beside the data --------------------------------------------------------

_STUDY_YAML = """\
# Demo study: Kota Semarang, {first}-{last}. SYNTHETIC DATA.
# Made by `evaluation demo-data --seed {seed}{scale_arg}`; the true effects are in TRUTH.md.
# Agency names are the city's public names; every person, number and record is invented.
name: {name}
title: "Studi demo: pengembangan kompetensi ASN dan kualitas layanan Kota Semarang"
title_en: "Demo study: ASN competency development and service quality in Kota Semarang"
region: Kota Semarang
issuer: BKPP Kota Semarang
synthetic: true
unit_level: opd
years: {{first: {first}, last: {last}}}
language: id
number_locale: id
min_cell_size: 5
price_base_year: {last}
seed: {seed}

tables:
  units: units.csv
  staff: staff.csv
  training: {training}
  skm: {skm}
  performance: iku.csv
  cpi: cpi.csv
  programme: programme.csv

measures:
  investment: [jp_per_asn, share_20jp, spend_per_asn_real]
  quality: [ikm]
  outcome: [iku_achievement]
  control: [log_asn_count]

headline: {{exposure: jp_per_asn, outcome: ikm, lag: 1}}
lags: [0, 1, 2]
leads: [1]
fixed_effects: [unit, year]
cluster: unit

ikm:
  weighting: exact
  population_column: population_served

jp:
  entitlement: 20
  minutes_per_jp: 45
  # JP credited per recorded JP for nonklasikal activities (agencies set their own)
  nonklasikal_credit: {{{credit}}}
  nonklasikal_credit_by_unit: {{}}

# Topic groups: a training record belongs to a topic when its programme title contains
# one of the keywords (case ignored; a keyword matches at the start of a word)
topics:
{topics}

programme:
  name: "{programme}"
  name_en: "Public Management Course (university partnership)"

missing: {{policy: drop}}
# Two identical records can be real here (two mentoring sessions of the same day).
duplicates: keep

privacy:
  # A fixed key is allowed only because this study is synthetic; real studies read
  # their secret from the EVALUATION_SECRET environment variable or a file.
  pseudonym_key: "demo-synthetic-key-not-secret"
"""


def study_yaml(seed: int, *, scale: int = 1, files: dict[str, str] | None = None) -> str:
    """The study.yaml of the demo (``scale`` > 1: of the demo city ``scale`` times, with
    the training and SKM tables at ``files``)."""
    files = files or {"training": "training.parquet", "skm": "skm.parquet"}
    credit = ", ".join(f"{k}: {v}" for k, v in NONKLASIKAL_CREDIT.items())
    topics = "\n".join(
        f"  {name}: [{', '.join(json.dumps(k, ensure_ascii=False) for k in words)}]"
        for name, words in TOPICS.items()
    )
    return _STUDY_YAML.format(
        first=FIRST_YEAR, last=LAST_YEAR, seed=seed, credit=credit, programme=PROGRAMME_NAME,
        topics=topics, name="demo" if scale == 1 else f"demo_x{scale}",
        scale_arg="" if scale == 1 else f" --scale {scale}", **files,
    )


def _readme(data: DemoData) -> str:
    t = data.tables
    n_asn = t["staff.csv"].groupby("tahun")["jumlah_asn"].sum()
    return f"""\
# Demo study: Kota Semarang {FIRST_YEAR}-{LAST_YEAR} (SYNTHETIC DATA)

**These data are synthetic.** The names of the agencies (OPD) and kecamatan are the city's
public names, and the kecamatan populations are the 2022 BPS figures; everything else (every
person, name, NIP, training record, cost, survey answer, IKU figure, complaint count and the
price index) is invented by a program. Nothing here describes the real Kota Semarang, its
agencies or its civil servants. Results computed from these files are about the simulation only.

## How they were made

```
evaluation demo-data --seed {data.seed} --out data/demo
```

The generator (`evaluation/demo/`) rebuilds every file here byte for byte from the seed
(the same versions of NumPy, pandas and pyarrow assumed). The true effects built into the data,
and the specification that recovers each, are in [TRUTH.md](TRUTH.md).

## Files

| File | Rows | Columns | Content |
|---|---|---|---|
| `study.yaml` | | | The study declaration (`synthetic: true`) |
| `units.csv` | {len(t["units.csv"])} | kode_opd; nama_opd; jenis_opd; sektor; populasi_layanan; tahun_dibentuk | {len(AGENCIES)} agencies and {len(KECAMATAN_POPULATION_2022)} kecamatan offices; {NEW_UNIT} created in {NEW_UNIT_YEAR} |
| `staff.csv` | {len(t["staff.csv"])} | kode_opd; tahun; jumlah_asn | ASN per unit-year ({n_asn.min():,}-{n_asn.max():,} in all) |
| `training.parquet` | {len(t["training.parquet"]):,} | nip, nama, kode_opd, tahun, tanggal, jp, jenis_kompetensi, jalur, bentuk, program, biaya | One row per training event per ASN (no rows for an ASN without training that year); fake NIPs and names; `biaya` in nominal rupiah |
| `skm.parquet` | {len(t["skm.parquet"]):,} | kode_opd, tahun, id_responden, u1-u9 | Respondent-level SKM answers (1-4; about 1% of answers skipped, stored as missing) |
| `iku.csv` | {len(t["iku.csv"])} | kode_opd; tahun; capaian_iku; pengaduan | IKU achievement (% of target) and complaints |
| `cpi.csv` | {len(t["cpi.csv"])} | tahun; ihk | Approximate consumer price index, 2018 = 100 (synthetic: built from rounded yearly inflation, not an official series) |
| `programme.csv` | {len(t["programme.csv"])} | kode_opd; tahun_angkatan | Units that joined the "{PROGRAMME_NAME}", by cohort year; units not listed never joined |

CSV files are UTF-8, semicolon-separated, with decimal commas (the study declares
`number_locale: id`). Parquet files carry the same Indonesian column names.

Codes used: `jenis_kompetensi` is written as a city writes it (`Teknis`, `Manajerial`,
`Sosial Kultural`); `jalur` is `klasikal` or `nonklasikal`; `bentuk` is one of
{", ".join(f"`{b}`" for b in ACTIVITIES)}. Nonklasikal JP are credited with the factors in
`study.yaml` (`jp.nonklasikal_credit`; a seminar counts half). Programme titles about
information technology, applications and e-government match the `topics.digital` keywords
of `study.yaml`.
"""


# ---- the writing edge ----------------------------------------------------------------------------

PARQUET_OPTIONS = MappingProxyType(
    dict(
        compression="zstd",
        compression_level=9,
        use_dictionary=True,
        write_statistics=False,
        store_schema=False,
        version="2.6",
        data_page_version="1.0",
        row_group_size=1_000_000,
    )
)


def csv_text(df: pd.DataFrame) -> str:
    """Semicolon-separated, decimal comma, ``\\n`` line ends (the study's ``number_locale: id``)."""
    buf = io.StringIO()
    df.to_csv(buf, sep=";", decimal=",", index=False, lineterminator="\n", float_format="%.2f")
    return buf.getvalue()


def arrow_table(df: pd.DataFrame) -> pa.Table:
    """The demo's tables with explicit Arrow types and no pandas schema metadata."""
    fields = []
    for col in df.columns:
        if col == "tanggal":
            typ = pa.date32()
        elif col in SKM_ELEMENTS:
            typ = pa.int8()
        elif col == "tahun":
            typ = pa.int32()
        elif col == "biaya":
            typ = pa.int64()
        elif col == "jp":
            typ = pa.float64()
        else:
            typ = pa.string()
        fields.append(pa.field(col, typ))
    arrays = []
    for f in fields:
        s = df[f.name]
        if f.type == pa.string():
            arrays.append(pa.array(s.astype(object).to_numpy(), type=pa.string()))
        elif f.type == pa.int8():
            arrays.append(
                pa.array(s.astype(object).where(s.notna(), None).to_numpy(), type=pa.int8())
            )
        else:
            arrays.append(pa.array(s.to_numpy(), type=f.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """Deterministic Parquet: explicit types, no pandas or Arrow schema metadata, fixed codec."""
    sink = pa.BufferOutputStream()
    pq.write_table(arrow_table(df), sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def _is_synthetic_study(folder: Path) -> bool | None:
    """``None`` when there is no study.yaml, else whether it says ``synthetic: true``."""
    import yaml

    path = folder / "study.yaml"
    if not path.is_file():
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return False
    return isinstance(raw, dict) and raw.get("synthetic") is True


def check_writable(out: Path) -> None:
    """Refuse a folder whose study.yaml is not marked ``synthetic: true``."""
    if _is_synthetic_study(out) is False:
        raise EvaluationError(
            f"{out / 'study.yaml'}: this folder holds a study that is not marked 'synthetic: true'; "
            "demo-data will not overwrite it. Choose another folder with --out, or remove the "
            "folder first if it really is a disposable demo."
        )


def generate(out_dir: str | Path = "data/demo", *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo study (data, study.yaml, README.md, TRUTH.md) to ``out_dir``.

    Refuses to write into a folder whose ``study.yaml`` is not marked ``synthetic: true``,
    so a real study is never overwritten. Every file is written atomically.

    Returns
    -------
    list of Path
        The files written, in a fixed order.
    """
    out = Path(out_dir)
    check_writable(out)
    data = simulate(seed)
    written = []
    for name, df in data.tables.items():
        if name.endswith(".csv"):
            written.append(_io.write_text(out / name, csv_text(df)))
        else:
            written.append(_io.write_bytes(out / name, parquet_bytes(df)))
    written.append(_io.write_text(out / "study.yaml", study_yaml(seed)))
    written.append(_io.write_text(out / "README.md", _readme(data)))
    written.append(_io.write_text(out / "TRUTH.md", truth_markdown(data)))
    return written
