"""A Plotly figure with a text alternative: what is on it, in words a screen reader reads.

A chart drawn by ``st.plotly_chart`` is an SVG a screen reader cannot describe. Every Plotly
figure of the app goes through :func:`show_figure`, which puts a visually hidden paragraph
(the "sr-only" clip pattern: off the screen, still in the accessibility tree) right before the
chart, saying what is plotted and its key numbers, e.g. "Data set blobs: scatter plot of
N = 500 points, x₁ against x₂."
"""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

# The class a test and a stylesheet look for.
ALT_CLASS = "cl-figure-alt"

# The standard visually hidden pattern (clip to 1 px, absolutely placed): no box on screen, read
# by assistive technology. The element container Streamlit wraps around it is taken out of the
# flow as well, so the page keeps its spacing (no empty gap above each chart).
_HIDDEN = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
           "clip:rect(0,0,0,0);clip-path:inset(50%);white-space:nowrap;border:0")
_STYLE = ('<style>[data-testid="stElementContainer"]:has(p.cl-figure-alt){position:absolute;'
          'width:1px;height:1px;overflow:hidden;clip-path:inset(50%);margin:0;padding:0}</style>')


def alt_html(alt: str) -> str:
    """The hidden paragraph for ``alt`` (escaped: data set and column names are data)."""
    return f'{_STYLE}<p class="{ALT_CLASS}" style="{_HIDDEN}">{html.escape(alt)}</p>'


def show_figure(figure: Any, alt: str, **plotly_chart_kwargs: Any) -> Any:
    """Draw ``figure`` with ``st.plotly_chart(figure, **plotly_chart_kwargs)`` and its text
    alternative ``alt`` (one or two plain sentences: what is plotted, how many points /
    clusters / components, the key number) in a visually hidden paragraph just before it.

    Returns what ``st.plotly_chart`` returns (the selection event when ``on_select`` is set).
    """
    st.html(alt_html(alt))
    return st.plotly_chart(figure, **plotly_chart_kwargs)
