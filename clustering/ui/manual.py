"""Place K points by clicking on a plot, with an editable coordinate table as a fallback.

The K-means page places its initial centroids with it, the GMM page its initial means:

    points = manual.place_points("kmeans", X, k, x_range=x_range, y_range=y_range)
    if points is None: ...          # fewer than K placed so far (the component says so)

A click on the plot puts the next point where the click was; once all K are placed, a click
moves the nearest one there. Plotly reports a click only when it lands on a drawn point, so
the figure carries an invisible grid of click targets (plotting.click_grid_trace): a click on
empty space lands on the nearest grid point. The table below the plot shows the K
coordinates and can be edited (or emptied) cell by cell.

State (through clustering.ui.state, per page): the K slots, each (x, y) or empty; a version
number that grows at every change, part of the table's key, so the table always shows the
stored points rather than stale edits. ``set_points`` may be called from a callback (a
preset, a link) before the component is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from clustering import plotting
from clustering.ui import state
from clustering.ui.figures import show_figure

Slot = tuple[float | None, float | None]
EMPTY: Slot = (None, None)
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


# --------------------------------------------------------------------------------------
# Pure helpers (tested without Streamlit)
# --------------------------------------------------------------------------------------


def is_placed(slot: Slot | None) -> bool:
    """True when both coordinates of ``slot`` are finite numbers."""
    return (
        slot is not None and slot[0] is not None and slot[1] is not None
        and bool(np.isfinite(slot[0])) and bool(np.isfinite(slot[1]))
    )


def resize(slots: Sequence[Slot], k: int) -> tuple[Slot, ...]:
    """``slots`` cut or padded with empty slots to exactly k."""
    slots = tuple(slots)[:k]
    return slots + (EMPTY,) * (k - len(slots))


def place(slots: Sequence[Slot], click: tuple[float, float], k: int) -> tuple[Slot, ...]:
    """The slots after a click at ``click``: fill the first empty slot, else move the nearest."""
    slots = list(resize(slots, k))
    point = (float(click[0]), float(click[1]))
    for j, slot in enumerate(slots):
        if not is_placed(slot):
            slots[j] = point
            return tuple(slots)
    where = np.array(slots, dtype=float)
    nearest = int(np.argmin(np.sum((where - np.array(point)) ** 2, axis=1)))
    slots[nearest] = point
    return tuple(slots)


def click_position(event: Any) -> tuple[float, float] | None:
    """The (x, y) of the last point in a Plotly selection event (st.plotly_chart's state)."""
    if not event:
        return None
    selection = event.get("selection", event) if isinstance(event, Mapping) else None
    points = selection.get("points") if isinstance(selection, Mapping) else None
    if not points:
        return None
    last = points[-1]
    try:
        x, y = float(last["x"]), float(last["y"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (np.isfinite(x) and np.isfinite(y)):
        return None
    return x, y


def apply_edits(slots: Sequence[Slot], edited_rows: Mapping, columns: Sequence[str]) -> tuple[Slot, ...]:
    """The slots after the table edits ``edited_rows`` ({row: {column: value}}, as st.data_editor)."""
    slots = list(slots)
    for row, change in edited_rows.items():
        row = int(row)
        if not 0 <= row < len(slots):
            continue
        pair = list(slots[row])
        for axis, column in enumerate(columns):
            if column in change:
                value = change[column]
                try:
                    value = None if value is None else float(value)
                except (TypeError, ValueError):
                    value = None
                pair[axis] = value if value is None or np.isfinite(value) else None
        slots[row] = (pair[0], pair[1])
    return tuple(slots)


def as_array(slots: Sequence[Slot], k: int) -> np.ndarray | None:
    """The (k, 2) array of the placed points when all k are placed, else None."""
    slots = resize(slots, k)
    if k < 1 or not all(is_placed(slot) for slot in slots):
        return None
    return np.array(slots, dtype=float)


def point_name(prefix: str, j: int) -> str:
    """u₁, u₂, ... (1-based, as on the slides)."""
    return f"{prefix}{str(j + 1).translate(_SUBSCRIPTS)}"


# --------------------------------------------------------------------------------------
# Stored points
# --------------------------------------------------------------------------------------


def get_points(page: str, k: int) -> tuple[Slot, ...]:
    """The page's K slots (placed or empty)."""
    return resize(state.get_value(page, "manual.points", ()), k)


def set_points(page: str, points: Sequence[Slot] | np.ndarray | None) -> None:
    """Store the page's placed points ((K, 2) array or slots; None empties them)."""
    if points is None:
        slots: tuple[Slot, ...] = ()
    else:
        slots = tuple(
            (None if p[0] is None else float(p[0]), None if p[1] is None else float(p[1]))
            for p in (points.tolist() if isinstance(points, np.ndarray) else points)
        )
    state.set_value(page, "manual.points", slots)
    state.set_value(page, "manual.version", int(state.get_value(page, "manual.version", 0)) + 1)


def _on_click(page: str, k: int) -> None:
    position = click_position(state.get_value(page, "manual.chart"))
    if position is not None:
        set_points(page, place(get_points(page, k), position, k))


def _on_edit(page: str, k: int, table: str, columns: tuple[str, str]) -> None:
    change = state.get_value(page, table) or {}
    edited = change.get("edited_rows", {}) if isinstance(change, Mapping) else {}
    if edited:
        set_points(page, apply_edits(get_points(page, k), edited, columns))


def _clear(page: str) -> None:
    set_points(page, None)


# --------------------------------------------------------------------------------------
# The component
# --------------------------------------------------------------------------------------


def place_points(
    page: str,
    X: np.ndarray,
    k: int,
    *,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    prefix: str = "u",
    what: str = "centroid",
    axis_titles: tuple[str, str] = ("x₁", "x₂"),
    height: int = plotting.FIGURE_HEIGHT,
) -> np.ndarray | None:
    """Draw the placement plot and table; return the (k, 2) points once all k are placed.

    page : the page key (state is kept per page); X : (N, 2) the data, drawn in grey;
    prefix / what : how the points are named (u and "centroid", or μ and "mean").
    """
    if x_range is None or y_range is None:
        x_range, y_range = plotting.axis_ranges(X)
    slots = get_points(page, k)
    placed = sum(is_placed(slot) for slot in slots)
    if placed < k:
        nxt = next(j for j, slot in enumerate(slots) if not is_placed(slot))
        st.markdown(
            f"**Click on the plot to place {what} {point_name(prefix, nxt)}** "
            f"({placed} of {k} placed). A click on empty space works too; the table below "
            "takes exact coordinates."
        )
    else:
        st.markdown(
            f"All {k} {what}s are placed. A click moves the nearest one there; edit the table for "
            "exact coordinates."
        )
    figure = plotting.placement_figure(
        X, slots, x_range=x_range, y_range=y_range, indices=plotting.drawn_indices(X.shape[0]),
        prefix=prefix, what=what, axis_titles=axis_titles, height=height,
    )
    where = "; ".join(f"{point_name(prefix, j)} at ({slot[0]:.3g}, {slot[1]:.3g})"
                      for j, slot in enumerate(slots) if is_placed(slot))
    alt = (f"Placement plot: N = {X.shape[0]:,} data points in grey, {placed} of {k} {what}s "
           f"placed" + (f": {where}." if where else "."))
    show_figure(
        figure, alt, key=state.widget_key(page, "manual.chart"), on_select=lambda: _on_click(page, k),
        selection_mode="points", config=plotting.PLOT_CONFIG, theme=None,
    )
    version = int(state.get_value(page, "manual.version", 0))
    table = f"manual.table.{version}"
    columns = (axis_titles[0], axis_titles[1])
    frame = pd.DataFrame(
        {columns[0]: [slot[0] for slot in slots], columns[1]: [slot[1] for slot in slots]},
        index=[point_name(prefix, j) for j in range(k)], dtype=float,
    )
    table_column, button_column = st.columns([4, 1], vertical_alignment="bottom")
    with table_column:
        st.data_editor(
            frame, key=state.widget_key(page, table), num_rows="fixed", width="stretch",
            column_config={c: st.column_config.NumberColumn(c, format="%.4g") for c in columns},
            on_change=_on_edit, args=(page, k, table, columns),
        )
    with button_column:
        st.button("Clear all", key=state.widget_key(page, "manual.clear"), on_click=_clear,
                  args=(page,), disabled=all(slot == EMPTY for slot in slots),
                  help=f"Remove every {what} placed so far.")
    return as_array(slots, k)
