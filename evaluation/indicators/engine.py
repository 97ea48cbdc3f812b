"""The out-of-core engine: the heavy group-bys of a national-scale study in DuckDB.

A country's training records (hundreds of millions of rows) do not fit in pandas on one
machine. Here they stay in Parquet files (one file, or a folder of files, e.g. one per
year) and DuckDB streams them, spilling to a private temporary folder when its memory
limit is reached: what comes back is one row per unit-year (and per person-year only
inside DuckDB). Everything a value means is decided as on the in-memory path: coded
values, credit factors and topics are worked out in Python on the distinct values and
joined in as small tables, and the sums come back as the same :class:`TrainingAggregates`
and IKM tallies that :func:`assemble_intensity` and :func:`ikm_from_element_means` turn
into the panel's columns.

NIPs never leave DuckDB: persons are grouped by a keyed hash of the NIP (the 128-bit MD5
of the study secret followed by the NIP; DuckDB's own 64-bit ``hash`` collided on NIPs in
a test), so a block spilled to disk holds no NIP and no value that can be traced back to
one without the secret; only counts come back.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..columns import TABLE_COLUMNS
from ..errors import DataValidationError, Problem
from ..read import normalise_header
from ..validate.codes import CODED_COLUMNS
from ..validate.codes import normalise_code as _normalise_with
from ._access import assemble_counts, staff_frame
from ._codes import COMPETENCY_TYPES, LEARNING_PATHS, topic_masks
from ._codes import normalise_code as _normalise_key
from ._training import TrainingAggregates

#: Environment variable with DuckDB's memory limit (e.g. ``6GB``); DuckDB's own default
#: (80% of the machine's memory) otherwise.
MEMORY_LIMIT_ENV = "EVALUATION_DUCKDB_MEMORY_LIMIT"
_JP_EPS = 1e-9
_TOP_SHARE = 0.1  # the top 10% of ASN (as in evaluation.indicators access_measures)
_MAX_LISTED = 50


@dataclass(frozen=True)
class ParquetTable:
    """A study table kept on disk: Parquet files and their columns' canonical names.

    ``path`` is one file or a folder searched recursively for ``*.parquet`` (a folder per
    year, ``tahun=2024/``, is read as a column when the files lack it). ``columns`` maps
    canonical name -> column name in the files.
    """

    name: str
    path: Path
    columns: Mapping[str, str] = field(repr=False)
    file: str = ""
    types: Mapping[str, str] = field(default_factory=dict, repr=False)

    def files(self) -> list[Path]:
        return [self.path] if self.path.is_file() else sorted(self.path.rglob("*.parquet"))

    def source(self) -> str:
        """The DuckDB table function reading the files (with file and row of each row)."""
        target = self.path if self.path.is_file() else self.path / "**" / "*.parquet"
        hive = "false" if self.path.is_file() else "true"
        return (f"read_parquet({_literal(str(target))}, filename = true, "
                f"file_row_number = true, union_by_name = true, hive_partitioning = {hive})")

    def col(self, canonical: str) -> str:
        return _ident(self.columns[canonical])


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_table(name: str, path: Path, *, label: str | None = None) -> ParquetTable:
    """Map the files' column names to the canonical ones (the aliases of
    :mod:`evaluation.columns`, headers compared as the readers compare them)."""
    import pyarrow.dataset as ds

    if not path.exists():
        raise DataValidationError(f"{path}: no such file or folder", [Problem(
            file=str(path), message="table not found", rule="path",
            hint="check the path in study.yaml (tables)")])
    dataset = ds.dataset(str(path), format="parquet", partitioning="hive")
    schema = dataset.schema
    present = {normalise_header(c): c for c in schema.names}
    columns = {}
    for canonical, spec in TABLE_COLUMNS[name].items():
        for alias in (canonical, *spec.aliases):
            hit = present.get(normalise_header(alias))
            if hit is not None:
                columns[canonical] = hit
                break
    label = label or path.name
    missing = [c for c, spec in TABLE_COLUMNS[name].items()
               if spec.required and c not in columns and c != "name"]
    if name == "training" and not ({"jp", "hours"} & set(columns)):
        missing.append("jp")
    if missing:
        raise DataValidationError(f"{label}: required column(s) missing", [Problem(
            file=label, column=c, message="column missing", rule="required_column",
            hint=f"add the column (one of: {', '.join(TABLE_COLUMNS[name][c].aliases)})")
            for c in missing])
    types = {c: str(schema.field(f).type) for c, f in columns.items()}
    return ParquetTable(name=name, path=path, columns=columns, file=label, types=types)


@contextmanager
def connect(memory_limit: str | None = None, threads: int | None = None) -> Iterator[Any]:
    """A DuckDB connection that spills to a private temporary folder (removed after)."""
    import duckdb

    spill = tempfile.mkdtemp(prefix="evaluation-spill-")
    os.chmod(spill, 0o700)
    con = duckdb.connect(config={"temp_directory": spill, "preserve_insertion_order": False})
    try:
        limit = memory_limit or os.environ.get(MEMORY_LIMIT_ENV)
        if limit:
            con.execute(f"SET memory_limit = {_literal(limit)}")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


# ---- checks the numbers depend on --------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    column: str
    where: str
    rule: str
    message: str
    hint: str
    show_value: bool = True


def _listed(con: Any, t: ParquetTable, r: _Rule, n: int) -> list[Problem]:
    value = f"CAST({t.col(r.column)} AS VARCHAR)" if r.show_value else "NULL"
    rows = con.execute(
        f"SELECT filename, file_row_number, {value} FROM {t.source()} WHERE {r.where} "
        f"ORDER BY filename, file_row_number LIMIT {_MAX_LISTED}").fetchall()
    out = [Problem(file=Path(f).name if t.path.is_dir() else t.file, row=int(row) + 2,
                   column=t.columns.get(r.column, r.column), value=v, rule=r.rule,
                   message=r.message, hint=r.hint) for f, row, v in rows]
    if n > _MAX_LISTED:
        out.append(Problem(file=t.file, column=t.columns.get(r.column, r.column), rule=r.rule,
                           message=f"{n - _MAX_LISTED:,} more rows like these"))
    return out


def _rules(t: ParquetTable, policy: str, units: Sequence[str]) -> tuple[list[_Rule], str, str]:
    """The checks of a table, the condition of rows missing a required value, and the
    condition of the usable rows."""
    keys = (["unit_id", "year", "nip"] if t.name == "training"
            else ["unit_id", "year", "respondent_id"])
    missing = [f"{t.col(k)} IS NULL" for k in keys]
    if t.name == "training":
        durations = [f"{t.col(c)} IS NULL" for c in ("jp", "hours") if c in t.columns]
        missing.append("(" + " AND ".join(durations) + ")")
    bad = " OR ".join(missing)
    usable = f"NOT ({bad})"
    rules = []
    if policy != "drop":
        rules.append(_Rule(keys[0], bad, "missing_value", "a required value is missing",
                           "fill in the value, or set missing.policy in study.yaml to 'drop'",
                           show_value=False))
    rules.append(_Rule("unit_id", f"{usable} AND CAST({t.col('unit_id')} AS VARCHAR) NOT IN "
                       "(SELECT unit_id FROM known_units)", "unit_in_units_table",
                       "unit code not in the units table",
                       "use a unit code of the units table, or add the unit there"))
    if t.name == "training":
        for col in ("jp", "hours"):
            if col in t.columns:
                rules.append(_Rule(col, f"{usable} AND TRY_CAST({t.col(col)} AS DOUBLE) < 0",
                                   "jp_or_hours", "negative duration",
                                   "give the JP (jam pelajaran) or clock hours of the activity"))
        raw = f"CAST({t.col('nip')} AS VARCHAR)"
        numeric = not t.types.get("nip", "string").startswith(("string", "large_string"))
        # a cheap test first: only a value with an e or E can be scientific notation
        rules.append(_Rule(
            "nip", usable if numeric else
            f"{usable} AND (strpos({raw}, 'E') > 0 OR strpos({raw}, 'e') > 0) AND "
            f"regexp_full_match(regexp_replace({raw}, '\\s', '', 'g'), "
            "'\\d([.,]\\d+)?[eE]\\+?\\d+')",
            "nip_as_number", "the NIP is stored as a number, so its last digits are lost",
            "format the NIP column as Text in the source system's export and export again",
            show_value=False))
    else:
        for k in range(1, 10):
            c = t.col(f"u{k}")
            rules.append(_Rule(
                f"u{k}", f"{usable} AND {c} IS NOT NULL AND (TRY_CAST({c} AS DOUBLE) IS NULL "
                f"OR TRY_CAST({c} AS DOUBLE) NOT IN (1, 2, 3, 4))", "skm_answer_1_4",
                "an SKM answer must be a whole number 1-4",
                "correct the answer, or leave the cell empty if the respondent skipped it"))
    return rules, bad, usable


def check_table(con: Any, t: ParquetTable, *, policy: str, units: Sequence[str],
                duplicates: bool = True) -> tuple[list[Problem], list[str], str]:
    """The problems that would make a number wrong, the notes, and the SQL condition of
    the usable rows. The missing-value policy of study.yaml applies: ``drop`` leaves rows
    missing a required value out (with a note); otherwise they are problems. One pass
    counts every rule; only rules that fail list their first rows."""
    con.register("known_units", pd.DataFrame({"unit_id": pd.Series(list(units), dtype=object)}))
    rules, bad, usable = _rules(t, policy, units)
    # the unit rule is judged on the distinct codes (a set, not a join per row); its
    # rows are listed only when some code is unknown
    unit_rule = next(r for r in rules if r.rule == "unit_in_units_table")
    rules.remove(unit_rule)
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE {bad}), "
        + "".join(f"count(*) FILTER (WHERE {r.where}), " for r in rules)
        + f"list(DISTINCT CAST({t.col('unit_id')} AS VARCHAR)) FILTER (WHERE {usable}) "
        f"FROM {t.source()}").fetchall()[0]
    unknown = set(row[-1] or ()) - set(units)
    counts = [row[0], *row[1:-1]]
    if unknown:
        rules.append(unit_rule)
        counts.append(con.execute(f"SELECT count(*) FROM {t.source()} WHERE {unit_rule.where}"
                                  ).fetchall()[0][0])
    notes = []
    if counts[0] and policy == "drop":
        notes.append(f"{t.file}: {counts[0]:,} row(s) without a required value dropped "
                     "(missing.policy: drop)")
    problems: list[Problem] = []
    for r, n in zip(rules, counts[1:], strict=True):
        if n:
            problems += _listed(con, t, r, int(n))
    if t.name == "skm" and duplicates:
        problems += duplicate_respondents(con, t, usable)
    return problems, notes, usable


def duplicate_respondents(con: Any, t: ParquetTable, usable: str) -> list[Problem]:
    """The first respondents that appear more than once in a unit, year (and period)."""
    group = [t.col(c) for c in ("unit_id", "year", "period", "respondent_id") if c in t.columns]
    dup = con.execute(
        f"SELECT {', '.join(group)}, count(*) FROM {t.source()} WHERE {usable} GROUP BY ALL "
        f"HAVING count(*) > 1 LIMIT {_MAX_LISTED}").fetchall()
    return [Problem(file=t.file, column=t.columns["respondent_id"],
                    value=" / ".join(str(v) for v in row[:-1]), rule="unique_key",
                    message=f"the same respondent appears {row[-1]} times",
                    hint="keep one row per respondent (and period)") for row in dup]


# ---- the aggregates ----------------------------------------------------------------------------


def _distinct(con: Any, t: ParquetTable, columns: Sequence[str], usable: str
              ) -> dict[str, list[str]]:
    """The distinct values of a few coded columns, in one pass."""
    present = [c for c in columns if c in t.columns]
    if not present:
        return {}
    row = con.execute(
        "SELECT " + ", ".join(f"list(DISTINCT CAST({t.col(c)} AS VARCHAR))" for c in present)
        + f" FROM {t.source()} WHERE {usable}").fetchall()[0]
    return {c: [v for v in values if v is not None] for c, values in zip(present, row,
                                                                          strict=True)}


def _code_frames(distinct: Mapping[str, list[str]]) -> dict[str, pd.DataFrame]:
    """Distinct raw value -> code (the validator's synonyms, then the indicators' normal
    form; codes outside the known ones become NULL for types and paths)."""
    allowed = {"competency_type": COMPETENCY_TYPES, "learning_path": LEARNING_PATHS}
    out = {}
    for col in ("competency_type", "learning_path", "activity"):
        if col not in distinct:
            continue
        raw = distinct[col]
        synonyms = CODED_COLUMNS["training"].get(col, {})
        codes: list[str | None] = [_normalise_key(_normalise_with(v, synonyms)) for v in raw]
        if col in allowed:
            codes = [c if c in allowed[col] else None for c in codes]
        out[col] = pd.DataFrame({"raw": raw, "code": codes}, dtype=object)
    return out


def _credit_frames(config: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    jp = config.jp
    base = pd.DataFrame({"activity": pd.Series([_normalise_key(k) for k in jp.nonklasikal_credit],
                                               dtype=object),
                         "factor": pd.Series([float(v) for v in jp.nonklasikal_credit.values()],
                                             dtype=float)})
    rows = [(str(u), _normalise_key(k), float(v))
            for u, table in jp.nonklasikal_credit_by_unit.items() for k, v in table.items()]
    by_unit = pd.DataFrame({"unit_id": pd.Series([r[0] for r in rows], dtype=object),
                            "activity": pd.Series([r[1] for r in rows], dtype=object),
                            "factor": pd.Series([r[2] for r in rows], dtype=float)})
    return base, by_unit


def _topic_frame(t: ParquetTable, titles: list[str], topics: Mapping[str, Sequence[str]]
                 ) -> pd.DataFrame | None:
    if not topics:
        return None
    if "programme" not in t.columns:
        raise DataValidationError(
            f"{t.file}: study.yaml defines topics ({', '.join(topics)}) but the training "
            "table has no programme titles", [Problem(
                file=t.file, column="programme", message="column missing",
                rule="topics_need_programme",
                hint="add the programme or course title of each record (nama program), or "
                     "remove topics: from study.yaml")])
    series = pd.Series(titles, dtype=object)
    masks = topic_masks(series, topics)
    return pd.DataFrame({"title": series, **{f"t_{k}": v for k, v in masks.items()}})


def _clean_nip(t: ParquetTable) -> str:
    """The NIP as text without whitespace (as the readers and pseudonyms treat it); the
    regular expression runs only on the few values that hold a space or a tab."""
    nip = f"CAST({t.col('nip')} AS VARCHAR)"
    return (f"CASE WHEN strpos({nip}, ' ') > 0 OR strpos({nip}, chr(9)) > 0 "
            f"OR strpos({nip}, chr(160)) > 0 THEN regexp_replace({nip}, '\\s', '', 'g') "
            f"ELSE {nip} END")


def _events_view(con: Any, t: ParquetTable, config: Any, usable: str, key: bytes) -> None:
    """TEMP VIEW ``ev``: unit, year, keyed person, credited JP, codes, topics, cost."""
    topics = dict(getattr(config, "topics", {}) or {})
    distinct = _distinct(con, t, ["competency_type", "learning_path", "activity",
                                  *(["programme"] if topics else [])], usable)
    codes = _code_frames(distinct)
    for col, frame in codes.items():
        con.register(f"code_{col}", frame)
    base, by_unit = _credit_frames(config)
    con.register("credit_base", base)
    con.register("credit_unit", by_unit)
    # 32 hex digits (128 bits) of the key: key and NIP fit one MD5 block
    con.execute("CREATE OR REPLACE TEMP TABLE secret_key AS SELECT $key AS k",
                {"key": hashlib.sha256(key).hexdigest()[:32]}).fetchall()
    jp = f"TRY_CAST({t.col('jp')} AS DOUBLE)" if "jp" in t.columns else "NULL"
    if "hours" in t.columns:
        jp = (f"COALESCE({jp}, TRY_CAST({t.col('hours')} AS DOUBLE) * 60.0 / "
              f"{float(config.jp.minutes_per_jp)})")

    def raw(col: str) -> str:
        return f"CAST({t.col(col)} AS VARCHAR)" if col in t.columns else "NULL"

    cost = f"TRY_CAST({t.col('cost_rp')} AS DOUBLE)" if "cost_rp" in t.columns else "NULL"
    src = (f"SELECT CAST({t.col('unit_id')} AS VARCHAR) AS unit_id, "
           f"CAST({t.col('year')} AS BIGINT) AS year, "
           f"{_clean_nip(t)} AS nip, "
           f"{jp} AS jp_recorded, {raw('competency_type')} AS ctype_raw, "
           f"{raw('learning_path')} AS lpath_raw, {raw('activity')} AS act_raw, "
           f"{raw('programme') if topics else 'NULL'} AS title, {cost} AS cost "
           f"FROM {t.source()} WHERE {usable}")
    code = {c: (f"{c[0]}.code" if c in codes else "NULL")
            for c in ("competency_type", "learning_path", "activity")}
    nonklas = f"COALESCE({code['learning_path']} = 'nonklasikal', false)"
    joins = [f"LEFT JOIN code_{c} {c[0]} ON s.{r} = {c[0]}.raw" for c, r in (
        ("competency_type", "ctype_raw"), ("learning_path", "lpath_raw"),
        ("activity", "act_raw")) if c in codes]
    joins += [f"LEFT JOIN credit_base cb ON cb.activity = {code['activity']}",
              f"LEFT JOIN credit_unit cu ON cu.unit_id = s.unit_id AND cu.activity = "
              f"{code['activity']}"]
    select = [
        "s.unit_id", "s.year",
        "md5_number((SELECT k FROM secret_key) || s.nip) AS person",
        f"s.jp_recorded * (CASE WHEN {nonklas} THEN COALESCE(cu.factor, cb.factor, 1.0) "
        "ELSE 1.0 END) AS jp",
        f"{code['competency_type']} AS ctype", f"{code['learning_path']} AS lpath",
        f"{code['activity']} AS activity", "s.cost",
        f"{nonklas} AND cb.factor IS NULL AND cu.factor IS NULL AS credit_unlisted"]
    topic = _topic_frame(t, distinct.get("programme", []), topics)
    if topic is not None:
        con.register("topic_titles", topic)
        joins.append("LEFT JOIN topic_titles tt ON s.title = tt.title")
        select += [f"COALESCE(tt.t_{k}, false) AS topic_{k}" for k in topics]
    con.execute(f"CREATE OR REPLACE TEMP VIEW ev AS SELECT {', '.join(select)} "
                f"FROM ({src}) s {' '.join(joins)}")


def aggregate_training_parquet(con: Any, t: ParquetTable, *, config: Any, key: bytes,
                               usable: str) -> TrainingAggregates:
    """:func:`aggregate_training` over Parquet files, in DuckDB: two passes (the sums per
    unit-year; the persons per year and unit, the large group-by that may spill)."""
    _events_view(con, t, config, usable, key)
    topics = list(getattr(config, "topics", {}) or {})
    parts = [f"sum(jp) FILTER (WHERE ctype = '{v}') AS jp_{v}" for v in COMPETENCY_TYPES
             if "competency_type" in t.columns]
    parts += [f"sum(jp) FILTER (WHERE lpath = '{v}') AS jp_{v}" for v in LEARNING_PATHS
              if "learning_path" in t.columns]
    parts += [f"sum(jp) FILTER (WHERE topic_{k}) AS jp_topic_{k}" for k in topics]
    if "cost_rp" in t.columns:
        parts += ["sum(COALESCE(cost, 0.0)) AS spend_nominal",
                  "count(*) FILTER (WHERE cost IS NULL) AS n_cost_missing"]
    sums = con.execute(
        "SELECT unit_id, year, sum(jp) AS jp_total, count(*) AS n_records"
        + "".join(", " + p for p in parts)
        + ", list(DISTINCT COALESCE(activity, '(activity not recorded)')) "
        "FILTER (WHERE credit_unlisted) AS unlisted FROM ev GROUP BY ALL "
        "ORDER BY unit_id, year").df()
    unlisted = sorted({a for row in sums.pop("unlisted") if isinstance(row, (list, np.ndarray))
                       for a in row})
    _home_table(con, sorted({str(u) for u in sums["unit_id"]}))
    persons = con.execute(
        "SELECT r.unit_id, h.year, count(*) FILTER (WHERE h.jp > 0) AS n_trained, "
        f"count(*) FILTER (WHERE h.jp >= {float(config.jp.entitlement) - _JP_EPS}) "
        "AS n_reached_20jp FROM home h JOIN unit_rank r ON r.r = h.unit_rank "
        "GROUP BY ALL ORDER BY r.unit_id, h.year").df()
    for frame in (sums, persons):
        frame["unit_id"] = frame["unit_id"].astype("str")
        frame["year"] = frame["year"].astype("int64")
        for c in frame.columns[2:]:
            frame[c] = frame[c].astype(float)
    sums = sums.fillna({c: 0.0 for c in sums.columns if c.startswith("jp_")})
    has = tuple(c for c in ("competency_type", "learning_path") if c in t.columns)
    return TrainingAggregates(sums=sums, persons=persons, unlisted=tuple(unlisted),
                              has_codes=has, topics=tuple(topics))


def entitlement_shortfall_parquet(con: Any, entitlement: float) -> pd.DataFrame:
    """Per unit-year, the JP its trained persons lack to ``entitlement``: the sum over the
    persons with a record in the unit that year of ``max(entitlement - their JP there, 0)``
    (``unit_id``, ``year``, ``jp_short``), from the ``pu`` table that
    :func:`aggregate_training_parquet` leaves (run that first; this drops it). The same sum
    the scenario makes from the records in memory; the persons never leave DuckDB."""
    out = con.execute(
        "SELECT r.unit_id, p.year, sum(greatest($e - COALESCE(p.jp, 0.0), 0.0)) AS jp_short "
        "FROM pu p JOIN unit_rank r ON r.r = p.unit_rank WHERE p.person IS NOT NULL "
        "GROUP BY ALL ORDER BY r.unit_id, p.year",
        {"e": float(entitlement)}).df()
    con.execute("DROP TABLE pu").fetchall()
    out["unit_id"] = out["unit_id"].astype("str")
    out["year"] = out["year"].astype("int64")
    out["jp_short"] = out["jp_short"].astype(float)
    return out


def _home_table(con: Any, units: Sequence[str]) -> None:
    """TEMP TABLE ``home``: one row per person and year (the large group-by, which may
    spill): the unit where the person earned most JP (ties: the first unit code, by rank),
    their JP and nonklasikal JP. Units are ranked integers here: narrower rows to spill.
    It is made from TEMP TABLE ``pu`` (one row per person, unit and year), kept for
    :func:`entitlement_shortfall_parquet`: a second pass over the records to get the same
    sums again cost a quarter of the load's time at ten times the demo, this almost none."""
    con.register("unit_rank", pd.DataFrame({"unit_id": pd.Series(list(units), dtype=object),
                                            "r": np.arange(len(units), dtype=np.int32)}))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE pu AS "
        "SELECT CAST(e.year AS SMALLINT) AS year, e.person, r.r AS unit_rank, "
        "sum(e.jp) AS jp, "
        "COALESCE(sum(e.jp) FILTER (WHERE e.lpath = 'nonklasikal'), 0.0) AS jp_nk "
        "FROM ev e JOIN unit_rank r ON r.unit_id = e.unit_id GROUP BY ALL").fetchall()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE home AS "
        "SELECT year, person, arg_max(unit_rank, struct_pack(j := jp, r := -unit_rank)) "
        "AS unit_rank, sum(jp) AS jp, sum(jp_nk) AS jp_nk FROM pu GROUP BY year, person"
    ).fetchall()


def skm_tallies_parquet(con: Any, t: ParquetTable, *, usable: str,
                        by: Sequence[str] = ("unit_id", "year")
                        ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, int]:
    """Per group: the keys, answer sums and counts (groups x 9) and respondents; and how
    many rows repeat a respondent of their unit, year (and period), counted in the same
    pass (:func:`duplicate_respondents` lists them when there are any)."""
    keys = [f"CAST({t.col('unit_id')} AS VARCHAR) AS unit_id" if b == "unit_id" else
            f"CAST({t.col(b)} AS BIGINT) AS year" if b == "year" else
            f"CAST({t.col(b)} AS VARCHAR) AS {b}" for b in by]
    u = [f"TRY_CAST({t.col(f'u{k}')} AS DOUBLE)" for k in range(1, 10)]
    answered = " OR ".join(f"{c} IS NOT NULL" for c in u)
    cols = ", ".join(f"sum({c}) AS s{k}, count({c}) AS c{k}" for k, c in enumerate(u, 1))
    who = ", ".join(f"CAST({t.col(c)} AS VARCHAR)" for c in ("period", "respondent_id")
                    if c in t.columns)
    frame = con.execute(
        f"SELECT {', '.join(keys)}, count(*) FILTER (WHERE {answered}) AS n_respondents, "
        f"count(*) - count(DISTINCT ({who})) AS n_repeated, "
        f"{cols} FROM {t.source()} WHERE {usable} GROUP BY ALL "
        f"ORDER BY {', '.join(by)}").df()
    sums = frame[[f"s{k}" for k in range(1, 10)]].to_numpy(dtype=float, na_value=0.0)
    counts = frame[[f"c{k}" for k in range(1, 10)]].to_numpy(dtype=float)
    key_frame = frame[list(by)].copy()
    key_frame["unit_id"] = key_frame["unit_id"].astype("str")
    if "year" in key_frame:
        key_frame["year"] = key_frame["year"].astype("int64")
    return (key_frame, sums, counts, frame["n_respondents"].to_numpy(dtype=np.int64),
            int(frame["n_repeated"].sum()))


def access_counts_parquet(con: Any, staff: pd.DataFrame) -> pd.DataFrame:
    """:func:`access_counts` in DuckDB, over the ``home`` table made by
    :func:`aggregate_training_parquet` (run that first): the same sums, per unit-year and
    per city-year, with the persons never leaving DuckDB."""
    st = staff_frame(staff)
    con.register("staff_counts", st)
    con.register("city_counts", st.groupby("year", as_index=False)["asn_count"].sum(
        min_count=1))
    # narrow rows (a country: about a hundred million person-years): units by rank
    con.execute("CREATE OR REPLACE TEMP TABLE trained AS SELECT year, person, unit_rank, jp, "
                "jp_nk FROM home WHERE jp > 0").fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE staff_ranked AS SELECT r.r AS unit_rank, "
                "CAST(s.year AS SMALLINT) AS year, s.asn_count FROM staff_counts s "
                "JOIN unit_rank r ON r.unit_id = s.unit_id").fetchall()
    by_unit = _rank_sums(con, ["unit_rank", "year"], "staff_ranked")
    by_city = _rank_sums(con, ["year"], "city_counts")
    # persons who trained in t-1 or t-2 but not in t, in the unit where they last trained:
    # a trained year y counts for y + 1 unless the person trains in y + 1, and for y + 2
    # unless they train in y + 1 or y + 2 (the next trained year says which)
    recent = con.execute(
        "WITH n AS (SELECT unit_rank, year, lead(year) OVER (PARTITION BY person ORDER BY year)"
        " AS next FROM trained), c AS (SELECT unit_rank, year + 1 AS year, count(*) AS n FROM n "
        "WHERE next IS NULL OR next > year + 1 GROUP BY ALL "
        "UNION ALL SELECT unit_rank, year + 2 AS year, count(*) AS n FROM n "
        "WHERE next IS NULL OR next > year + 2 GROUP BY ALL) "
        "SELECT r.unit_id, c.year, c.n FROM c JOIN unit_rank r ON r.r = c.unit_rank").df()
    first = con.execute("SELECT min(year) FROM trained").fetchall()[0][0]
    recent["unit_id"] = recent["unit_id"].astype("str")
    recent["year"] = recent["year"].astype("int64")
    by_unit = by_unit.merge(recent.groupby(["unit_id", "year"], as_index=False)["n"].sum()
                            .rename(columns={"n": "n_recent_not_now"}),
                            on=["unit_id", "year"], how="left")
    by_city = by_city.merge(recent.groupby("year", as_index=False)["n"].sum()
                            .rename(columns={"n": "n_recent_not_now"}), on="year", how="left")
    return assemble_counts(st, by_unit, by_city, None if first is None else int(first))


def _rank_sums(con: Any, group: list[str], asn: str) -> pd.DataFrame:
    """Per group of the ``trained`` table: count, JP, nonklasikal JP, sum of (ascending
    rank) x JP and the JP of the top 10% of the group's ASN (one sort per group)."""
    keys = ", ".join(f"t.{g}" for g in group)
    on = " AND ".join(f"t.{g} = a.{g}" for g in group)
    frame = con.execute(
        f"WITH r AS (SELECT t.*, a.asn_count * {_TOP_SHARE} AS k, "
        f"row_number() OVER w AS up, count(*) OVER w AS m "
        f"FROM trained t LEFT JOIN {asn} a ON {on} "
        f"WINDOW w AS (PARTITION BY {keys} ORDER BY t.jp ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND UNBOUNDED FOLLOWING)) "
        f"SELECT {', '.join(group)}, count(*)::DOUBLE AS n_trained, sum(jp) AS jp, "
        "sum(jp_nk) AS jp_nonklasikal, sum(up * jp) AS sum_rank_jp, "
        "sum(jp * CASE WHEN m - up + 1 <= floor(k) THEN 1.0 "
        "WHEN m - up + 1 = floor(k) + 1 THEN k - floor(k) ELSE 0.0 END) AS top10_jp "
        "FROM r GROUP BY ALL").df()
    frame["year"] = frame["year"].astype("int64")
    if "unit_rank" in frame:
        names = con.execute("SELECT unit_id, r FROM unit_rank").df().set_index("r")["unit_id"]
        frame.insert(0, "unit_id", frame.pop("unit_rank").map(names).astype("str"))
    return frame
