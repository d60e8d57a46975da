"""The exact 1-D optimum: Lloyd on a line (core) and the Exact 1-D optimum page (AppTest)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst
from streamlit.testing.v1 import AppTest

from clustering import exact1d, kmeans, lloyd1d
from clustering.ui import exact1d_panels
from clustering.ui.numbers import read_number

ROOT = Path(__file__).resolve().parent.parent
PAGE_PATH = str(ROOT / "pages" / "exact-1d.py")


def _metric(at, label: str) -> float:
    value = next(m.value for m in at.metric if m.label == label)
    return read_number(value)


# --------------------------------------------------------------------------------------
# Core
# --------------------------------------------------------------------------------------


def test_the_stuck_preset_really_is_stuck():
    preset = lloyd1d.line_presets()["stuck"]
    result = lloyd1d.lloyd_1d(preset.x, preset.start)
    _, _, optimum = exact1d.optimal_kmeans_1d(preset.x, preset.k)
    assert result.converged
    assert result.objective > 5 * optimum  # far above: the picture shows it at a glance
    # a local minimum: one more E step and M step change nothing
    labels = kmeans.assign(preset.x[:, None], result.centroids[:, None])
    assert np.array_equal(labels, result.labels)
    np.testing.assert_allclose(kmeans.update(preset.x[:, None], labels, result.centroids[:, None])[:, 0],
                               result.centroids)


def test_lloyd_by_hand_on_four_points():
    # 0, 1 | 9, 10 from the start (0, 1): first round 0 | 1, 9, 10 -> centroids 0, 20/3,
    # then 0, 1 | 9, 10 -> 0.5, 9.5, then nothing changes. J = 4 * 0.25 = 1.
    result = lloyd1d.lloyd_1d([0.0, 1.0, 9.0, 10.0], [0.0, 1.0])
    np.testing.assert_allclose(result.path, [[0.0, 1.0], [0.0, 20 / 3], [0.5, 9.5]])
    assert result.iterations == 2 and result.converged
    assert result.objective == pytest.approx(1.0)
    assert list(result.labels) == [0, 0, 1, 1]


def test_an_empty_cluster_keeps_its_centroid_and_is_reported():
    result = lloyd1d.lloyd_1d([0.0, 1.0, 2.0], [1.0, 1.0])  # a tie goes to the lowest index
    assert result.emptied == (1,)
    assert result.centroids[1] == 1.0


def test_every_preset_has_lloyd_at_or_above_the_optimum():
    for name, preset in lloyd1d.line_presets().items():
        start = preset.start if preset.start is not None else np.sort(preset.x)[: preset.k]
        result = lloyd1d.lloyd_1d(preset.x, start)
        _, _, optimum = exact1d.optimal_kmeans_1d(preset.x, preset.k)
        assert result.objective >= optimum - 1e-9 * max(1.0, optimum), name


def test_clusters_are_renumbered_from_left_to_right():
    centroids, labels = lloyd1d.in_ascending_order(np.array([5.0, -1.0, 2.0]), np.array([0, 1, 2, 0]))
    assert list(centroids) == [-1.0, 2.0, 5.0]
    assert list(labels) == [2, 0, 1, 2]


@pytest.mark.parametrize(
    "text, k, message",
    [
        ("1, two", 2, "“two” is not a number"),
        ("1, 2", 3, "Type exactly K = 3 start positions separated by commas; you typed 2."),
        ("", 1, "Type exactly K = 1 start position separated by commas; you typed 0."),
        ("1, inf", 2, "“inf” is not a finite number"),
    ],
)
def test_typed_positions_give_plain_messages(text, k, message):
    with pytest.raises(ValueError) as error:
        lloyd1d.parse_positions(text, k)
    assert str(error.value).startswith(message)


def test_typed_positions_accept_a_unicode_minus():
    assert list(lloyd1d.parse_positions("−1.5; 2  3", 3)) == [-1.5, 2.0, 3.0]


def test_k_above_the_distinct_values_is_refused():
    with pytest.raises(ValueError, match="choose K of at most 2"):
        lloyd1d.check_k(np.array([1.0, 1.0, 2.0]), 3)


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def test_the_stuck_preset_shows_lloyd_above_the_optimum():
    at = AppTest.from_file(PAGE_PATH).run(timeout=30)
    assert not at.exception and not at.error
    lloyd_j = _metric(at, "J of Lloyd's answer")
    optimum_j = _metric(at, "J of the global optimum")
    gap = _metric(at, "Gap J_Lloyd − J_opt")
    assert lloyd_j > optimum_j > 0
    assert gap == pytest.approx(lloyd_j - optimum_j, abs=2e-3)
    assert any("stuck in a local minimum" in w.value for w in at.warning)
    why = [m.value for m in at.main.markdown if "NP-hard" in m.value]
    assert len(why) == 1 and "contiguous run" in why[0] and "O(K N²)" in why[0]
    figure = json.loads(next(e for e in at.get("plotly_chart") if e.key == "exact-1d.figure").proto.spec)
    rows = figure["layout"]["yaxis"]["ticktext"]
    assert rows[0].startswith("Lloyd") and rows[1].startswith("Global optimum")
    assert f"J = {lloyd_j:,.3f}" in rows[0]


def test_changing_k_recomputes_both_answers():
    at = AppTest.from_file(PAGE_PATH).run(timeout=30)
    optimum_3 = _metric(at, "J of the global optimum")
    at.number_input(key="exact-1d.k").set_value(4).run(timeout=30)
    assert not at.exception and not at.error
    optimum_4 = _metric(at, "J of the global optimum")
    assert optimum_4 < optimum_3  # one more centroid never hurts the optimum
    assert _metric(at, "J of Lloyd's answer") >= optimum_4 - 1e-3
    # the line's own start has 3 centroids: the page says it starts at random instead
    assert any("Set K = 3 to use it" in info.value for info in at.info)
    at.number_input(key="exact-1d.k").set_value(1).run(timeout=30)
    assert not at.exception and not at.error
    assert _metric(at, "Gap J_Lloyd − J_opt") == 0  # with K = 1 there is only one partition


def test_other_presets_random_starts_and_typed_starts():
    at = AppTest.from_file(PAGE_PATH).run(timeout=30)
    at.selectbox(key="exact-1d.preset").select("three-groups").run(timeout=30)
    assert not at.exception and not at.error
    assert at.radio(key="exact-1d.start").value == "random"
    assert _metric(at, "Gap J_Lloyd − J_opt") == 0  # seed 0 finds the three groups
    at.number_input(key="exact-1d.seed").set_value(4).run(timeout=30)
    assert _metric(at, "Gap J_Lloyd − J_opt") > 0  # ... seed 4 does not
    at.radio(key="exact-1d.start").set_value("typed").run(timeout=30)
    assert [e.value for e in at.error] == [
        "Type exactly K = 3 start positions separated by commas; you typed 0."
    ]
    at.text_input(key="exact-1d.typed").input("0, 4, 8").run(timeout=30)
    assert not at.error
    assert _metric(at, "Gap J_Lloyd − J_opt") == 0


def test_one_coordinate_of_the_active_data_set():
    at = AppTest.from_file(PAGE_PATH).run(timeout=30)
    at.radio(key="exact-1d.source").set_value("column").run(timeout=30)
    assert not at.exception and not at.error
    assert _metric(at, "J of Lloyd's answer") >= _metric(at, "J of the global optimum") - 1e-3
    at.radio(key="exact-1d.column").set_value(1).run(timeout=30)
    assert not at.exception and not at.error


def test_a_link_sets_the_line_k_and_start_and_a_bad_link_warns():
    at = AppTest.from_file(PAGE_PATH)
    at.query_params.update({"line": "three-groups", "k": "3", "start": "random", "init_seed": "4"})
    at.run(timeout=30)
    assert not at.exception and not at.error
    assert at.selectbox(key="exact-1d.preset").value == "three-groups"
    assert _metric(at, "Gap J_Lloyd − J_opt") > 0  # seed 4 is the stuck one, as above

    at = AppTest.from_file(PAGE_PATH)
    at.query_params.update({"line": "nope"})
    at.run(timeout=30)
    assert not at.exception
    assert at.warning[0].value == (
        "The link's “line” must be one of stuck, three-groups, uneven; it was “nope”. "
        "Using the default instead."
    )


# --------------------------------------------------------------------------------------
# The link: a typed set-up
# --------------------------------------------------------------------------------------

@hst.composite
def exact_setups(draw) -> exact1d_panels.Setup:
    source = draw(hst.sampled_from(tuple(exact1d_panels.SOURCES)))
    start = draw(hst.sampled_from(tuple(exact1d_panels.STARTS)))
    k = draw(hst.integers(1, 8))
    return exact1d_panels.Setup(
        source=source,
        line=draw(hst.sampled_from(tuple(lloyd1d.line_presets()))) if source == "preset" else "stuck",
        column=draw(hst.integers(0, 1)) if source == "column" else 0,
        k=k, start=start,
        seed=draw(hst.integers(0, 2**32 - 1)) if start == "random" else exact1d_panels.DEFAULT_SEED,
        typed=", ".join(repr(draw(hst.floats(-1e6, 1e6))) for _ in range(k)) if start == "typed" else "",
        revealed=draw(hst.booleans()),
    )


@given(exact_setups())
def test_the_exact_1d_link_round_trips(setup):
    again, messages = exact1d_panels.Setup.from_query(setup.to_query())
    assert again == setup and messages == []


def test_typed_positions_travel_in_the_link():
    at = AppTest.from_file(PAGE_PATH).run(timeout=30)
    at.radio(key="exact-1d.start").set_value("typed").run(timeout=30)
    at.text_input(key="exact-1d.typed").input("-1, 0.5, 6").run(timeout=30)
    link = {key: value[0] if isinstance(value, list) else value for key, value in at.query_params.items()}
    assert link["positions"] == "-1, 0.5, 6" and link["start"] == "typed"
    again = AppTest.from_file(PAGE_PATH)
    again.query_params.update(link)
    again.run(timeout=30)
    assert not again.exception and not again.error
    assert [(m.label, m.value) for m in again.metric] == [(m.label, m.value) for m in at.metric]
