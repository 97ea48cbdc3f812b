"""Notebook parameters: a declared schema per notebook, checked before any kernel starts.

Each notebook in ``notebooks/`` takes primitive parameters in a cell tagged
``parameters``. This module declares, per notebook, the name, type, default, allowed
values or range and a description of each parameter, and checks a set of values
against it: unknown names, wrong types, a year outside the study's data, an unknown
language and an output path outside the output folder are refused with a
:class:`~evaluation.errors.ParameterError` that lists what is allowed.

The same check runs twice: in the batch runner before a kernel starts, and inside
the notebook (``setup_notebook``) so that running a notebook by hand with
``papermill notebooks/03_brief.ipynb out.ipynb -p year 2023`` is held to the same
rules and resolves the same paths as the command line.

Why values are inert: papermill writes each value into the notebook as a literal
(strings through ``unicode_escape`` with quotes escaped), and names are limited to
the declared identifiers, so a value such as ``"__import__('os')"`` arrives as that
string, never as code. Path-like values are refused outright when they hold control
characters, so no value can start a new line in the injected cell.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ._options import Language, allowed
from .errors import ParameterError, StudyConfigError

#: The environment variable through which the batch runner tells a kernel which
#: output folder its ``out`` parameter must stay inside.
OUTPUT_ROOT_ENV = "EVALUATION_OUTPUT_ROOT"
DEFAULT_OUTPUT_ROOT = "reports"

Kind = Literal["plain", "study", "year", "language", "output", "choice"]
ParamType = type[str] | type[int] | type[float] | type[bool]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Param:
    """One declared notebook parameter.

    ``kind`` says which extra check applies: ``study`` (a folder with ``study.yaml``),
    ``year`` (inside the study's years), ``language`` (``id``/``en``), ``output`` (a
    path confined to the output folder), ``choice`` (one of ``choices``) or ``plain``
    (type and ``range`` only).
    """

    name: str
    type: ParamType
    default: Any
    description: str
    kind: Kind = "plain"
    choices: tuple[Any, ...] | None = None
    range: tuple[float, float] | None = None

    def allowed_text(self) -> str:
        if self.kind == "year":
            return "a year inside the study's years (study.yaml 'years')"
        if self.kind == "language":
            return f"one of {list(allowed(Language))}"
        if self.kind == "output":
            return "a folder inside the output folder (no '..', no path elsewhere)"
        if self.kind == "study":
            return "a study folder holding study.yaml"
        if self.choices is not None:
            return f"one of {list(self.choices)}"
        if self.range is not None:
            return f"{self.range[0]:g} to {self.range[1]:g}"
        return f"any {self.type.__name__}"


_STUDY = Param("study", str, "data/demo", "Study folder (relative to the project root)", "study")
_YEAR = Param("year", int, 2024, "Year of the analysis or brief", "year")
_OUT = Param("out", str, DEFAULT_OUTPUT_ROOT,
             "Output folder; results go to <out>/<study>/<year>/", "output")
_SEED = Param("seed", int, 2026, "Random seed (bootstrap, permutation inference)", "plain",
              range=(0, 2**32 - 1))
_LANG = Param("lang", str, "id", "Language of the brief", "language")

#: Declared parameters per notebook role; the notebooks' ``parameters`` cells match these
#: (a test checks it).
SCHEMAS: dict[str, tuple[Param, ...]] = {
    "01_explore": (
        _STUDY,
        _YEAR,
        Param("sector", str, "", "Sector to show ('' for every sector)"),
        Param("units", str, "", "Comma-separated unit ids to highlight ('' for none)"),
        Param("first_year", int, 0, "First year shown (0: the study's first year)",
              range=(0, 2100)),
        Param("measure", str, "ikm", "Measure on the vertical axis (a panel column)"),
        Param("exposure", str, "jp_per_asn", "Investment measure on the horizontal axis"),
        Param("lag", int, 1, "Years between investment and measure", range=(0, 5)),
        _LANG,
    ),
    "02_estimate": (_STUDY, _YEAR, _OUT, _SEED),
    "03_brief": (_STUDY, _YEAR, _LANG, _OUT),
}
_ROLE_OF_STEM = {"01_explore": "01_explore", "02_estimate": "02_estimate", "03_brief": "03_brief"}


def schema_for(notebook: str | os.PathLike) -> tuple[Param, ...]:
    """The declared parameters of a notebook, by name (``03_brief``) or path.

    Raises :class:`ParameterError` listing the known notebooks when there is none.
    """
    stem = Path(notebook).name.removesuffix(".ipynb")
    if stem in SCHEMAS:
        return SCHEMAS[stem]
    raise ParameterError(
        f"no parameter schema for notebook {str(notebook)!r}; known notebooks: "
        f"{sorted(SCHEMAS)} (give the name or a path ending in one of them)"
    )


def describe(notebook: str | os.PathLike) -> str:
    """The schema as a text table, for ``evaluation params NOTEBOOK``."""
    rows = [("name", "type", "default", "allowed", "description")]
    for p in schema_for(notebook):
        rows.append((p.name, p.type.__name__, repr(p.default), p.allowed_text(), p.description))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for r in rows:
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 11)
    return "\n".join(lines)


def output_root(default: str | os.PathLike = DEFAULT_OUTPUT_ROOT) -> Path:
    """The output folder ``out`` must stay inside: the batch's, or ``reports``."""
    return Path(os.environ.get(OUTPUT_ROOT_ENV) or default)


def check_parameters(
    notebook: str | os.PathLike,
    values: Mapping[str, Any],
    *,
    out_root: str | os.PathLike | None = None,
    base: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Check ``values`` against the notebook's schema; return them with defaults filled in.

    Parameters
    ----------
    notebook
        Notebook name (``"03_brief"``) or path.
    values
        Parameter values as papermill would receive them.
    out_root
        The output folder an ``output`` parameter must stay inside (default: the
        ``EVALUATION_OUTPUT_ROOT`` environment variable, else ``reports``).
    base
        Folder relative paths are resolved against (default: the working directory).

    Raises
    ------
    ParameterError
        Listing every problem and, for each, what is allowed.

    Examples
    --------
    >>> check_parameters("03_brief", {"year": 2020, "lang": "en"})["lang"]  # doctest: +SKIP
    'en'
    """
    schema = {p.name: p for p in schema_for(notebook)}
    base_path = Path(base) if base is not None else Path.cwd()
    root = Path(out_root) if out_root is not None else output_root()
    problems: list[str] = []
    unknown = sorted(set(values) - set(schema))
    if unknown:
        problems.append(f"unknown parameter(s) {unknown}; allowed: {sorted(schema)}")
    out = {p.name: p.default for p in schema.values()}
    for name, value in values.items():
        if name not in schema:
            continue
        p = schema[name]
        problem = _check_type(p, value)
        if problem is None:
            problem = _check_value(p, value, root=root, base=base_path)
        if problem:
            problems.append(f"{name}={_short(value)}: {problem}; allowed: {p.allowed_text()}")
        else:
            out[name] = float(value) if p.type is float else value
    if not problems and "year" in schema and schema["year"].kind == "year":
        problem = _check_year(out, base_path)
        if problem:
            problems.append(problem)
    if problems:
        label = Path(notebook).name.removesuffix(".ipynb")
        raise ParameterError(
            f"{label}: {len(problems)} parameter problem(s):\n  - " + "\n  - ".join(problems)
            + f"\n  (see: evaluation params {label})"
        )
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_type(p: Param, value: Any) -> str | None:
    if p.type is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif p.type is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, p.type)
    if not ok:
        return f"expecting {p.type.__name__}, got {type(value).__name__}"
    return None


def _check_value(p: Param, value: Any, *, root: Path, base: Path) -> str | None:
    if isinstance(value, str) and _CONTROL.search(value):
        return "control characters (newline, tab, NUL) are not allowed"
    if p.range is not None and not (p.range[0] <= value <= p.range[1]):
        return "out of range"
    if p.choices is not None and value not in p.choices:
        return "not an allowed value"
    if p.kind == "language" and value not in allowed(Language):
        return "unknown language"
    if p.kind == "study":
        folder = _resolve(value, base)
        if not (folder / "study.yaml").is_file() and not (
            folder.is_file() and folder.suffix in (".yaml", ".yml")
        ):
            return f"no study.yaml in {value!r}"
    if p.kind == "output":
        return confine_output(value, root=root, base=base, raise_error=False)
    return None


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def confine_output(
    value: str | os.PathLike,
    *,
    root: str | os.PathLike,
    base: str | os.PathLike | None = None,
    raise_error: bool = True,
) -> str | None:
    """Check that an output path stays inside ``root`` (no ``..``, no symlink escape).

    Returns ``None`` when it does; otherwise raises :class:`ParameterError` (or returns
    the reason when ``raise_error`` is false).
    """
    base_path = Path(base) if base is not None else Path.cwd()
    text = os.fspath(value)
    reason = None
    if not text:
        reason = "empty path"
    elif ".." in Path(text).parts:
        reason = "'..' is not allowed in an output path"
    else:
        target = _resolve(text, base_path).resolve()
        allowed_root = _resolve(os.fspath(root), base_path).resolve()
        if not target.is_relative_to(allowed_root):
            reason = f"resolves outside the output folder {os.fspath(root)!r}"
    if reason and raise_error:
        raise ParameterError(f"output path {text!r}: {reason}. Use a folder inside "
                             f"{os.fspath(root)!r}.")
    return reason


def _check_year(values: Mapping[str, Any], base: Path) -> str | None:
    from .config import read_study_config

    try:
        cfg = read_study_config(_resolve(values["study"], base))
    except StudyConfigError as exc:
        return f"study={values['study']!r}: {exc.summary}"
    year = values["year"]
    if year not in cfg.years.span:
        return (f"year={year!r}: outside the study's data; allowed: "
                f"{cfg.years.first} to {cfg.years.last}")
    return None


@dataclass(frozen=True)
class NotebookSetup:
    """What ``setup_notebook`` returns to a notebook: checked values and resolved paths."""

    values: dict[str, Any]
    study_dir: Path
    out_dir: Path | None = None
    year_dir: Path | None = None
    study_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def project_root() -> Path:
    """The folder relative parameter paths are read from.

    The working directory when it holds the study (papermill from the project root, the
    batch runner); otherwise the project root above it (JupyterLab opened in
    ``notebooks/``).
    """
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "evaluation").is_dir():
            return folder
    return here


def setup_notebook(notebook: str, **values: Any) -> NotebookSetup:
    """Check a notebook's parameters from inside the notebook and resolve its paths.

    Relative paths are taken from the working directory when the study is found there,
    else from the project root, so the notebook works from the command line, from the
    batch runner and from JupyterLab opened in ``notebooks/``.
    """
    from .config import read_study_config

    study = values.get("study", "data/demo")
    base = Path.cwd()
    if not (_resolve(study, base) / "study.yaml").is_file():
        base = project_root()
    root = output_root()
    if not root.is_absolute():
        root = base / root
    checked = check_parameters(notebook, values, out_root=root, base=base)
    study_dir = _resolve(checked["study"], base)
    name = read_study_config(study_dir).name
    out_dir = year_dir = None
    if "out" in checked:
        out_dir = _resolve(checked["out"], base)
        year_dir = out_dir / name / str(checked["year"])
    return NotebookSetup(values=checked, study_dir=study_dir, out_dir=out_dir,
                         year_dir=year_dir, study_name=name)


__all__ = [
    "OUTPUT_ROOT_ENV",
    "SCHEMAS",
    "NotebookSetup",
    "Param",
    "check_parameters",
    "confine_output",
    "describe",
    "output_root",
    "project_root",
    "schema_for",
    "setup_notebook",
]
