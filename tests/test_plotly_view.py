"""The figure component of the stepping pages (clustering.ui.plotly_view), without a browser.

The browser tests (test_browser_kmeans, test_browser_gmm) click points in it and check that
its graph div is kept and drawn once per click.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
from conftest import plotted, shown_figure
from streamlit.testing.v1 import AppTest

from clustering.ui import plotly_view


def test_the_frontend_folder_holds_the_frame_and_plotly_and_is_made_once(tmp_path):
    folder = plotly_view.frontend_folder(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "plotly.min.js", "view.js"]
    assert (folder / "plotly.min.js").read_bytes() == plotly_view.PLOTLY_JS.read_bytes()
    assert (folder / "view.js").read_text() == (plotly_view.FRONTEND / "view.js").read_text()
    assert '<script src="plotly.min.js">' in (folder / "index.html").read_text()
    (folder / "view.js").write_text("// kept")  # a second call finds the folder and keeps it
    assert plotly_view.frontend_folder(tmp_path) == folder
    assert (folder / "view.js").read_text() == "// kept"
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no staging folder left


def test_a_half_copied_folder_is_made_again(tmp_path):
    folder = plotly_view.frontend_folder(tmp_path)
    (folder / "plotly.min.js").unlink()
    (folder / "view.js").unlink()
    served = plotly_view.frontend_folder(tmp_path)
    assert sorted(p.name for p in served.iterdir()) == ["index.html", "plotly.min.js", "view.js"]


def _app():
    import plotly.graph_objects as go
    import streamlit as st

    from clustering.ui import plotly_view

    figure = go.Figure(go.Scattergl(x=[1.0, 2.0, 3.0], y=[3.0, 1.0, 2.0], mode="markers"))
    figure.update_layout(height=321)
    value = plotly_view.show(figure, key="demo.figure", config={"displaylogo": False})
    st.write(f"value: {value}")


def test_the_folder_lives_in_the_users_cache_and_lost_files_are_put_back(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert plotly_view.cache_base() == tmp_path / "clustering-lab"
    folder = plotly_view.frontend_folder()
    assert folder.parent == tmp_path / "clustering-lab"
    (folder / "plotly.min.js").unlink()  # e.g. a clean-up of old files
    (folder / "view.js").write_text("// edited")
    plotly_view._copy_files(folder, missing_only=True)
    assert (folder / "plotly.min.js").read_bytes() == plotly_view.PLOTLY_JS.read_bytes()
    assert (folder / "view.js").read_text() == "// edited"  # only what was missing


def test_without_a_folder_to_serve_the_figure_is_streamlits_own_chart(monkeypatch):
    monkeypatch.setattr(plotly_view, "_declared", lambda: None)
    at = AppTest.from_function(_app).run()
    assert not at.exception
    assert not at.get("component_instance")
    figure = shown_figure(at, "demo.figure")
    np.testing.assert_allclose(plotted(figure["data"][0]["y"]), [3.0, 1.0, 2.0])


def test_show_sends_the_figure_its_config_and_height_under_the_key():
    at = AppTest.from_function(_app).run()
    assert not at.exception
    figure = shown_figure(at, "demo.figure")
    assert figure["data"][0]["type"] == "scattergl"
    np.testing.assert_allclose(plotted(figure["data"][0]["y"]), [3.0, 1.0, 2.0])
    (element,) = at.get("component_instance")
    args = json.loads(element.proto.json_args)
    assert json.loads(args["config"]) == {"displaylogo": False}
    assert args["height"] == 321
    assert element.proto.component_name.endswith("plotly_view")
    assert at.markdown[0].value == "value: None"  # nothing clicked yet


def test_figure_json_keeps_numpy_arrays_exact():
    x = np.linspace(0, 1, 7)
    figure = go.Figure(go.Scatter(x=x, y=x ** 2))
    sent = json.loads(plotly_view.figure_json(figure))
    np.testing.assert_array_equal(plotted(sent["data"][0]["y"]), x ** 2)
