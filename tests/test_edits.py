"""Points edited by hand (clustering/edits.py): the edit itself, its text in a link (a round
trip, held by hypothesis), the edited data set every page uses, and hostile ``edits`` links."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from streamlit.testing.v1 import AppTest

from clustering import datasets, edits
from clustering.constants import MAX_EDITS_TEXT, MAX_LINK_EDITS
from clustering.ui import urls
from clustering.ui.state import DataSpec, build

ROOT = Path(__file__).resolve().parent.parent
coordinate = hst.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@hst.composite
def some_edits(draw, n_original: int = 50) -> edits.Edits:
    removed = draw(hst.lists(hst.integers(0, n_original - 1), unique=True, max_size=20))
    added = draw(hst.lists(hst.tuples(coordinate, coordinate), max_size=MAX_LINK_EDITS - len(removed)))
    result = edits.Edits(tuple(sorted(removed)), ())
    for point in added:
        result = edits.add(result, point)
    return result


@settings(max_examples=200, deadline=None)
@given(some_edits())
def test_the_link_text_gives_back_the_same_edits(edit):
    text = edits.format_edits(edit)
    assert edits.parse_edits(text, 50) == edit
    assert edits.parse_edits(text) == edit


@settings(max_examples=100, deadline=None)
@given(some_edits())
def test_a_link_rebuilds_the_same_edited_points(edit):
    spec = DataSpec(name="blobs", n=50, seed=3, edits=edit)
    query = urls.data_query(spec)
    again = urls.parse_data(query)
    assert again == spec
    np.testing.assert_array_equal(build(again).X, build(spec).X)


def test_apply_drops_the_removed_rows_and_appends_the_added_points():
    X = np.arange(20, dtype=float).reshape(10, 2)
    edit = edits.Edits(removed=(0, 7), added=((100.0, -1.0),))
    edited = edits.apply(X, edit)
    assert edited.shape == (9, 2)
    np.testing.assert_array_equal(edited[:-1], np.delete(X, [0, 7], axis=0))
    np.testing.assert_array_equal(edited[-1], [100.0, -1.0])


def test_remove_forgets_an_added_point_and_marks_an_original_one():
    edit = edits.add(edits.add(edits.Edits(), (1, 1)), (2, 2))  # 10 originals, then (1,1), (2,2)
    assert edits.remove(edit, 10, 10) == edits.Edits((), ((2.0, 2.0),))
    once = edits.remove(edit, 10, 3)  # original point 3
    assert once.removed == (3,)
    twice = edits.remove(once, 10, 3)  # position 3 is now original point 4
    assert twice.removed == (3, 4)
    X = np.arange(20, dtype=float).reshape(10, 2)
    np.testing.assert_array_equal(edits.apply(X, twice)[3], X[5])


def test_an_added_point_keeps_six_significant_digits_and_the_link_says_exactly_that():
    edit = edits.add(edits.Edits(), (math.pi, -1234567.891))
    assert edit.added == ((3.14159, -1234570.0),)
    assert edits.format_edits(edit) == "3.14159,-1234570"


def test_too_few_points_are_refused_in_plain_words():
    with pytest.raises(ValueError, match="at least 2 points must stay"):
        edits.remove(edits.Edits(removed=(0,)), 3, 0)


def test_the_edited_data_set_is_named_and_every_page_gets_it():
    spec = DataSpec(name="blobs", n=40, seed=1, edits=edits.Edits((2,), ((0.5, 0.5), (1.0, 2.0))))
    active = build(spec)
    assert spec.label() == "blobs + 3 points edited"
    assert active.n == 41
    assert active.source.n_points == 40
    assert active.dataset.labels is None  # an added point has no true label
    assert "by hand" in active.dataset.description
    only_removed = build(DataSpec(name="blobs", n=40, seed=1, edits=edits.Edits((2,), ())))
    original = datasets.make("blobs", n=40, seed=1)
    np.testing.assert_array_equal(only_removed.dataset.labels, np.delete(original.labels, 2))


def test_standardized_edits_are_applied_before_the_z_scores():
    spec = DataSpec(name="blobs", n=40, seed=1, standardize=True, edits=edits.Edits((), ((50.0, 50.0),)))
    active = build(spec)
    raw = np.vstack([datasets.make("blobs", n=40, seed=1).X, [[50.0, 50.0]]])
    np.testing.assert_allclose(active.X, datasets.standardize(raw))


def test_more_edits_than_a_link_carries_say_so():
    many = edits.Edits((), tuple((float(i), 0.0) for i in range(MAX_LINK_EDITS + 5)))
    text = urls.data_query(DataSpec(name="blobs", n=40, seed=1, edits=many))["edits"]
    assert text == f"too-many-{MAX_LINK_EDITS + 5}"
    with pytest.raises(urls.UrlError, match="more than a link can carry.*CSV"):
        urls.parse_data({"dataset": "blobs", "n": "40", "edits": text})


HOSTILE_EDITS = {
    "not a number": ("abc", "neither a point"),
    "three numbers": ("1,2,3", "neither a point"),
    "nan": ("nan,1", "neither a point"),
    "infinity": ("1e999,1", "finite"),
    "huge": ("1e300,0", "finite"),
    "markup": ("<script>alert(1)</script>", "neither a point"),
    "negative removal": ("r-3", "neither a point"),
    "removed twice": ("r3;r3", "same point twice"),
    "too many": (";".join(["1,1"] * (MAX_LINK_EDITS + 1)), "more than a link carries"),
    "too long": ("1" * (MAX_EDITS_TEXT + 1), "longer than"),
    "too many with junk": ("too-many-abc", "more points edited"),
}


@pytest.mark.parametrize("case", list(HOSTILE_EDITS))
def test_a_hostile_edits_link_gets_a_plain_message(case):
    text, words = HOSTILE_EDITS[case]
    with pytest.raises(urls.UrlError, match=words) as raised:
        urls.parse_data({"dataset": "blobs", "n": "40", "edits": text})
    message = str(raised.value)
    assert message.startswith("The link's “edits”") and "Traceback" not in message
    assert len(message) < 400


def test_edits_that_do_not_fit_the_points_are_refused_when_the_points_are_made():
    spec = urls.parse_data({"dataset": "blobs", "n": "40", "edits": "r40"})  # points 0..39
    with pytest.raises(ValueError, match="can't be used: the edits remove a point that is not there"):
        build(spec)
    spec = urls.parse_data({"dataset": "blobs", "n": "2", "edits": "r0"})
    with pytest.raises(ValueError, match="at least 2 must stay"):
        build(spec)


@pytest.mark.parametrize("text", ["r99999", "abc", "1e999,1", "r0;r1;r2"])
def test_a_page_opened_with_a_hostile_edits_link_shows_a_message_and_the_default_data(text):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page("pages/kmeans.py")
    at.query_params.update({"dataset": "blobs", "n": "3", "seed": "1", "edits": text, "k": "2"})
    at.run()
    assert not at.exception
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "edit" in warnings and "Showing the default data set instead" in warnings
    assert "Traceback" not in warnings
