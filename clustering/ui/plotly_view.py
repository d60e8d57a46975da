"""A Plotly figure that stays on the page between reruns and is redrawn with ``Plotly.react``.

The figures of the stepping pages change at every click (the main figure, the J chart, the
bound chart). ``st.plotly_chart`` gives a changed figure a new element (its id includes the
figure), so the browser builds a new graph div (``newPlot``; above the WebGL threshold also a
new WebGL context, about 0.4 s in headless Chromium), then draws it a second time when
Streamlit applies its theme. This component keeps one graph div per key in a small frame
(``frontend/plotly_view``); a rerun sends the new figure and the frame calls ``Plotly.react``
once. Measured with ``bench/bench_browser.py``'s timing on a bare button app at N = 1,000
(WebGL): 120 ms from click to redrawn against 356 ms with ``st.plotly_chart``; at 20,000:
455 against 1,521 ms.

    event = plotly_view.show(figure, key="kmeans.figure", on_click=callback)

The value (also ``st.session_state[key]``) is None until a point is clicked, then
``{"selection": {"points": [{"x", "y", "curve_number", "point_index", "name", "customdata"}]},
"click": count}`` (``name``: the clicked trace's): the selection shape of ``st.plotly_chart``,
so the pages read both alike.

The frame loads Plotly from the installed ``plotly`` package: its ``plotly.min.js`` is copied
once, next to the frame's two files, into a folder named after their contents in the user's
cache folder (``cache_base``; Streamlit serves a component's files from one folder and follows
no links out of it). When no folder can be written, the figures are drawn by
``st.plotly_chart`` instead: slower, the same on screen.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import plotly
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components

FRONTEND = Path(__file__).resolve().parent / "frontend" / "plotly_view"
FRONTEND_FILES = ("index.html", "view.js")
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
DEFAULT_HEIGHT = 450


def cache_base() -> Path:
    """Where the frame's folder is made: ``$XDG_CACHE_HOME/clustering-lab`` (or
    ``~/.cache/clustering-lab``), else the temporary directory when that cannot be written.

    Not the temporary directory first: a class's server runs for weeks, and systems clear
    old files out of /tmp.
    """
    candidates = [Path(tempfile.gettempdir())]
    try:
        cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        candidates.insert(0, Path(cache) / "clustering-lab")
    except (RuntimeError, KeyError):  # no home folder known
        pass
    for base in candidates:
        try:
            base.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(base, os.W_OK):
            return base
    raise OSError("no folder can be written for the figure component")


def frontend_folder(base: Path | None = None) -> Path:
    """The folder Streamlit serves the frame from: the frame's files and ``plotly.min.js``.

    Made once per content (its name holds a hash of the files and Plotly's version), written
    to a new folder and renamed into place, so two processes starting at once cannot serve a
    half-copied file. ``base``: where (default ``cache_base()``).
    """
    digest = hashlib.sha256(plotly.__version__.encode())
    for name in FRONTEND_FILES:
        digest.update((FRONTEND / name).read_bytes())
    base = Path(base) if base is not None else cache_base()
    folder = base / f"plotly-view-{digest.hexdigest()[:16]}"
    if _complete(folder):
        return folder
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=base))
    _copy_files(staging)
    try:
        os.replace(staging, folder)
    except OSError:  # a non-empty folder of that name is in the way
        if not _complete(folder):  # a broken one: serve the fresh copy instead
            return staging
        shutil.rmtree(staging, ignore_errors=True)  # another process made it first
    return folder


def _sources() -> dict[str, Path]:
    return {**{name: FRONTEND / name for name in FRONTEND_FILES}, "plotly.min.js": PLOTLY_JS}


def _copy_files(folder: Path, missing_only: bool = False) -> None:
    for name, source in _sources().items():
        if not (missing_only and (folder / name).is_file()):
            shutil.copyfile(source, folder / name)


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _sources())


@functools.cache
def _declared() -> tuple[Any, Path] | None:
    """The declared component and the folder it serves, or None when no folder could be made
    (then ``show`` falls back to ``st.plotly_chart``). Declared on first use, from inside a
    script run, so that the running server registers the folder it serves."""
    try:
        folder = frontend_folder()
    except OSError:
        return None
    return components.declare_component("plotly_view", path=str(folder)), folder


def figure_json(figure) -> str:
    """The figure as Plotly JSON (numpy arrays as typed arrays), without Plotly's checks."""
    return pio.to_json(figure, validate=False)


def show(figure, *, key: str, config: Mapping[str, Any] | None = None,
         on_click: Callable[[], None] | None = None) -> Any:
    """Draw ``figure`` (a go.Figure) under ``key``; the same key redraws the same graph div.

    on_click : called (as a widget callback, before the rerun) when a drawn point is clicked;
        the click is in ``st.session_state[key]``.
    Returns the last click (see the module's docstring), or None.
    """
    declared = _declared()
    if declared is not None and not _complete(declared[1]):  # files removed since: put back
        try:
            _copy_files(declared[1], missing_only=True)
        except OSError:
            declared = None
    if declared is None:  # no folder to serve the frame from: Streamlit's own chart
        return st.plotly_chart(figure, key=key, config=dict(config or {}), theme=None,
                               on_select=on_click or "ignore", selection_mode="points")
    component, _ = declared
    height = figure.layout.height or DEFAULT_HEIGHT
    return component(
        spec=figure_json(figure), config=json.dumps(dict(config or {})), height=int(height),
        key=key, default=None, on_change=on_click,
    )
