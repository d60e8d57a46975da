"""Presenter mode as the server sees it (AppTest): the link's ``present`` turns it on, a bad
value is a plain message, the switch writes the link, and the stage is told (options.present)."""

from __future__ import annotations

import json

from conftest import open_page

from clustering.ui import presenter

LINK = {"dataset": "mouse", "seed": "0", "k": "3", "init": "random", "init_seed": "0"}


def stage_options(at, key: str) -> dict:
    for element in at.get("bidi_component"):  # the stage: a components-v2 element
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.json)["options"]
    raise AssertionError(f"no stage under {key!r}")


def test_the_link_turns_presenter_mode_on_and_keeps_it():
    at = open_page("pages/kmeans.py", {**LINK, "present": "1"})
    assert at.toggle(key=presenter.KEY).value is True
    assert at.query_params.get("present") in ("1", ["1"])
    assert stage_options(at, "kmeans.stage").get("present") is True
    assert not at.warning


def test_without_the_parameter_it_is_off_and_the_link_stays_clean():
    at = open_page("pages/gmm.py", LINK)
    assert at.toggle(key=presenter.KEY).value is False
    assert "present" not in at.query_params
    assert "present" not in stage_options(at, "gmm.stage")


def test_a_bad_value_is_a_plain_message_and_the_mode_stays_off():
    at = open_page("pages/kmeans.py", {**LINK, "present": "maybe"})
    assert at.toggle(key=presenter.KEY).value is False
    texts = [w.value for w in at.warning]
    assert any("present" in t and "Presenter mode stays off" in t for t in texts), texts


def test_the_switch_writes_the_link_and_tells_the_stage():
    at = open_page("pages/compare.py", LINK)
    at.toggle(key=presenter.KEY).set_value(True).run()
    assert not at.exception
    assert at.query_params.get("present") in ("1", ["1"])
    assert stage_options(at, "compare.stage").get("present") is True
    at.toggle(key=presenter.KEY).set_value(False).run()
    assert "present" not in at.query_params
    assert "present" not in stage_options(at, "compare.stage")
