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
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import streamlit as st

from clustering import datasets, io
from clustering.constants import DEFAULT_SEED, STANDARDIZE_OFFER_RATIO
from clustering.ui import state

PAGE = "data"
SOURCE_GENERATOR = "a generator"
SOURCE_FILE = "your own file (CSV or TSV)"
SOURCES = (SOURCE_GENERATOR, SOURCE_FILE)
UPLOAD_TYPES = ["csv", "tsv", "txt"]

# The names (for get_value / set_value / widget keys) of the page's widgets and values.
SOURCE, NAME, N, SEED, STANDARDIZE = "w.source", "w.name", "w.n", "w.seed", "w.standardize"
UPLOADER, COLUMN_X, COLUMN_Y = "w.upload", "w.column_x", "w.column_y"
# "How to read this file": one widget per ReadSettings field
READ_SEPARATOR, READ_DECIMAL, READ_THOUSANDS = "w.read.separator", "w.read.decimal", "w.read.thousands"
READ_HEADER, READ_INDEX, READ_SKIP, READ_UNITS = ("w.read.header", "w.read.index_column",
                                                  "w.read.skip_lines", "w.read.units_row")
READ_WIDGETS = {READ_SEPARATOR: "separator", READ_DECIMAL: "decimal", READ_THOUSANDS: "thousands",
                READ_HEADER: "header", READ_INDEX: "index_column", READ_SKIP: "skip_lines",
                READ_UNITS: "units_row"}
# the mark first: a narrow menu cuts the end of its label
SEPARATOR_LABELS = {",": ", comma", ";": "; semicolon", "\t": "tab", " ": "spaces"}
DECIMAL_LABELS = {".": ". point", ",": ", comma"}
THOUSANDS_LABELS = {"": "none", ".": ". point", ",": ", comma", " ": "space", "'": "' apostrophe"}
MAX_SKIP_LINES = 100
_SYNCED = "w.synced_version"
_UPLOADER_RESETS = "w.uploader_resets"  # grows when a refused file is cleared from the uploader
_UPLOAD = "upload"  # the last file read successfully (an UploadedSource)
_LAST_GENERATOR = "last_generator"  # the last generator recipe, for a switch back from a file

PAGE_TITLES = {"kmeans": "K-means", "gmm": "Gaussian mixture", "compare": "Compare",
               "generative": "Generative model", "exact-1d": "Exact 1-D", "lessons": "Lessons"}


@dataclass(frozen=True, eq=False)
class UploadedSource:
    """A file the person uploaded: its name, its bytes, how it is read (the person's overrides
    and the resulting Reading, None when the file is no table at all) and its columns of
    numbers. ``in_use`` is False when its points could not be read as it is read now."""

    name: str
    content: bytes
    numeric: tuple[str, ...] = ()
    reading: io.Reading | None = None
    overrides: io.ReadSettings = field(default_factory=io.ReadSettings)
    in_use: bool = False


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
        wanted = generator_values(spec, (active.source or active.dataset).n_points)  # before edits
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
        columns = columns or upload.reading.default_columns() or upload.numeric[:2]
        for widget, column in zip((COLUMN_X, COLUMN_Y), columns, strict=True):
            if fresh or state.get_value(PAGE, widget) not in upload.numeric:
                state.set_value(PAGE, widget, column)
    if upload is not None and upload.reading is not None:
        for widget, value in reading_values(upload.reading.settings).items():
            if fresh or state.get_value(PAGE, widget) is None:
                state.set_value(PAGE, widget, value)
    state.set_value(PAGE, _SYNCED, active.version)


def reading_values(settings: io.ReadSettings) -> dict[str, object]:
    """The "How to read this file" widgets' values for a reading's settings."""
    return {widget: getattr(settings, name) for widget, name in READ_WIDGETS.items()}


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
    activate(state.with_standardize(active.spec, z), active.source)  # the edits apply again


def on_source() -> None:
    """Callback of the source choice: back to the generator, or to the last file read."""
    if state.get_value(PAGE, SOURCE) == SOURCE_GENERATOR:
        activate(_generator_spec())
        return
    upload = uploaded()
    if upload is not None:
        _read(upload, _chosen_columns(upload))


def on_upload() -> None:
    """Callback of the file uploader: read the file; a bad one leaves the previous data active."""
    file = state.get_value(PAGE, uploader_name())
    if file is None:  # the file was removed from the uploader: keep what is active
        return
    _read(UploadedSource(name=str(file.name), content=file.getvalue()), None)


def on_reading(name: str) -> None:
    """Callback of a "How to read this file" widget: read the file again with that setting
    overridden (the other settings stay detected unless the person set them too)."""
    upload = uploaded()
    if upload is None:
        return
    widget = next(w for w, field_name in READ_WIDGETS.items() if field_name == name)
    value = state.get_value(PAGE, widget)
    if name == "skip_lines":
        value = int(value or 0)
    overrides = replace(upload.overrides, **{name: value})
    _read(replace(upload, overrides=overrides), None)


def on_detect_again() -> None:
    """Callback of "Detect again": forget the overrides, read the file as detected."""
    upload = uploaded()
    if upload is not None:
        _read(replace(upload, overrides=io.ReadSettings()), None)


def on_columns(menu: str = COLUMN_X) -> None:
    """Callback of the two column menus (a file with more than two columns of numbers).

    Choosing for one menu the column the other holds swaps them, so that each step of a swap
    works.
    """
    upload = uploaded()
    if upload is None:
        return
    chosen = state.get_value(PAGE, menu)
    other = COLUMN_Y if menu == COLUMN_X else COLUMN_X
    if chosen == state.get_value(PAGE, other):
        in_use = columns_in_use(upload)
        if in_use is not None:
            previous = in_use[0] if menu == COLUMN_X else in_use[1]
            state.set_value(PAGE, other, previous)
    if not _read(upload, _chosen_columns(upload)):
        show_active_again()  # the menus go back to the columns in use


def columns_in_use(upload: UploadedSource) -> tuple[str, str] | None:
    """The two columns of ``upload`` whose points are active, or the default pair."""
    active = state.get_data()
    if upload.in_use and active.spec.name == "upload" and active.spec.source_name == upload.name:
        return tuple(active.dataset.columns)  # type: ignore[return-value]
    return upload.reading.default_columns() if upload.reading is not None else None


def show_active_again() -> None:
    """After a refused change: the widgets show the data set that stayed active (next run)."""
    state.set_value(PAGE, _SYNCED, None)


def _chosen_columns(upload: UploadedSource) -> tuple[str, str] | None:
    """The two columns the menus name, for a file with more than two columns of numbers."""
    chosen = (state.get_value(PAGE, COLUMN_X), state.get_value(PAGE, COLUMN_Y))
    if len(upload.numeric) > 2 and all(column in upload.numeric for column in chosen):
        return chosen  # type: ignore[return-value]
    return None


def _read(upload: UploadedSource, columns: tuple[str, str] | None) -> bool:
    """Read ``upload`` as its overrides say and make its points active.

    When the points can't be read but the file is a table, the file stays (not in use), so
    the person can change how it is read; when it is no table, the uploader is emptied.
    """
    try:
        dataset, reading = io.read_table(upload.content, columns=columns, name=upload.name,
                                         settings=upload.overrides)
    except io.DataError as error:
        _refuse(upload.name, error)
        try:
            reading = io.inspect(upload.content, upload.overrides)
        except io.DataError:
            kept = uploaded()
            if kept is None or kept.content is not upload.content:  # a new file, no table at all
                state.set_value(PAGE, _UPLOADER_RESETS, state.get_value(PAGE, _UPLOADER_RESETS, 0) + 1)
            else:  # an override the file can't be read with: the widgets show the last reading
                _keep(kept)
            return False
        _keep(replace(upload, reading=reading, numeric=tuple(reading.numeric_names()),
                      in_use=False))
        return False
    _keep(replace(upload, reading=reading, numeric=tuple(reading.numeric_names()), in_use=True))
    chosen = tuple(dataset.columns) if len(reading.numeric_names()) > 2 else None
    options = (("columns", chosen),) if chosen is not None else ()
    spec = state.DataSpec(name="upload", source_name=upload.name, options=options,
                          standardize=bool(state.get_value(PAGE, STANDARDIZE)))
    if chosen is not None:
        state.set_value(PAGE, COLUMN_X, chosen[0])
        state.set_value(PAGE, COLUMN_Y, chosen[1])
    return activate(spec, dataset)


def _keep(upload: UploadedSource) -> None:
    """Remember the file and make the "How to read this file" widgets show its reading."""
    state.set_value(PAGE, _UPLOAD, upload)
    if upload.reading is not None:
        for widget, value in reading_values(upload.reading.settings).items():
            state.set_value(PAGE, widget, value)


def _refuse(file_name: str, error: Exception) -> None:
    """Say why a file can't be used (the previous data set stays active)."""
    state.push_message(
        PAGE, f"Could not use the file “{plain(file_name)}”: {plain(error)} "
        "The previous data set stays active.", "error",
    )


# --------------------------------------------------------------------------------------
# How the file was read
# --------------------------------------------------------------------------------------


def _options(labels: dict[str, str], current: object) -> list:
    options = list(labels)
    return options if current in options else [*options, current]


def reading_widgets(upload: UploadedSource) -> None:
    """The "How to read this file" expander's content: every setting, pre-filled with what
    was detected (or what the person chose), each column's reading and the notes."""
    reading = upload.reading
    assert reading is not None
    settings = reading.settings
    separator, decimal = st.columns(2)
    separator.selectbox(
        "Separator", _options(SEPARATOR_LABELS, settings.separator),
        format_func=lambda v: SEPARATOR_LABELS.get(v, repr(v)), key=key(READ_SEPARATOR),
        on_change=on_reading, args=("separator",),
        help="“spaces”: any run of spaces or tabs between the values.")
    decimal.selectbox(
        "Decimal mark", list(DECIMAL_LABELS), format_func=DECIMAL_LABELS.get,
        key=key(READ_DECIMAL), on_change=on_reading, args=("decimal",))
    thousands, skip = st.columns(2)
    thousands.selectbox(
        "Thousands mark", _options(THOUSANDS_LABELS, settings.thousands),
        format_func=lambda v: THOUSANDS_LABELS.get(v, repr(v)), key=key(READ_THOUSANDS),
        on_change=on_reading, args=("thousands",),
        help="Used only in a column all of whose values are grouped with it: with “. point”, "
             "1.065 and 8.425.333 are 1065 and 8425333.")
    skip.number_input("Lines to skip", min_value=0, max_value=MAX_SKIP_LINES,
                      step=1, key=key(READ_SKIP), on_change=on_reading, args=("skip_lines",),
                      help="Lines at the top that are neither header nor points, such as "
                           "Excel's “sep=;” or scikit-learn's counts line.")
    st.checkbox("Header in the first line", key=key(READ_HEADER), on_change=on_reading,
                args=("header",))
    st.checkbox("Row names in the first column", key=key(READ_INDEX), on_change=on_reading,
                args=("index_column",),
                help="R's write.table and write.csv write row names: not a coordinate.")
    st.checkbox("Units row under the header", key=key(READ_UNITS), on_change=on_reading,
                args=("units_row",))
    changed = [name for name in READ_WIDGETS.values()
               if getattr(upload.overrides, name) is not None
               and getattr(reading.detected, name) != getattr(settings, name)]
    if changed:
        detected = ", ".join(f"{name.replace('_', ' ')}: {_shown_setting(getattr(reading.detected, name))}"
                             for name in changed)
        st.caption(f"Changed by you (detected: {detected}).")
    if upload.overrides != io.ReadSettings():
        st.button("Detect again", on_click=on_detect_again, key=key("w.read.detect"))
    st.markdown("**Each column**\n\n" + "\n".join(
        f"- {plain(column.describe())}" for column in reading.columns))
    if not upload.in_use:  # else the notes are under the preview
        for note in reading.notes:
            st.caption(plain(note))


def _shown_setting(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return {**SEPARATOR_LABELS, "": "none"}.get(value, value)
    return str(value)


def reading_summary(reading: io.Reading, columns: tuple[str, str]) -> None:
    """Under the preview: how the file was read, how the two coordinates were read, and the
    lines skipped (the dropped rows are in the dataset's description)."""
    by_name = {column.name: column for column in reading.columns}
    lines = [f"**How the file was read:** {plain(reading.settings.describe())}."]
    lines += [f"- {axis}: {plain(by_name[name].describe())}"
              for axis, name in zip(("x₁", "x₂"), columns, strict=True) if name in by_name]
    st.markdown("\n".join(lines))
    for note in reading.notes:
        st.caption(plain(note))


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



STANDARDIZE_BUTTON = "Standardize"


def _standardize_now() -> None:
    """Callback of the stepping pages' offer: the active points as z-scores (as on the Data page)."""
    active = state.get_data()
    if not active.spec.standardize:
        activate(state.with_standardize(active.spec, True), active.dataset)


def standardize_offer(active: state.ActiveData, page: str) -> None:
    """On a stepping page: when one axis spreads more than STANDARDIZE_OFFER_RATIO times the
    other (standard deviations), say that equal axis scales draw the points as a line, and
    offer "Standardize" in one click (the link then carries ``standardize=true``)."""
    if active.spec.standardize:
        return
    ratio = datasets.spread_ratio(active.X)
    if not ratio > STANDARDIZE_OFFER_RATIO or not np.isfinite(ratio):
        return
    x_name, y_name = axis_names(active)
    wide, narrow = (x_name, y_name) if active.X[:, 0].std() >= active.X[:, 1].std() else (y_name, x_name)
    row = st.container(horizontal=True, vertical_alignment="center", wrap=False)
    row.warning(
        f"**{plain(wide)} spreads {ratio:,.0f} times as far as {plain(narrow)}**: at equal scale "
        f"the points lie along a line, and nearly all of every distance is {plain(wide)}'s.",
        icon=":material/straighten:")
    row.button(STANDARDIZE_BUTTON, key=state.widget_key(page, "standardize_offer"),
               on_click=_standardize_now, type="primary", width="content",
               help="Each coordinate to mean 0 and standard deviation 1 (z-scores), as the Data "
                    "page's “Standardize” does: both get an equal say; the runs start again on them.")
