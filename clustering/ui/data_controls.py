"""The Data page's controls: widgets that always show the active data set, and callbacks that
make a new data set active the moment a widget changes (apply on change).

The active data set (``state.get_data()``) is the only truth. Before the widgets are drawn,
``sync_widgets`` writes the active recipe into their keys, so a link, a data set made on
another page, or a return to the page after the widgets were cleaned up all show what is
active. A widget's ``on_change`` callback builds the new recipe from the widgets and calls
``activate``; when that fails (a bad file, a value a generator refuses) the previous data set
stays active and the page shows the reason once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clustering import datasets, io
from clustering.constants import DEFAULT_SEED
from clustering.ui import state

PAGE = "data"
SOURCE_GENERATOR = "a generator"
SOURCE_FILE = "your own file (CSV or TSV)"
SOURCES = (SOURCE_GENERATOR, SOURCE_FILE)
UPLOAD_TYPES = ["csv", "tsv", "txt"]

# The names (for get_value / set_value / widget keys) of the page's widgets and values.
SOURCE, NAME, N, SEED, STANDARDIZE = "w.source", "w.name", "w.n", "w.seed", "w.standardize"
UPLOADER, COLUMN_X, COLUMN_Y = "w.upload", "w.column_x", "w.column_y"
_SYNCED = "w.synced_version"
_UPLOADER_RESETS = "w.uploader_resets"  # grows when a refused file is cleared from the uploader
_UPLOAD = "upload"  # the last file read successfully (an UploadedSource)
_LAST_GENERATOR = "last_generator"  # the last generator recipe, for a switch back from a file

PAGE_TITLES = {"kmeans": "K-means", "gmm": "Gaussian mixture", "compare": "Compare",
               "generative": "Generative model", "exact-1d": "Exact 1-D", "lessons": "Lessons"}


@dataclass(frozen=True, eq=False)
class UploadedSource:
    """A file the person uploaded: its name, its bytes and its columns of numbers."""

    name: str
    content: bytes
    numeric: tuple[str, ...]


def key(name: str) -> str:
    """The ``key=`` of one of the page's widgets."""
    return state.widget_key(PAGE, name)


def uploader_name() -> str:
    """The widget name of the file uploader; a new name empties it (after a refused file)."""
    return f"{UPLOADER}.{state.get_value(PAGE, _UPLOADER_RESETS, 0)}"


def option_name(generator: str, option: str) -> str:
    """The widget name of a generator's option (one per generator, so values don't mix)."""
    return f"w.option.{generator}.{option}"


def plain(text: object) -> str:
    """Text from a file (a name, a header) made safe inside Streamlit markdown: shown as typed.

    Every ASCII punctuation character is backslash-escaped (CommonMark shows it literally), so
    `*`, `_`, `[`, `<`, `$` or `:` in a file name never turns into formatting, a link, LaTeX or
    an emoji.
    """
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", str(text))


# --------------------------------------------------------------------------------------
# What the widgets show
# --------------------------------------------------------------------------------------


def generator_values(spec: state.DataSpec, n_points: int | None = None) -> dict[str, object]:
    """The generator widgets' values for a generator recipe."""
    name = spec.name
    n = spec.n if spec.n is not None else (n_points or datasets.USUAL_SIZES[name])
    values: dict[str, object] = {NAME: name, N: int(n), SEED: int(spec.seed)}
    chosen = dict(spec.options)
    for option in datasets.OPTIONS[name]:
        values[option_name(name, option.name)] = chosen.get(option.name, option.default)
    return values


def sync_widgets(active: state.ActiveData) -> None:
    """Make the widgets show ``active`` (call before drawing them).

    When the active data changed since the widgets last showed it, every widget is set from
    it; otherwise only widgets whose value was cleaned up (after a visit to another page) are.
    """
    spec = active.spec
    fresh = state.get_value(PAGE, _SYNCED) != active.version
    if spec.is_upload:
        source = SOURCE_FILE if spec.name == "upload" else None
        generator = state.get_value(PAGE, _LAST_GENERATOR) or state.DataSpec()
        wanted = generator_values(generator)
        overwrite_generator = False
    else:
        source = SOURCE_GENERATOR
        wanted = generator_values(spec, active.dataset.n_points)
        overwrite_generator = fresh
        state.set_value(PAGE, _LAST_GENERATOR, spec)
    current = state.get_value(PAGE, NAME)
    name = wanted[NAME] if overwrite_generator or current not in datasets.NAMES else current
    if name != wanted[NAME]:  # the widgets show another generator than the last one used
        wanted = generator_values(state.DataSpec(name=name))
    for widget, value in wanted.items():
        if overwrite_generator or state.get_value(PAGE, widget) is None:
            state.set_value(PAGE, widget, value)
    if fresh or state.get_value(PAGE, SOURCE) not in SOURCES:
        state.set_value(PAGE, SOURCE, source)
    if fresh or state.get_value(PAGE, STANDARDIZE) is None:
        state.set_value(PAGE, STANDARDIZE, bool(spec.standardize))
    upload = state.get_value(PAGE, _UPLOAD)
    if upload is not None and len(upload.numeric) > 2:
        columns = dict(spec.options).get("columns") if spec.name == "upload" else None
        columns = columns or upload.numeric[:2]
        for widget, column in zip((COLUMN_X, COLUMN_Y), columns, strict=True):
            if fresh or state.get_value(PAGE, widget) not in upload.numeric:
                state.set_value(PAGE, widget, column)
    state.set_value(PAGE, _SYNCED, active.version)


def uploaded() -> UploadedSource | None:
    """The last file read successfully, if any."""
    return state.get_value(PAGE, _UPLOAD)


# --------------------------------------------------------------------------------------
# Making a data set active
# --------------------------------------------------------------------------------------


def activate(spec: state.DataSpec, dataset: datasets.Dataset | None = None) -> bool:
    """Make ``spec`` the active data set; on failure the previous one stays and the page says why.

    Returns True when the data changed. Runs made on the previous data are reset (by
    ``state.get_run`` on their pages); the Data page says which.
    """
    with_runs = state.pages_with_runs()
    try:
        state.set_data(spec, dataset)
    except ValueError as error:  # a generator's own plain message
        state.push_message(PAGE, f"{plain(error)} The previous data set stays active.", "error")
        show_active_again()
        return False
    if with_runs:
        pages = " and ".join(PAGE_TITLES.get(page, page) for page in sorted(with_runs))
        runs = "run" if len(with_runs) == 1 else "runs"
        state.push_message(
            PAGE, f"The data set changed, so the {runs} on the {pages} "
            f"page{'s' if len(with_runs) > 1 else ''} made on the previous data "
            f"{'was' if len(with_runs) == 1 else 'were'} reset.", "info",
        )
    return True


def _generator_spec(name: str | None = None, keep_size: bool = True) -> state.DataSpec:
    """The recipe the generator widgets describe (``name``'s usual size when not keep_size)."""
    name = name or state.get_value(PAGE, NAME) or state.DataSpec().name
    fixed = name in datasets.FIXED
    n = state.get_value(PAGE, N) if keep_size and not fixed else None
    seed = DEFAULT_SEED if fixed else int(state.get_value(PAGE, SEED) or DEFAULT_SEED)
    options = []
    for option in datasets.OPTIONS[name]:
        value = state.get_value(PAGE, option_name(name, option.name))
        if value is not None and value != option.default:
            options.append((option.name, int(value) if option.integer else float(value)))
    return state.DataSpec(
        name=name, n=None if n is None else int(n), seed=seed,
        standardize=bool(state.get_value(PAGE, STANDARDIZE)), options=tuple(options),
    )


def on_generator() -> None:
    """Callback of the generator menu: its data set at its usual size and default options."""
    activate(_generator_spec(keep_size=False))


def on_parameter() -> None:
    """Callback of N, the seed and the generator's options."""
    activate(_generator_spec())


def on_standardize() -> None:
    """Callback of the toggle: the same points, standardized or in their original units."""
    active = state.get_data()
    z = bool(state.get_value(PAGE, STANDARDIZE))
    activate(state.with_standardize(active.spec, z), active.dataset)


def on_source() -> None:
    """Callback of the source choice: back to the generator, or to the last file read."""
    if state.get_value(PAGE, SOURCE) == SOURCE_GENERATOR:
        activate(_generator_spec())
        return
    upload = uploaded()
    if upload is not None:
        _read(upload, *_chosen_columns(upload))


def on_upload() -> None:
    """Callback of the file uploader: read the file; a bad one leaves the previous data active."""
    file = state.get_value(PAGE, uploader_name())
    if file is None:  # the file was removed from the uploader: keep what is active
        return
    content = file.getvalue()
    try:
        numeric = tuple(io.numeric_columns(content))
    except io.DataError as error:
        _refuse(file.name, error)
        numeric = None
    upload = UploadedSource(name=str(file.name), content=content, numeric=numeric or ())
    if numeric is not None and _read(upload, *(numeric[:2] if len(numeric) > 2 else (None, None))):
        state.set_value(PAGE, _UPLOAD, upload)
    else:  # empty the uploader, so that it never shows a refused file as if it were in use
        state.set_value(PAGE, _UPLOADER_RESETS, state.get_value(PAGE, _UPLOADER_RESETS, 0) + 1)


def on_columns() -> None:
    """Callback of the two column menus (a file with more than two columns of numbers)."""
    upload = uploaded()
    if upload is not None and not _read(upload, *_chosen_columns(upload)):
        show_active_again()  # e.g. the same column twice: the menus go back to the columns in use


def show_active_again() -> None:
    """After a refused change: the widgets show the data set that stayed active (next run)."""
    state.set_value(PAGE, _SYNCED, None)


def _chosen_columns(upload: UploadedSource) -> tuple[str | None, str | None]:
    """The two columns the menus name, for a file with more than two columns of numbers."""
    chosen = (state.get_value(PAGE, COLUMN_X), state.get_value(PAGE, COLUMN_Y))
    if len(upload.numeric) > 2 and all(column in upload.numeric for column in chosen):
        return chosen
    return None, None


def _read(upload: UploadedSource, column_x: str | None, column_y: str | None) -> bool:
    columns = (column_x, column_y) if column_x is not None and column_y is not None else None
    try:
        dataset = io.read_points(upload.content, columns=columns, name=upload.name)
    except io.DataError as error:
        _refuse(upload.name, error)
        return False
    options = (("columns", columns),) if columns is not None else ()
    spec = state.DataSpec(name="upload", source_name=upload.name, options=options,
                          standardize=bool(state.get_value(PAGE, STANDARDIZE)))
    return activate(spec, dataset)


def _refuse(file_name: str, error: Exception) -> None:
    """Say why a file can't be used (the previous data set stays active)."""
    state.push_message(
        PAGE, f"Could not use the file “{plain(file_name)}”: {plain(error)} "
        "The previous data set stays active.", "error",
    )


# --------------------------------------------------------------------------------------
# What the page shows about the active data
# --------------------------------------------------------------------------------------


def table(active: state.ActiveData, rows: int | None = None) -> pd.DataFrame:
    """The active points as a table (the first ``rows`` of them, or all): the two coordinates
    as the algorithms see them, and the true label where known."""
    x_name, y_name = axis_names(active)
    stop = active.n if rows is None else min(rows, active.n)
    frame = pd.DataFrame({x_name: active.X[:stop, 0], y_name: active.X[:stop, 1]})
    labels = label_texts(active.dataset, stop)
    if labels is not None:
        frame["label" if "label" not in frame else "true label"] = labels
    return frame


def axis_names(active: state.ActiveData) -> tuple[str, str]:
    """The names of the two coordinates, marked "(z-score)" when standardized."""
    x_name, y_name = active.dataset.columns
    if active.spec.standardize:
        return f"{x_name} (z-score)", f"{y_name} (z-score)"
    return x_name, y_name


def label_texts(dataset: datasets.Dataset, stop: int | None = None) -> np.ndarray | None:
    """The true labels (of the first ``stop`` points) as text, integer components numbered
    from 1 ("group 1", ...), or None when unknown."""
    if dataset.labels is None:
        return None
    labels = dataset.labels[:stop]
    if np.issubdtype(labels.dtype, np.integer):
        names = np.array([f"group {k + 1}" for k in range(int(labels.max(initial=0)) + 1)])
        return names[labels]
    texts = labels.astype(str).astype(object)
    for label, title in datasets.LABEL_TITLES.items():
        texts[texts == label] = title
    return texts


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (full precision), as the download holds it."""
    return frame.to_csv(index=False, float_format="%.17g").encode("utf-8")


def download_name(active: state.ActiveData) -> str:
    base = active.spec.source_name if active.spec.is_upload else active.spec.name
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", base.rsplit(".", 1)[0]).strip("-") or "data"
    return f"{stem}{'-standardized' if active.spec.standardize else ''}.csv"


def ranges(X: np.ndarray) -> tuple[str, str]:
    """The range of each coordinate, as "min to max" with 4 significant digits."""
    low, high = X.min(axis=0), X.max(axis=0)
    return tuple(f"{low[j]:.4g} to {high[j]:.4g}" for j in range(2))  # type: ignore[return-value]

