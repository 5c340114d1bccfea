"""Matplotlib figures as inline SVG for the offline HTML pages (quality, privacy, statistics)."""

from __future__ import annotations

import io
from typing import Any

__all__ = ["figure_svg"]


def figure_svg(fig: Any) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, no date: reproducible), and close it."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]
