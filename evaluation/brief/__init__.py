"""The leadership brief: analysis for a year, sentences, charts, HTML, PDF and XLSX."""

from __future__ import annotations

from .render import (
    NIP_PATTERN,
    Chart,
    find_nips,
    headline_chart_svg,
    render_html,
    render_pdf,
    render_xlsx,
    write_brief,
)

__all__ = [
    "Chart",
    "NIP_PATTERN",
    "find_nips",
    "headline_chart_svg",
    "render_html",
    "render_pdf",
    "render_xlsx",
    "write_brief",
]
