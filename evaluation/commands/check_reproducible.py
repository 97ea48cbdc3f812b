"""`evaluation check-reproducible`: run a year twice in fresh processes and compare.

Both runs go through the batch runner (every notebook in its own process, its own
kernel) into two temporary output folders: the first forked from a warm process as a batch
does by default, the second started cold in fresh interpreters, so a pass also shows that
the warm start changes nothing. ``results.json`` is compared field by field and each
brief's text content line by line. Any difference is reported by JSON path; the exit code
is then 1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..i18n import Formatter
from ._common import add_lang, add_study, console_lang, say_help

HELP = say_help("commands.check_reproducible")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_study(p)
    p.add_argument("--year", type=int, default=None, help=say_help("options.repro_year"))
    add_lang(p)
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help=say_help("options.notebooks"))
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help=say_help("options.repro_timeout"))
    p.add_argument("--keep", action="store_true", help=say_help("options.keep"))


def json_differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Every difference between two JSON values, as ``path: left != right``.

    >>> json_differences({"x": [1, 2]}, {"x": [1, 3]})
    ['$.x[1]: 2 != 3']
    """
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            sub = f"{path}.{key}"
            if key not in a:
                out.append(f"{sub}: missing in the first run")
            elif key not in b:
                out.append(f"{sub}: missing in the second run")
            else:
                out += json_differences(a[key], b[key], sub)
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = [f"{path}: length {len(a)} != {len(b)}"] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            out += json_differences(x, y, f"{path}[{i}]")
        return out
    if a != b or type(a) is not type(b):
        return [f"{path}: {_short(a)} != {_short(b)}"]
    return []


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def html_text(markup: str) -> list[str]:
    """The visible text of an HTML page, one entry per text node (scripts/styles dropped)."""
    parser = _Text()
    parser.feed(markup)
    return parser.parts


def text_differences(a: list[str], b: list[str], label: str) -> list[str]:
    out = [f"{label}: {len(a)} != {len(b)} text blocks"] if len(a) != len(b) else []
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            out.append(f"{label}[{i}]: {_short(x)} != {_short(y)}")
    return out


def compare_year(first: Path, second: Path, langs: list[str]) -> list[str]:
    """Differences between two output year folders (results.json and brief text)."""
    diffs = []
    ra = json.loads((first / "results.json").read_text(encoding="utf-8"))
    rb = json.loads((second / "results.json").read_text(encoding="utf-8"))
    diffs += [f"results.json {d}" for d in json_differences(ra, rb)]
    if not diffs and (first / "results.json").read_bytes() != (second / "results.json").read_bytes():
        diffs.append("results.json: same values but not byte-identical (formatting)")
    for lang in langs:
        name = f"brief.{lang}.html"
        ta = html_text((first / name).read_text(encoding="utf-8"))
        tb = html_text((second / name).read_text(encoding="utf-8"))
        diffs += text_differences(ta, tb, f"{name} text")
    return diffs


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from ..batch.batch import run_batch
    from ..settings import check_options, resolve_run

    lang = console_lang(args)
    f = Formatter(lang)
    options = check_options(jobs=1, timeout=args.timeout, force=True, notebooks=args.notebooks,
                            lang=lang, spelling="cli")
    settings = resolve_run(args.study, years=args.year, langs=args.lang, options=options,
                           spelling="cli", year_name="year", default_years="last")
    year = settings.year
    tmp = Path(tempfile.mkdtemp(prefix="evaluation-repro-"))
    labels = ("first", "second")
    runs = [dataclasses.replace(settings, out_root=tmp / label, options=dataclasses.replace(
        options, warm_start=(label == "first"))) for label in labels]
    folders = []
    try:
        # the two runs are independent (own output folders, own processes): run them side by side
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(run_batch, runs))
        for label, result in zip(labels, results, strict=True):
            if not result.ok:
                print(f.msg(f"cli.repro.failed_{label}") + "\n" + result.summary(),
                      file=sys.stderr)
                return 1
            folders.append(result.folder / str(year))
        diffs = compare_year(folders[0], folders[1], list(settings.langs))
    finally:
        if args.keep:
            print(f.msg("cli.repro.kept", path=tmp), file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    name = settings.study_name
    if diffs:
        print(f.msg("cli.repro.different", study=name, year=year, n=len(diffs)) + ":",
              file=sys.stderr)
        for d in diffs[:200]:
            print(f"  - {d}", file=sys.stderr)
        return 1
    print(f.msg("cli.repro.same", study=name, year=year, langs=", ".join(settings.langs)))
    return 0
