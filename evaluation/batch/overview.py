"""The overview page (``index.html``): one page per study across the batch's years.

Moved out of ``batch.py`` so that the page leadership reads can change with the brief while
the batch machinery stays put; ``batch.run_batch`` calls :func:`write_index` at the end.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
from pathlib import Path
from typing import Any

from .._io import write_bytes, write_text
from ..config import read_study_config
from . import manifest as mf

INDEX_NAME = "index.html"


_LABELS: dict[str, dict[str, Any]] = {
    "id": {"title": "Ringkasan per tahun", "year": "Tahun", "status": "Status",
           "headline": "Estimasi utama (IK 95%)", "brief": "Ringkasan", "notebook": "Notebook",
           "chart": "Estimasi utama antartahun", "synthetic": "DATA SINTETIS (studi demo)",
           "not_estimable": "belum dapat ditaksir (data tahunan belum cukup)",
           "caption": "Estimasi utama: selisih {outcome} yang berkaitan dengan tambahan {scale} "
                      "{exposure}{when}, dengan interval kepercayaan 95%.",
           "when": {0: "", 1: " (tahun sebelumnya)"}, "when_k": " ({lag} tahun sebelumnya)"},
    "en": {"title": "Summary by year", "year": "Year", "status": "Status",
           "headline": "Headline estimate (95% CI)", "brief": "Brief", "notebook": "Notebook",
           "chart": "Headline estimate across years", "synthetic": "SYNTHETIC DATA (demo study)",
           "not_estimable": "not estimable yet (too few years of data)",
           "caption": "Headline estimate: the difference in {outcome} associated with {scale} "
                      "more {exposure}{when}, with its 95% confidence interval.",
           "when": {0: "", 1: " (previous year)"}, "when_k": " ({lag} years earlier)"},
}


def headline_rows(folder: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Per year: status, headline estimate with CI (from results.json) and output links."""
    years = sorted({rec["year"] for rec in manifest["runs"].values()})
    rows = []
    for year in years:
        recs = {k: r for k, r in manifest["runs"].items() if r["year"] == year}
        statuses = sorted({r["status"] for r in recs.values()})
        row: dict[str, Any] = {"year": year, "status": ", ".join(statuses),
                               "ok": all(s in mf.DONE for s in statuses),
                               "estimate": None, "conf_low": None, "conf_high": None,
                               "briefs": {}, "notebook": None, "scale": None}
        res_path = folder / str(year) / "results.json"
        est = recs.get(f"{year}/estimate")
        if est and est["status"] in mf.DONE and res_path.is_file():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                head = json.loads(res_path.read_text(encoding="utf-8"))["headline"]
                scaled = head.get("scaled") or {}
                row.update(estimate=scaled.get("estimate"), conf_low=scaled.get("conf_low"),
                           conf_high=scaled.get("conf_high"), scale=head.get("scale"),
                           exposure=head.get("exposure"), outcome=head.get("outcome"),
                           lag=head.get("lag"),
                           not_estimable=head.get("status") == "not_estimable")
            row["notebook"] = f"{year}/notebook.ipynb"
        elif est and est.get("failed_notebook"):
            row["notebook"] = f"{year}/{est['failed_notebook']}"
        for rec in recs.values():
            if rec["stage"] == "brief" and rec["status"] in mf.DONE:
                row["briefs"][rec["lang"]] = f"{year}/brief.{rec['lang']}.html"
        rows.append(row)
    return rows


def _chart_png(rows: list[dict[str, Any]], *, lang: str) -> str | None:
    import pandas as pd

    frame = pd.DataFrame([r for r in rows if r["estimate"] is not None],
                         columns=["year", "estimate", "conf_low", "conf_high"])
    if frame.empty:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    try:
        from ..brief.plot import estimate_across_years_plot
    except ImportError:  # plot module not installed in this checkout: table only
        return None
    ax = estimate_across_years_plot(frame, lang="en" if lang == "en" else "id", ax=None)
    fig = ax.get_figure(root=True)
    assert fig is not None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def render_index(folder: Path, manifest: dict[str, Any], *, lang: str = "id",
                 synthetic: bool = False, title: str = "") -> str:
    """The self-contained index page (inline CSS and chart; no external resources)."""
    t = _LABELS.get(lang, _LABELS["id"])
    rows = headline_rows(folder, manifest)
    png = _chart_png(rows, lang=lang)
    esc = html.escape

    def num(x):
        return "–" if x is None else (f"{x:.2f}".replace(".", ",") if lang == "id" else f"{x:.2f}")

    body = []
    for r in rows:
        ci = "" if r["estimate"] is None else f"{num(r['estimate'])} ({num(r['conf_low'])} – {num(r['conf_high'])})"
        if r.get("not_estimable"):
            ci = esc(t["not_estimable"])
        briefs = " ".join(f'<a href="{esc(href)}">{esc(lg)}</a>' for lg, href in sorted(r["briefs"].items()))
        nb = f'<a href="{esc(r["notebook"])}">ipynb</a>' if r["notebook"] else ""
        cls = "ok" if r["ok"] else "bad"
        body.append(f'<tr class="{cls}"><td>{r["year"]}</td><td>{esc(r["status"])}</td>'
                    f"<td>{ci}</td><td>{briefs}</td><td>{nb}</td></tr>")
    chart = (f'<figure><img alt="{esc(t["chart"])}" src="data:image/png;base64,{png}">'
             f"<figcaption>{esc(t['chart'])}</figcaption></figure>") if png else ""
    banner = f'<p class="synthetic">{esc(t["synthetic"])}</p>' if synthetic else ""
    caption = ""
    described = [r for r in rows if r.get("exposure") and r.get("scale")]
    if described:
        from ..brief.narrate import catalogue

        names = catalogue(lang).get("measures", {})
        last = described[-1]
        caption = "<p>" + esc(t["caption"].format(
            outcome=names.get(last["outcome"], {}).get("name", last["outcome"]),
            exposure=names.get(last["exposure"], {}).get("name", last["exposure"]),
            scale=num(last["scale"]).removesuffix(",00").removesuffix(".00"),
            when=t["when"].get(last.get("lag") or 0, t["when_k"].format(lag=last.get("lag"))),
        )) + "</p>"
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}"><head><meta charset="utf-8">
<title>{esc(title)} – {esc(t["title"])}</title>
<style>
body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ccc;padding:.3rem .6rem;text-align:left}}
tr.bad td{{color:#a00}}.synthetic{{background:#fff3cd;padding:.4rem .8rem;font-weight:bold}}
img{{max-width:100%}}
</style></head><body>
<h1>{esc(title)}</h1>{banner}
<h2>{esc(t["title"])}</h2>
<table><thead><tr><th>{t["year"]}</th><th>{t["status"]}</th><th>{t["headline"]}</th><th>{t["brief"]}</th><th>{t["notebook"]}</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
{caption}
{chart}
</body></html>
"""


def write_index(folder: Path, manifest: dict[str, Any], *, lang: str = "id") -> Path:
    """Write ``index.html`` atomically; skipped when nothing it shows has changed."""
    from . import manifest as _mf

    state = {k: {"status": "done" if r["status"] in _mf.DONE else r["status"],
                 "outputs": r.get("outputs")}
             for k, r in sorted(manifest["runs"].items())}
    key = _mf.fingerprint({"runs": state, "lang": lang})
    path = folder / INDEX_NAME
    stamp = folder / ".index.sha256"
    if path.is_file() and stamp.is_file() and stamp.read_text().strip() == key:
        return path
    cfg_title = manifest.get("study", "")
    synthetic = False
    study_dir = manifest.get("batch", {}).get("study_dir")
    if study_dir:
        with contextlib.suppress(Exception):
            cfg = read_study_config(study_dir)
            cfg_title = cfg.title_en if lang == "en" and cfg.title_en else cfg.title
            synthetic = cfg.synthetic
    write_text(path, render_index(folder, manifest, lang=lang, synthetic=synthetic,
                                  title=cfg_title))
    write_bytes(stamp, key.encode())
    return path


__all__ = ["INDEX_NAME", "headline_rows", "render_index", "write_index"]
