"""The one door to session state (round trip through a real Streamlit session) and URL parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as hst
from streamlit.testing.v1 import AppTest

from clustering.ui import urls
from clustering.ui.state import DataSpec


def _state_round_trip_script():
    import numpy as np
    import streamlit as st

    from clustering import kmeans, stepper
    from clustering.ui import state

    active = state.get_data()
    st.text(f"default:{active.spec.name}:{active.n}:{active.version}")
    X = active.X
    run = stepper.new_kmeans_run(kmeans.init_centroids(X, 3, "random", seed=0))
    state.set_run("kmeans", run)
    assert state.get_run("kmeans") is run
    state.set_value("kmeans", "k", 3)
    st.text(f"value:{state.get_value('kmeans', 'k')}")
    new = state.set_data(state.DataSpec(name="blobs", n=90, seed=2))
    st.text(f"new:{new.spec.name}:{new.n}:{new.version}")
    st.text(f"run-after-change:{state.get_run('kmeans')}")
    st.text(f"messages:{len(state.pop_messages('kmeans'))}:{len(state.pop_messages('kmeans'))}")
    standardized = state.set_data(state.DataSpec(name="blobs", n=90, seed=2, standardize=True))
    st.text(f"z:{np.allclose(standardized.X.mean(axis=0), 0)}:{np.allclose(standardized.X.std(axis=0), 1)}")
    st.text(f"first:{state.first_visit('x')}:{state.first_visit('x')}")


def test_session_state_round_trip():
    at = AppTest.from_function(_state_round_trip_script).run(timeout=30)
    assert not at.exception
    texts = [t.value for t in at.text]
    assert texts[0] == "default:mouse:500:0"
    assert texts[1] == "value:3"
    assert texts[2] == "new:blobs:90:1"
    assert texts[3] == "run-after-change:None"  # a run made on other data is dropped
    assert texts[4] == "messages:1:0"  # ... and the page is told once
    assert texts[5] == "z:True:True"
    assert texts[6] == "first:True:False"


def test_two_sessions_share_nothing():
    first = AppTest.from_function(_state_round_trip_script).run(timeout=30)
    second = AppTest.from_function(_state_round_trip_script).run(timeout=30)
    # each session starts from the default data set at version 0, whatever the other did
    assert first.text[0].value == second.text[0].value == "default:mouse:500:0"


def _memo_script():
    import streamlit as st

    from clustering.ui import state

    computed = []  # the keys whose value was computed in this script run

    def remember(key):
        return state.remember("page", "store", key, lambda: computed.append(key) or f"value {key}",
                              keep=3)

    if state.get_value("page", "second_run"):
        st.text(f"again:{[remember(key) for key in (1, 3, 5)]}:{computed}")
    else:
        state.set_value("page", "second_run", True)
        st.text(f"values:{[remember(key) for key in (1, 2, 1, 3, 4, 1)]}")
        st.text(f"computed:{computed}")
        st.text(f"kept:{list(st.session_state['page.store'])}")
        state.retain("page", "store", 3, "new 3", keep=3)  # replaced, and now the newest
        remember(5)
        st.text(f"after:{list(st.session_state['page.store'])}:{state.recall('page', 'store', 4)}")
        st.text(f"computed:{computed}")


def test_the_memo_computes_once_per_key_and_evicts_the_oldest():
    at = AppTest.from_function(_memo_script).run(timeout=30)
    assert not at.exception
    texts = [t.value for t in at.text]
    assert texts[0] == "values:['value 1', 'value 2', 'value 1', 'value 3', 'value 4', 'value 1']"
    assert texts[1] == "computed:[1, 2, 3, 4, 1]"  # a hit computes nothing; 1 was evicted by 4
    assert texts[2] == "kept:[3, 4, 1]"  # at most keep=3 keys, the oldest gone first
    assert texts[3] == "after:[1, 3, 5]:None"  # 4, the oldest after 3 was retained anew, went
    assert texts[4] == "computed:[1, 2, 3, 4, 1, 5]"
    at.run(timeout=30)  # the next run of the same session finds every kept value
    assert at.text[0].value == "again:['value 1', 'new 3', 'value 5']:[]"
    other = AppTest.from_function(_memo_script).run(timeout=30)  # another browser session
    assert other.text[1].value == "computed:[1, 2, 3, 4, 1]"  # shares nothing with the first


def test_parse_data_reads_every_key():
    spec = urls.parse_data({"dataset": "blobs", "n": "1000", "seed": "3", "standardize": "true"})
    assert spec == DataSpec(name="blobs", n=1000, seed=3, standardize=True)
    assert urls.parse_data({}) is None


@pytest.mark.parametrize(
    "query, words",
    [
        ({"dataset": "nonsense"}, "dataset"),
        ({"dataset": "blobs", "n": "ten"}, "whole number"),
        ({"dataset": "blobs", "n": "1"}, "between"),
        ({"dataset": "blobs", "n": "99999999"}, "between"),
        ({"dataset": "blobs", "seed": "-4"}, "between"),
        ({"dataset": "blobs", "standardize": "maybe"}, "true or false"),
    ],
)
def test_bad_url_values_give_plain_messages(query, words):
    with pytest.raises(urls.UrlError) as error:
        urls.parse_data(query)
    message = str(error.value)
    assert words in message and message.endswith(".") and "Traceback" not in message


def test_data_query_round_trips():
    spec = DataSpec(name="moons", n=300, seed=7, standardize=True)
    assert urls.parse_data(urls.data_query(spec)) == spec
    # an upload can't be rebuilt: the link names the file, and opening it says so plainly
    upload = urls.data_query(DataSpec(name="upload", source_name="x.csv"))
    assert upload == {"dataset": "upload", "file": "x.csv"}
    with pytest.raises(urls.UrlError, match="cannot carry a file"):
        urls.parse_data(upload)


@hst.composite
def data_specs(draw) -> DataSpec:
    """Any recipe a link can carry: a generator with its options, or a mixture's sample."""
    from clustering import datasets, generative

    if draw(hst.booleans()):
        rows = generative.PRESETS[draw(hst.sampled_from(tuple(generative.PRESETS)))]
        n = draw(hst.integers(2, 5000))
        seed = draw(hst.integers(0, 2**32 - 1))
        return DataSpec(name="generated", n=n, seed=seed, standardize=draw(hst.booleans()),
                        options=(("mixture", generative.format_components(rows)),),
                        source_name=f"K = {len(rows)}, N = {n:,}, seed {seed}")
    name = draw(hst.sampled_from(datasets.NAMES))
    options = []
    for option in datasets.OPTIONS[name]:
        if draw(hst.booleans()):
            value = (draw(hst.integers(int(option.min), int(option.max))) if option.integer else
                     draw(hst.floats(option.min, option.max)))
            options.append((option.name, value))
    return DataSpec(name=name, n=draw(hst.one_of(hst.none(), hst.integers(2, 10_000))),
                    seed=draw(hst.integers(0, 2**32 - 1)), standardize=draw(hst.booleans()),
                    options=tuple(options))


@given(data_specs())
def test_every_data_link_round_trips(spec):
    assert urls.parse_data(urls.data_query(spec)) == spec


def test_streamlit_still_has_the_private_pages_directory_flag():
    """layout.leave_pages_directory_mode flips a private Streamlit flag (no public API does it).

    If this fails, a Streamlit release renamed or removed
    ``PagesManager.uses_pages_directory``: find its new name (or a public way) and update
    clustering/ui/layout.py, or a link opened as a server's first visit runs pages/ alone.
    """
    from streamlit.runtime.pages_manager import PagesManager

    from clustering.ui import layout

    assert isinstance(getattr(PagesManager, "uses_pages_directory", None), bool), (
        "streamlit.runtime.pages_manager.PagesManager.uses_pages_directory is gone or changed type"
    )
    before = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = True
        assert layout.leave_pages_directory_mode() is True
        assert PagesManager.uses_pages_directory is False
        assert layout.leave_pages_directory_mode() is False
    finally:
        PagesManager.uses_pages_directory = before


def _printed_by_python(code: str) -> list[str]:
    """What a fresh Python process running ``code`` from the repository's root prints, word by word."""
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    return result.stdout.split()


def test_importing_the_ui_leaves_blas_threads_alone():
    code = ("import numpy, scipy.linalg\n"
            "from threadpoolctl import threadpool_info\n"
            "before = [p['num_threads'] for p in threadpool_info()]\n"
            "import clustering.ui, clustering.ui.state, clustering.ui.layout\n"
            "print(before == [p['num_threads'] for p in threadpool_info()])")
    assert _printed_by_python(code) == ["True"]


def test_the_server_limits_blas_to_one_thread_and_finds_the_libraries_once():
    code = ("from threadpoolctl import threadpool_info\n"
            "from clustering.ui import serving\n"
            "serving.one_blas_thread()\n"
            "found = serving._blas\n"
            "serving.one_blas_thread()\n"
            "threads = [p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas']\n"
            "print(bool(threads) and set(threads) == {1}, serving._blas is found)")
    assert _printed_by_python(code) == ["True", "True"]


# --- the stepping pages' set-ups: pure links, each the other's inverse -----------------------


@hst.composite
def kmeans_setups(draw):
    from clustering.ui import kmeans_panels

    init = draw(hst.sampled_from([name for name in kmeans_panels.INITS if name != "manual"]))
    return kmeans_panels.Setup(draw(hst.integers(1, 20)), init, draw(hst.integers(0, 2**32 - 1)))


@given(kmeans_setups())
def test_the_kmeans_link_round_trips(setup):
    from clustering.ui import kmeans_panels

    assert kmeans_panels.Setup.from_query(setup.to_query()) == (setup, [])


@hst.composite
def gmm_setups(draw):
    from clustering.constants import MAX_K_GMM
    from clustering.ui import gmm_panels

    return gmm_panels.Setup(
        k=draw(hst.integers(1, MAX_K_GMM)), init=draw(hst.sampled_from(tuple(gmm_panels.INITS))),
        init_seed=draw(hst.integers(0, 2**32 - 1)),
        covariance_type=draw(hst.sampled_from(tuple(gmm_panels.COVARIANCE_TYPES))),
        reg_covar=draw(hst.sampled_from(gmm_panels.REG_OPTIONS)),
        tol=draw(hst.sampled_from(gmm_panels.TOL_OPTIONS)),
    )


@given(gmm_setups())
def test_the_gmm_link_round_trips(setup):
    from clustering.ui import gmm_panels

    assert gmm_panels.Setup.from_query(setup.to_query()) == (setup, [])


def test_a_bad_gmm_link_keeps_the_defaults_and_says_why():
    from clustering.ui import gmm_panels

    setup, messages = gmm_panels.Setup.from_query({"k": "99", "tol": "0.5", "cov": "full"})
    assert setup == gmm_panels.Setup()
    assert len(messages) == 2 and "“k”" in messages[0] and "“tol”" in messages[1]


# --- the stage draws alone once per visit to a stepping page ----------------------------------


def test_a_stepping_page_waits_after_its_stage_once_per_visit(monkeypatch):
    """The first run of each visit waits after mounting the stage (the browser draws the figure
    before the formulas); stepping, a set-up change and a second run of the page do not wait."""
    import types

    from conftest import open_page, stage_button

    from clustering.constants import STAGE_FIRST_FRAME_PAUSE_NEW_SESSION_S as FIRST
    from clustering.constants import STAGE_FIRST_FRAME_PAUSE_S as LATER
    from clustering.ui import stage

    waits: list[float] = []
    monkeypatch.setattr(stage, "time", types.SimpleNamespace(sleep=waits.append))
    at = open_page("pages/kmeans.py", {"dataset": "blobs", "n": "200", "seed": "1", "k": "3"})
    assert waits == [FIRST]  # the session's first page
    stage_button(at, "E step", ("kmeans",)).click().run()
    at.run()
    assert waits == [FIRST]  # the same visit
    at.switch_page("pages/gmm.py").run()
    assert not at.exception
    assert waits == [FIRST, LATER]  # a new page: its stage is mounted anew
    at.switch_page("pages/kmeans.py").run()
    assert not at.exception
    assert waits == [FIRST, LATER, LATER]  # back again: a new visit
