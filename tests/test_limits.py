"""The limits a public server needs, without a browser: a run's history has a cap (plain message,
E / M step disabled, Step back and Reset still there), and a session beyond the per-process cap
sees "the class is full" (the admission rule itself; the served page is in test_serve.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clustering import constants, datasets, kmeans, stepper
from clustering.ui import serving

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
LINK = {"dataset": "blobs", "n": "300", "seed": "1", "k": "3", "init": "random", "init_seed": "0"}


def test_a_run_stops_growing_at_the_history_cap_with_a_plain_reason():
    X = datasets.make("blobs", n=300, seed=1).X
    run = stepper.new_kmeans_run(kmeans.init_centroids(X, 3, "random", seed=0))
    for _ in range(constants.MAX_HISTORY + 10):  # E, M, E, M, ... past the cap
        msg = stepper.EStep() if stepper.next_kind(run) == "E" else stepper.MStep()
        run = stepper.step(run, msg, X)
    assert len(run.history) == constants.MAX_HISTORY
    assert run.stop_reason == stepper.HISTORY_FULL and "Reset" in run.stop_reason
    assert not stepper.allowed(run, stepper.EStep()) and not stepper.allowed(run, stepper.MStep())
    assert stepper.allowed(run, stepper.Back()) and stepper.allowed(run, stepper.Reset())
    # Run to convergence from a start never passes the cap either
    long = stepper.step(stepper.step(run, stepper.Reset(), X), stepper.RunToConvergence(), X)
    assert len(long.history) <= constants.MAX_HISTORY


def test_run_to_convergence_stops_at_the_cap(monkeypatch):
    X = datasets.make("mouse", seed=0).X
    monkeypatch.setattr(stepper, "MAX_HISTORY", 7)
    run = stepper.new_kmeans_run(kmeans.init_centroids(X, 3, "random", seed=3))
    run = stepper.step(run, stepper.RunToConvergence(), X)
    assert len(run.history) <= 7 and run.stop_reason == stepper.HISTORY_FULL


def test_the_kmeans_page_says_the_history_is_full(monkeypatch):
    monkeypatch.setattr(stepper, "MAX_HISTORY", 4)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/kmeans.py")
    at.query_params.update(LINK)
    at.run()
    assert not at.exception, at.exception
    # The stage plays a run computed ahead on the server: the cap ends that run, and its stop
    # reason (shown by the stage's status line, where E step and M step are then disabled)
    # is the plain message.
    run = at.session_state["kmeans.run"][1]
    assert len(run.history) <= 4
    assert "half-steps, the most a run keeps on this server" in str(run.stop_reason)
    body = at.session_state["kmeans.stage_payload"][1]
    assert "half-steps, the most a run keeps on this server" in json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("value, cap", [("", constants.MAX_SESSIONS_PER_PROCESS), ("3", 3),
                                        ("0", constants.MAX_SESSIONS_PER_PROCESS),
                                        ("many", constants.MAX_SESSIONS_PER_PROCESS)])
def test_the_session_cap_comes_from_the_environment_or_the_constant(monkeypatch, value, cap):
    monkeypatch.setenv(serving.SESSIONS_ENV, value)
    assert serving.session_cap() == cap


def test_without_a_server_every_session_is_admitted():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/kmeans.py")
    at.run()
    assert not at.exception
    assert serving.CLASS_FULL_TITLE not in [t.value for t in at.title]


def test_the_restart_notice_stays_on_its_page_until_the_student_leaves_it(monkeypatch):
    """A lost session's first run shows the notice; the reruns that follow at once (the stage
    reports its cursor) keep it; another page drops it."""
    firsts = iter([True])
    monkeypatch.setattr(serving, "restarted", lambda: next(firsts, False))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/kmeans.py")
    at.query_params.update(LINK)
    at.run()
    assert not at.exception, at.exception
    assert serving.RESTARTED_TEXT in [info.value for info in at.info]
    at.run()  # a rerun of the same page (a cursor report, a click)
    assert serving.RESTARTED_TEXT in [info.value for info in at.info]
    at.switch_page("pages/gmm.py")
    at.run()
    assert not at.exception, at.exception
    assert serving.RESTARTED_TEXT not in [info.value for info in at.info]
    at.switch_page("pages/kmeans.py")
    at.run()
    assert serving.RESTARTED_TEXT not in [info.value for info in at.info]
