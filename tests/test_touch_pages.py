"""The GMM page's manual start travels in its link (``init=manual&means=…``), as a start
dragged on the stage needs: a link with means opens that start and writes it back; a hostile
``means`` gets a plain message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_gmm(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/gmm.py")
    at.query_params.update(query)
    at.run()
    assert not at.exception
    return at


def test_a_gmm_link_with_means_opens_that_manual_start_and_writes_it_back():
    means = "0.2,0.75;0.8,0.3"
    at = open_gmm({"dataset": "mouse", "seed": "0", "k": "2", "init": "manual", "means": means})
    _, run = at.session_state["gmm.run"]
    np.testing.assert_array_equal(run.initial.params.means, [[0.2, 0.75], [0.8, 0.3]])
    np.testing.assert_allclose(run.initial.params.weights, [0.5, 0.5])
    written = {key: (value[-1] if isinstance(value, list) else value)
               for key, value in at.query_params.items()}
    assert written["init"] == "manual" and written["means"] == means


def test_a_hostile_means_link_gets_a_plain_warning():
    at = open_gmm({"dataset": "mouse", "seed": "0", "k": "2", "init": "manual", "means": "1,nan;<b>x</b>"})
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "The link's “means” can't be used" in warnings and "Place the means on the plot" in warnings
    assert "Traceback" not in warnings


def test_more_edits_than_a_link_carries_offer_the_csv_in_the_sidebar():
    from dataclasses import replace

    from clustering import edits
    from clustering.constants import MAX_LINK_EDITS
    from clustering.ui.state import DataSpec, build

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/kmeans.py")
    at.query_params.update({"dataset": "blobs", "n": "100", "seed": "1", "k": "3"})
    at.run()
    many = edits.Edits((), tuple((float(i) / 10, 0.0) for i in range(MAX_LINK_EDITS + 1)))
    spec = replace(DataSpec(name="blobs", n=100, seed=1), edits=many)
    at.session_state["data.active"] = build(spec, version=7)
    at.session_state["data.version"] = 7
    at.run()
    assert not at.exception
    sidebar = " ".join(str(c.value) for c in at.sidebar.caption)
    assert "cannot carry this many points edited by hand" in sidebar
    assert any("Download the data" in str(getattr(b, "label", "")) for b in at.sidebar.get("download_button"))
    shown = " ".join(str(m.value) for m in at.markdown)
    assert f"blobs + {MAX_LINK_EDITS + 1} points edited" in shown and "do not fit in a link" in shown
    written = {key: (value[-1] if isinstance(value, list) else value) for key, value in at.query_params.items()}
    assert written["edits"] == f"too-many-{MAX_LINK_EDITS + 1}"
