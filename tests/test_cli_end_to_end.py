"""The main job end to end, through the command line, on the demo study: the brief's files,
its length and its words; and personal data: the demo's training records carry (fake) NIPs
and names, yet no file under the output folder and no line of the logs carries any of them.
A real (non-synthetic) study without a secret does not run."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from evaluation.privacy import NIP_PATTERN

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args, env=None, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "evaluation", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=1800)


def _texts(path: Path) -> list[str]:
    """Everything a reader of this file could see: raw bytes as text, PDF text, XLSX cells."""
    raw = path.read_bytes()
    texts = [raw.decode("utf-8", errors="ignore")]
    if path.suffix == ".pdf":
        texts.append("\n".join(page.extract_text() or "" for page in PdfReader(path).pages))
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            texts += [z.read(n).decode("utf-8", errors="ignore") for n in z.namelist()]
    return texts


@pytest.fixture(scope="module")
def people(demo_dir):
    training = pd.read_parquet(demo_dir / "training.parquet", columns=["nip", "nama"])
    return set(training["nip"].astype(str)), set(training["nama"].astype(str))


@pytest.fixture(scope="module")
def run(tmp_path_factory, demo_dir):
    out = tmp_path_factory.mktemp("reports")
    done = _cli("brief", "--study", str(demo_dir), "--out", str(out), "--lang", "id",
                "--no-progress")
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout + done.stderr


def test_brief_files_pages_and_words(run):
    from evaluation.brief.narrate import narrate
    from evaluation.brief.report import load_results

    out, _ = run
    year_dir = out / "demo" / "2024"
    for name in ("brief.id.pdf", "brief.id.html", "tables.id.xlsx", "results.json",
                 "notebook.ipynb"):
        assert (year_dir / name).is_file(), name
    pages = PdfReader(year_dir / "brief.id.pdf").pages
    texts = [" ".join((p.extract_text() or "").split()) for p in pages]
    methods = [i for i, t in enumerate(texts) if "Lampiran metode" in t]
    # two pages for leadership, plus at most the one methods page
    assert len(pages) <= 3 and (len(pages) <= 2 or methods == [2])
    story = narrate(load_results(year_dir), lang="id")
    leadership = " ".join(texts[:2])
    assert " ".join(story.headline.split()) in leadership
    assert "DATA SINTETIS" in texts[0]
    assert "kaitan" in leadership
    # a cause is named only where it is denied ("bukan bukti bahwa ... menyebabkan")
    causes = re.findall(r"\b(menyebabkan|mengakibatkan|dampak dari pelatihan)\b", leadership)
    denied = re.findall(r"bukti bahwa [^.;]*?\bmenyebabkan\b", leadership)
    assert len(causes) == len(denied), causes
    assert "Diterbitkan oleh BKPP Kota Semarang" in texts[0]


def test_no_nip_or_name_in_any_output_or_log(run, people):
    out, log = run
    nips, names = people
    assert len(nips) > 10_000 and len(names) > 1_000  # the demo really carries them
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "brief.id.pdf" for p in files)
    assert any(p.suffix == ".ipynb" for p in files)
    name_pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len,
                                                                     reverse=True)))
    for path in files:
        for text in _texts(path):
            found = set(NIP_PATTERN.findall(text)) | ({m for m in re.findall(r"\d{18}", text)}
                                                      & nips)
            assert not found, f"{path.relative_to(out)}: NIP-shaped number(s) {sorted(found)[:3]}"
            hit = name_pattern.search(text)
            assert not hit, f"{path.relative_to(out)}: a person's name ({hit.group(0)!r})"
    assert not NIP_PATTERN.search(log)
    assert not name_pattern.search(log)


def test_real_study_without_secret_stops_and_says_how_to_set_it(tmp_path, demo_dir):
    study = tmp_path / "real"
    shutil.copytree(demo_dir, study)
    text = (study / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("synthetic: true", "synthetic: false")
    text = re.sub(r"\n\s*pseudonym_key:[^\n]*", "", text)
    (study / "study.yaml").write_text(text, encoding="utf-8")
    env = {k: v for k, v in __import__("os").environ.items() if k != "EVALUATION_SECRET"}
    done = _cli("brief", "--study", str(study), "--out", str(tmp_path / "out"),
                "--no-progress", env=env)
    assert done.returncode == 1
    assert "EVALUATION_SECRET" in done.stderr and "export" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "out").rglob("brief.*"))
    json.dumps(done.stderr)  # the message is plain text


@pytest.mark.slow
def test_check_reproducible_passes_on_the_demo(demo_dir):
    """Same inputs, same seed, two fresh processes: byte-identical results.json and the same
    brief text (the runner fixes thread counts and the string-hash seed)."""
    done = _cli("check-reproducible", "--study", str(demo_dir), "--year", "2024")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "byte-identical" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_iku_headline_brief_keeps_to_two_pages_and_the_methods_page(tmp_path, demo_dir, lang):
    """Seen on the demo with an IKU headline: the methods page's longer table (IKM and IKU
    rows, exposure labels per 10 percentage points) pushed the package line onto a fourth
    page, which the fixture matrix did not show."""
    study = tmp_path / "demo_iku"
    shutil.copytree(demo_dir, study)
    text = (study / "study.yaml").read_text(encoding="utf-8")
    head = "headline: {exposure: jp_per_asn, outcome: ikm, lag: 1}"
    assert head in text and "\nname: demo\n" in text
    text = text.replace(head, head.replace("outcome: ikm", "outcome: iku_achievement"))
    (study / "study.yaml").write_text(text.replace("\nname: demo\n", "\nname: demo_iku\n"),
                                      encoding="utf-8")
    out = tmp_path / "reports"
    done = _cli("brief", "--study", str(study), "--out", str(out), "--year", "2024",
                "--lang", lang, "--no-progress")
    assert done.returncode == 0, done.stderr[-3000:]
    pages = PdfReader(out / "demo_iku" / "2024" / f"brief.{lang}.pdf").pages
    texts = [" ".join((p.extract_text() or "").split()) for p in pages]
    assert "IKU" in texts[0]
    assert len(pages) == 3, [t[:80] for t in texts]
