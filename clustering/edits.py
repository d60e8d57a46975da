"""Points added or removed by hand: an edit of a data set, and its text in a link.

A data set's edits are the original points it drops (their positions in the generated or read
points) and the points it adds (appended after the kept ones, in the order they were added):

    edited = apply(X, edits)                  # (N - len(removed) + len(added), 2)
    edits = add(edits, (1.25, -0.5))         # one more point, coordinates rounded (EDIT_DIGITS)
    edits = remove(edits, n_original, i)     # drop the point at position i of the edited X
    text = format_edits(edits)               # "r17;r40;1.25,-0.5": parse_edits(text, N) == edits

Pure numpy: no Streamlit. Every bad text (a hostile link) gives a ValueError in one plain
sentence.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from clustering.constants import (
    EDIT_DIGITS,
    EDIT_MAX_ABS,
    MAX_EDITS_TEXT,
    MAX_LINK_EDITS,
    MAX_POINTS,
)

MIN_POINTS = 2  # an edit never leaves fewer points than this
TOO_MANY = "too-many"  # the link's text when there are more edits than a link carries
_REMOVED = re.compile(r"r(\d{1,7})")


@dataclass(frozen=True)
class Edits:
    """removed: sorted, distinct positions in the original points; added: (x, y) pairs."""

    removed: tuple[int, ...] = ()
    added: tuple[tuple[float, float], ...] = ()

    @property
    def count(self) -> int:
        """How many points were edited (added + removed)."""
        return len(self.removed) + len(self.added)

    def __bool__(self) -> bool:
        return self.count > 0

    def describe(self) -> str:
        """ "3 points edited" (the data set's label says "mouse + 3 points edited")."""
        return f"{self.count} point{'s' if self.count != 1 else ''} edited"


def rounded(value: float) -> float:
    """A clicked coordinate kept to EDIT_DIGITS significant digits (the link then says exactly it)."""
    return float(f"{float(value):.{EDIT_DIGITS}g}")


def size_after(n_original: int, edits: Edits) -> int:
    """N after the edits."""
    return n_original - len(edits.removed) + len(edits.added)


def apply(X: np.ndarray, edits: Edits) -> np.ndarray:
    """The edited points: X (N, 2) without the removed rows, then the added points.

    Raises ValueError (a plain sentence) when a removed position is not in X or fewer than
    MIN_POINTS would remain.
    """
    X = np.asarray(X, dtype=float)
    check(edits, X.shape[0])
    kept = np.delete(X, np.asarray(edits.removed, dtype=int), axis=0)
    added = np.asarray(edits.added, dtype=float).reshape(-1, X.shape[1] if X.ndim == 2 else 2)
    return np.vstack([kept, added])


def kept_positions(n_original: int, edits: Edits) -> np.ndarray:
    """The positions in the original points of the rows the edited X starts with (in order)."""
    return np.delete(np.arange(n_original), np.asarray(edits.removed, dtype=int))


def check(edits: Edits, n_original: int) -> None:
    """ValueError (plain) unless the edits fit ``n_original`` points."""
    if edits.removed and not 0 <= edits.removed[0] <= edits.removed[-1] < n_original:
        raise ValueError(f"the edits remove a point that is not there (the data set has "
                         f"{n_original:,} points, numbered from 0).")
    if list(edits.removed) != sorted(set(edits.removed)):
        raise ValueError("the edits remove the same point twice.")
    for pair in edits.added:
        if len(pair) != 2 or not all(math.isfinite(v) and abs(v) <= EDIT_MAX_ABS for v in pair):
            raise ValueError(f"an added point must be two finite numbers of at most {EDIT_MAX_ABS:g} "
                             "in size.")
    n = size_after(n_original, edits)
    if n < MIN_POINTS:
        raise ValueError(f"the edits would leave {n} point{'s' if n != 1 else ''}; at least "
                         f"{MIN_POINTS} must stay.")
    if n > MAX_POINTS:
        raise ValueError(f"the edits would make {n:,} points, more than {MAX_POINTS:,}.")


def add(edits: Edits, point: tuple[float, float]) -> Edits:
    """The edits with one more point at ``point`` (rounded to EDIT_DIGITS significant digits)."""
    x, y = rounded(point[0]), rounded(point[1])
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError("a point can only be added at finite coordinates.")
    return Edits(edits.removed, (*edits.added, (x, y)))


def remove(edits: Edits, n_original: int, index: int) -> Edits:
    """The edits with the point at position ``index`` of the edited X removed too.

    An added point is simply forgotten; an original point joins ``removed``. ValueError when
    ``index`` is not a point or too few points would stay.
    """
    n = size_after(n_original, edits)
    if not 0 <= index < n:
        raise ValueError(f"there is no point number {index} (the data set has {n:,}).")
    if n - 1 < MIN_POINTS:
        raise ValueError(f"at least {MIN_POINTS} points must stay.")
    kept = n_original - len(edits.removed)
    if index >= kept:
        added = list(edits.added)
        del added[index - kept]
        return Edits(edits.removed, tuple(added))
    original = int(kept_positions(n_original, edits)[index])
    return Edits(tuple(sorted((*edits.removed, original))), edits.added)


# --------------------------------------------------------------------------------------
# The link
# --------------------------------------------------------------------------------------


def fits_in_link(edits: Edits) -> bool:
    """True when a link can carry the edits (at most MAX_LINK_EDITS)."""
    return edits.count <= MAX_LINK_EDITS


def format_edits(edits: Edits) -> str:
    """The link's text: "r17;r40;1.25,-0.5" (removed positions, then the added points), or
    TOO_MANY when there are more than MAX_LINK_EDITS."""
    if not fits_in_link(edits):
        return f"{TOO_MANY}-{edits.count}"
    parts = [f"r{i}" for i in edits.removed]
    parts += [f"{_number(x)},{_number(y)}" for x, y in edits.added]
    return ";".join(parts)


def _number(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def parse_edits(text: str, n_original: int | None = None) -> Edits:
    """The edits a link's text names, checked against ``n_original`` points (None: checked
    once the points are made, by :func:`apply`).

    Raises ValueError (one plain sentence) for anything else: too long, too many, a token that
    is neither "r<position>" nor "x,y", a removed position not in the data, the same one twice,
    a coordinate not finite or too large, or too few points left.
    """
    text = str(text).strip()
    if text.startswith(TOO_MANY):
        count = text[len(TOO_MANY):].strip("-")
        many = f"{int(count):,} points" if count.isdigit() and len(count) < 9 else "more points"
        raise ValueError(
            f"it was made on a data set with {many} edited by hand, more than a link can carry "
            f"({MAX_LINK_EDITS}): ask for the CSV of its points (the page it was made on offers "
            "it) and upload it on the Data page.")
    if len(text) > MAX_EDITS_TEXT:
        raise ValueError(f"it is longer than {MAX_EDITS_TEXT:,} characters.")
    removed: list[int] = []
    added: list[tuple[float, float]] = []
    tokens = [t.strip() for t in text.split(";") if t.strip()]
    if len(tokens) > MAX_LINK_EDITS:
        raise ValueError(f"it names {len(tokens)} edits, more than a link carries ({MAX_LINK_EDITS}).")
    for token in tokens:
        match = _REMOVED.fullmatch(token)
        if match:
            removed.append(int(match.group(1)))
            continue
        parts = token.split(",")
        try:
            if len(parts) != 2 or not all(re.fullmatch(r"[-+0-9.eE]{1,32}", p.strip()) for p in parts):
                raise ValueError
            pair = (float(parts[0]), float(parts[1]))
        except ValueError:
            raise ValueError(f"“{token[:40]}” is neither a point “x,y” nor a removed point "
                             "“r<number>”.") from None
        added.append(pair)
    if len(set(removed)) != len(removed):
        raise ValueError("it removes the same point twice.")
    edits = Edits(tuple(sorted(removed)), tuple(added))
    if n_original is not None:
        check(edits, n_original)
    else:
        for pair in added:
            if not all(math.isfinite(v) and abs(v) <= EDIT_MAX_ABS for v in pair):
                raise ValueError(f"an added point must be two finite numbers of at most "
                                 f"{EDIT_MAX_ABS:g} in size.")
    return edits


def edit_dataset(dataset, edits: Edits):
    """The :class:`clustering.datasets.Dataset` with the edits applied.

    The true labels stay only when no point was added (an added point has none); the
    description says what was edited.
    """
    from clustering import datasets

    if not edits:
        return dataset
    X = apply(dataset.X, edits)
    labels = None
    if dataset.labels is not None and not edits.added:
        labels = dataset.labels[kept_positions(dataset.n_points, edits)]
    parts = []
    if edits.added:
        parts.append(f"{len(edits.added)} added")
    if edits.removed:
        parts.append(f"{len(edits.removed)} removed")
    note = f" {edits.describe().capitalize()} by hand ({', '.join(parts)})."
    if dataset.labels is not None and edits.added:
        note += " An added point has no true label, so the labels are not used."
    return datasets.Dataset(X=X, labels=labels, name=dataset.name,
                            description=dataset.description + note, columns=dataset.columns,
                            dropped=dataset.dropped)
