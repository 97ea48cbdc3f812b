"""Regenerate the toy notebooks the runner tests use (python make_toys.py).

Toy notebooks take the same parameters as the real ones and write the same files,
in milliseconds. Faults are injected through environment variables the tests set:

TOY_FAULT        raise | kill | kill_once | sleep | enospc | random
TOY_FAULT_YEAR   only this year (default: every year)
TOY_FAULT_STAGE  estimate | brief (default: estimate)
TOY_SLEEP        seconds each run sleeps (to kill a batch mid-run)
TOY_MARKER_DIR   folder for kill_once markers
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
          "language_info": {"name": "python"}}

FAULT = '''import os, time, errno, random
from pathlib import Path
from evaluation import _io
fault = os.environ.get("TOY_FAULT", "")
applies = (str(year) == os.environ.get("TOY_FAULT_YEAR", str(year))
           and os.environ.get("TOY_FAULT_STAGE", "estimate") == STAGE)
time.sleep(float(os.environ.get("TOY_SLEEP", "0")))
if applies and fault == "raise":
    raise ValueError(f"toy failure in {year}")
if applies and fault == "kill":
    os.kill(os.getpid(), 9)
if applies and fault == "kill_once":
    marker = Path(os.environ["TOY_MARKER_DIR"]) / f"{STAGE}-{year}"
    if not marker.exists():
        marker.write_text("died once")
        os.kill(os.getpid(), 9)
if applies and fault == "sleep":
    time.sleep(600)
if applies and fault == "enospc":
    _real_write = _io.write_bytes
    def _full_disk(target, data):
        with _io.atomic_path(target) as tmp:
            tmp.write_bytes(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
    _io.write_bytes = _full_disk
'''


def notebook(stage: str, params: str, body: list[str]) -> nbformat.NotebookNode:
    cells = [new_markdown_cell(f"# Toy {stage} notebook (tests only)"),
             new_code_cell(params, metadata={"tags": ["parameters"]}),
             new_code_cell(f'STAGE = "{stage}"\n' + FAULT)]
    cells += [new_code_cell(src) for src in body]
    nb = new_notebook(cells=cells, metadata=KERNEL)
    for i, c in enumerate(nb.cells):
        c["id"] = f"{stage}-{i}"
    return nb


estimate = notebook("estimate", 'study = "data/demo"\nyear = 2024\nout = "reports"\nseed = 2026', [
    'from evaluation.params import setup_notebook\n'
    'setup = setup_notebook("02_estimate", study=study, year=year, out=out, seed=seed)',
    'value = round(0.1 * (year - 2000) + seed % 7, 6)\n'
    'if fault == "random" and applies:\n'
    '    value += random.random()\n'
    'results = {"year": year, "parameters": {"study": study, "year": year, "seed": seed},\n'
    '           "headline": {"estimate_id": "headline", "scale": 10,\n'
    '                        "scaled": {"estimate": value, "conf_low": value - 1, "conf_high": value + 1}},\n'
    '           "estimates": [{"id": "headline", "estimate": value / 10}]}\n'
    '_io.write_json(setup.year_dir / "results.json", results)\n'
    'print(value)',
])
brief = notebook("brief", 'study = "data/demo"\nyear = 2024\nlang = "id"\nout = "reports"', [
    'import json\n'
    'from evaluation.params import setup_notebook\n'
    'setup = setup_notebook("03_brief", study=study, year=year, lang=lang, out=out)\n'
    'results = json.loads((setup.year_dir / "results.json").read_text())',
    'value = results["headline"]["scaled"]["estimate"]\n'
    'text = f"<html><body><h1>Brief {year} ({lang})</h1><p>Estimate {value:.3f}</p></body></html>"\n'
    '_io.write_text(setup.year_dir / f"brief.{lang}.html", text)\n'
    '_io.write_bytes(setup.year_dir / f"brief.{lang}.pdf", b"%PDF-1.4 toy " + text.encode())\n'
    '_io.write_bytes(setup.year_dir / f"tables.{lang}.xlsx", b"toy xlsx " + text.encode())',
])
inert = new_notebook(cells=[
    new_code_cell('label = ""\nsink = "sink.txt"', metadata={"tags": ["parameters"]}),
    new_code_cell('from pathlib import Path\nPath(sink).write_text(repr(label), encoding="utf-8")'),
], metadata=KERNEL)
for i, c in enumerate(inert.cells):
    c["id"] = f"inert-{i}"

if __name__ == "__main__":
    nbformat.write(estimate, HERE / "toy" / "02_estimate.ipynb")
    nbformat.write(brief, HERE / "toy" / "03_brief.ipynb")
    nbformat.write(inert, HERE / "inert.ipynb")
