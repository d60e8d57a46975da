"""The Data page, run through the real router (app.py) with Streamlit's AppTest.

Every generator renders with the right N; the standardize toggle gives mean 0 / std 1; the
active data set is seen from another page; a link reproduces the points exactly; a bad link
falls back to the default with a plain message; uploads, good and bad.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import open_page
from streamlit.testing.v1 import AppTest

from clustering import constants, datasets
from clustering.ui import data_controls as controls

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DATA_PAGE = "pages/data.py"
OTHER_PAGE = "pages/kmeans.py"
TIMEOUT = 30

GOOD_CSV = b"length,width,height,species\n1.0,2.0,9,a\n1.5,2.5,8,a\n6.0,7.0,7,b\n6.5,7.5,6,b\nx,1,1,b\n"
BAD_CSV = b"name,comment\nalice,hello\nbob,world\n"


def open_data_page(query: dict[str, str] | None = None) -> AppTest:
    """A fresh browser session opening /data (with the link's query parameters)."""
    return open_page(DATA_PAGE, query, TIMEOUT)


def widget(at: AppTest, kind: str, name: str):
    return getattr(at, kind)(key=controls.key(name))


def n_shown(at: AppTest) -> int:
    return int(at.metric[0].value.replace(",", ""))


def points_shown(at: AppTest) -> np.ndarray:
    """The two coordinates of the table on the page."""
    return at.dataframe[0].value.iloc[:, :2].to_numpy()


def sidebar_text(at: AppTest) -> str:
    return "\n".join(text.value for text in at.sidebar.text)


def messages(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def test_a_fresh_start_shows_the_mouse():
    at = open_data_page()
    assert widget(at, "selectbox", controls.NAME).value == "mouse"
    assert n_shown(at) == 500
    np.testing.assert_array_equal(points_shown(at), datasets.make("mouse").X)
    assert "mouse\nN = 500 points, original units" in sidebar_text(at)
    assert at.query_params["dataset"] == "mouse"


def test_every_generator_renders_with_its_n():
    at = open_data_page()
    for name in datasets.NAMES:
        widget(at, "selectbox", controls.NAME).set_value(name).run()
        assert not at.exception, (name, at.exception)
        assert not at.error, (name, messages(at, "error"))
        expected = datasets.make(name).n_points
        assert n_shown(at) == expected == datasets.USUAL_SIZES[name], name
        assert f"{name}\nN = {expected:,} points" in sidebar_text(at)
        assert at.query_params["dataset"] == name
        assert len(at.get("plotly_chart")) == 1
    # N and the options apply too
    widget(at, "selectbox", controls.NAME).set_value("blobs").run()
    widget(at, "number_input", controls.N).set_value(321).run()
    widget(at, "slider", controls.option_name("blobs", "n_blobs")).set_value(5).run()
    assert n_shown(at) == 321
    np.testing.assert_array_equal(points_shown(at), datasets.make("blobs", 321, 0, n_blobs=5).X)
    assert at.query_params["n_blobs"] == "5"


def test_the_toggle_standardizes_the_active_points():
    at = open_data_page()
    widget(at, "toggle", controls.STANDARDIZE).set_value(True).run()
    X = points_shown(at)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=1e-12)
    assert "standardized (z-score)" in sidebar_text(at)
    assert at.query_params["standardize"] == "true"
    widget(at, "toggle", controls.STANDARDIZE).set_value(False).run()
    np.testing.assert_array_equal(points_shown(at), datasets.make("mouse").X)


def test_the_active_data_is_seen_from_another_page():
    at = open_data_page()
    widget(at, "selectbox", controls.NAME).set_value("moons").run()
    widget(at, "number_input", controls.N).set_value(300).run()
    at.switch_page(OTHER_PAGE).run()
    assert not at.exception
    assert "moons\nN = 300 points, original units" in sidebar_text(at)
    # ... and back on the Data page the widgets still show it
    at.switch_page(DATA_PAGE).run()
    assert widget(at, "selectbox", controls.NAME).value == "moons"
    assert widget(at, "number_input", controls.N).value == 300
    assert n_shown(at) == 300


def test_a_link_reproduces_the_points_exactly():
    at = open_data_page({"dataset": "blobs", "n": "1000", "seed": "3"})
    assert not at.warning, messages(at, "warning")
    np.testing.assert_array_equal(points_shown(at), datasets.make("blobs", n=1000, seed=3).X)
    assert widget(at, "selectbox", controls.NAME).value == "blobs"
    assert widget(at, "number_input", controls.N).value == 1000
    assert widget(at, "number_input", controls.SEED).value == 3
    assert widget(at, "toggle", controls.STANDARDIZE).value is False
    assert "blobs\nN = 1,000 points" in sidebar_text(at)


def test_a_link_with_options_and_standardize_reproduces_the_points():
    at = open_data_page({"dataset": "circles", "n": "400", "seed": "7", "noise": "0.12",
                         "standardize": "true"})
    expected = datasets.standardize(datasets.make("circles", n=400, seed=7, noise=0.12).X)
    np.testing.assert_array_equal(points_shown(at), expected)
    assert widget(at, "slider", controls.option_name("circles", "noise")).value == 0.12
    assert widget(at, "toggle", controls.STANDARDIZE).value is True


@pytest.mark.parametrize(("query", "sentence"), [
    ({"dataset": "bananas"}, "The link's “dataset” must be one of"),
    ({"dataset": "blobs", "n": "lots"}, "The link's “n” must be a whole number, not “lots”."),
    ({"dataset": "moons", "noise": "9"}, "The link's “noise” must be between 0 and 0.5"),
])
def test_a_bad_link_gives_a_plain_message_and_the_default(query, sentence):
    at = open_data_page(query)
    warnings = messages(at, "warning")
    assert len(warnings) == 1 and sentence in warnings[0], warnings
    assert warnings[0].endswith("Showing the default data set instead.")
    assert widget(at, "selectbox", controls.NAME).value == "mouse"
    np.testing.assert_array_equal(points_shown(at), datasets.make("mouse").X)
    assert at.query_params["dataset"] == "mouse"  # the link now says what is shown


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    if widget(at, "radio", controls.SOURCE).value != controls.SOURCE_FILE:
        widget(at, "radio", controls.SOURCE).set_value(controls.SOURCE_FILE).run()
    at.file_uploader[0].set_value((name, content, "text/csv"))
    return at.run()


def test_an_upload_becomes_active_and_a_bad_one_keeps_it():
    at = open_data_page()
    upload(at, "flowers.csv", GOOD_CSV)
    assert not at.exception and not at.error, messages(at, "error")
    assert n_shown(at) == 4
    assert at.metric[1].value == "1"  # the row "x,1,1,b" was dropped
    assert "uploaded file “flowers.csv”\nN = 4 points" in sidebar_text(at)
    # three columns of numbers: the person chooses two (the first two at first)
    column_y = widget(at, "selectbox", controls.COLUMN_Y)
    assert column_y.options == ["length", "width", "height"] and column_y.value == "width"
    column_y.set_value("height").run()
    np.testing.assert_array_equal(points_shown(at), [[1.0, 9], [1.5, 8], [6.0, 7], [6.5, 6]])
    # choosing for x the column y holds swaps them (never "choose two different columns")
    widget(at, "selectbox", controls.COLUMN_X).set_value("height").run()
    assert not at.error, messages(at, "error")
    assert widget(at, "selectbox", controls.COLUMN_X).value == "height"
    assert widget(at, "selectbox", controls.COLUMN_Y).value == "length"
    np.testing.assert_array_equal(points_shown(at), [[9, 1.0], [8, 1.5], [7, 6.0], [6, 6.5]])
    # ... and back, from the other menu: each step of a swap works
    widget(at, "selectbox", controls.COLUMN_Y).set_value("height").run()
    assert not at.error, messages(at, "error")
    assert widget(at, "selectbox", controls.COLUMN_X).value == "length"
    assert widget(at, "selectbox", controls.COLUMN_Y).value == "height"
    np.testing.assert_array_equal(points_shown(at), [[1.0, 9], [1.5, 8], [6.0, 7], [6.5, 6]])
    # the label column colours the preview: one trace per species
    figure = at.get("plotly_chart")[0].proto.spec
    assert figure.count('"name":"a"') == 1 and figure.count('"name":"b"') == 1

    upload(at, "notes.csv", BAD_CSV)
    errors = messages(at, "error")
    assert len(errors) == 1
    assert "no column of numbers" in errors[0]
    assert errors[0].endswith("The previous data set stays active.")
    assert n_shown(at) == 4 and "flowers.csv" in sidebar_text(at)


def test_runs_on_other_pages_are_reset_and_the_page_says_so():
    at = open_data_page()
    at.switch_page("pages/kmeans.py").run()  # opening the K-means page starts a run there
    assert not at.exception
    at.switch_page(DATA_PAGE).run()
    widget(at, "number_input", controls.SEED).set_value(4).run()
    infos = messages(at, "info")
    assert any("the run on the K-means page made on the previous data was reset" in text
               for text in infos), infos
    widget(at, "number_input", controls.SEED).set_value(5).run()  # no run left: no message
    assert not any("reset" in text for text in messages(at, "info"))


def test_file_names_and_headers_are_shown_as_typed():
    at = open_data_page()
    upload(at, "**bold** [link](http://x) :smile: $x$.csv", BAD_CSV)
    error = messages(at, "error")[0]
    assert "\\*\\*bold\\*\\* \\[link\\]\\(http\\:\\/\\/x\\) \\:smile\\: \\$x\\$\\.csv" in error
    upload(at, "<b>x</b>.csv", b"<i>a</i>,b*\n1,2\n3,4\n")
    assert "uploaded file “<b>x</b>.csv”" in sidebar_text(at)  # st.text: never markup
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert layout["xaxis"]["title"]["text"] == "&lt;i&gt;a&lt;/i&gt;"  # Plotly shows "<i>a</i>"


def test_a_huge_data_set_draws_a_sample_and_says_so():
    at = open_data_page({"dataset": "blobs", "n": "25000"})
    assert n_shown(at) == 25_000
    assert any("Drawing a fixed sample of 20,000 of the 25,000 points" in caption.value
               for caption in at.caption)
    assert len(at.dataframe[0].value) == constants.TABLE_ROWS


def test_the_download_reads_back_as_the_same_points_and_labels():
    from clustering import io
    from clustering.ui import state

    for spec in (state.DataSpec("blobs", n=50, seed=1), state.DataSpec("mouse", standardize=True)):
        active = state.build(spec)
        again = io.read_points(controls.csv_bytes(controls.table(active)))
        np.testing.assert_array_equal(again.X, active.X)  # full precision, standardized if on
        np.testing.assert_array_equal(again.labels, controls.label_texts(active.dataset))


def test_switching_back_to_the_file_reuses_it():
    at = open_data_page()
    upload(at, "flowers.csv", GOOD_CSV)  # three columns of numbers: menus for two
    upload(at, "pairs.tsv", b"a\tb\n1\t2\n3\t4\n5\t7\n")  # two: no menus, no stale choice
    assert n_shown(at) == 3 and not at.error
    widget(at, "radio", controls.SOURCE).set_value(controls.SOURCE_GENERATOR).run()
    assert "mouse\nN = 500 points" in sidebar_text(at)
    widget(at, "radio", controls.SOURCE).set_value(controls.SOURCE_FILE).run()
    assert not at.error, messages(at, "error")
    assert "uploaded file “pairs.tsv”\nN = 3 points" in sidebar_text(at)
    assert "In use: pairs.tsv" in [text.value for text in at.main.text]


def test_the_theme_and_limits_in_config_match_the_code():
    import tomllib

    from clustering.constants import CLUSTER_COLOURS, MAX_FILE_BYTES

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["theme"]["chartCategoricalColors"] == list(CLUSTER_COLOURS[:10])
    assert config["runner"]["magicEnabled"] is False
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES
    assert config["theme"]["base"] == "light"


def test_the_home_page_says_what_the_app_teaches_and_links_to_the_data():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Clustering Lab"
    assert "data" in {link.proto.page for link in at.get("page_link")}  # the url path


def test_a_link_made_on_an_upload_says_it_cannot_carry_the_file_and_offers_the_csv():
    at = open_data_page()
    upload(at, "flowers.csv", GOOD_CSV)
    link = {key: value[0] if isinstance(value, list) else value for key, value in at.query_params.items()}
    assert link["dataset"] == "upload" and link["file"] == "flowers.csv"
    # every page offers the uploaded points as a CSV to send with the link
    at.switch_page("pages/kmeans.py").run()
    assert [d.proto.label for d in at.get("download_button")] == ["Download the data (CSV)"]
    # a new browser opening the link is told why it sees the default data set
    again = AppTest.from_file(str(ROOT / "app.py"))
    again.query_params.update(link)
    again.run()
    assert not again.exception
    warnings = [w.value for w in again.warning]
    assert any("“flowers.csv”" in w and "cannot carry a file" in w for w in warnings), warnings
    assert again.session_state["data.active"].spec.name == "mouse"


# --- the files people really have, uploaded -----------------------------------------------------


def _corpus():
    from test_io_corpus import CORPUS

    return CORPUS


@pytest.mark.parametrize("case", list(_corpus()))
def test_each_corpus_file_uploads_to_its_exact_points(case):
    text, names, points, _ = _corpus()[case]
    at = open_data_page()
    upload(at, "file.csv", text.encode("utf-8"))
    assert not at.exception and not at.error, messages(at, "error")
    np.testing.assert_array_equal(points_shown(at), np.array(points, dtype=float))
    assert list(at.dataframe[0].value.columns[:2]) == list(names)
    assert at.metric[1].value == "0"
    summary = "\n".join(element.value for element in at.markdown)
    assert "How the file was read:" in summary
    for name in names:  # each coordinate says how it was read
        assert controls.plain(name) in summary


def test_the_page_says_how_each_column_was_read_and_what_was_skipped():
    from test_io_corpus import EXCEL_GERMAN

    at = open_data_page()
    upload(at, "staedte.csv", EXCEL_GERMAN.encode("utf-8"))
    markdown = "\n".join(element.value for element in at.markdown)
    assert "x₁: " + controls.plain("Einwohner: decimal comma, thousands '.'") in markdown
    assert "x₂: " + controls.plain("Fläche km²: decimal comma") in markdown
    captions = "\n".join(element.value for element in at.caption)
    assert captions.count(controls.plain("Line 1, “sep=;”, is Excel's separator hint")) == 1
    # the expander is pre-filled with what was detected
    assert widget(at, "selectbox", controls.READ_SEPARATOR).value == ";"
    assert widget(at, "selectbox", controls.READ_DECIMAL).value == ","
    assert widget(at, "selectbox", controls.READ_THOUSANDS).value == "."
    assert widget(at, "checkbox", controls.READ_HEADER).value is True
    assert widget(at, "number_input", controls.READ_SKIP).value == 1


def test_a_setting_overridden_reads_the_file_again_and_detect_again_undoes_it():
    at = open_data_page()
    upload(at, "units.csv", b"height,weight\ncm,kg\n170,65\n180,80\n160,50\n")
    np.testing.assert_array_equal(points_shown(at), [[170, 65], [180, 80], [160, 50]])
    widget(at, "checkbox", controls.READ_UNITS).set_value(False).run()
    assert not at.error, messages(at, "error")
    assert at.metric[1].value == "1"  # the units row is now a row of text, dropped and said
    assert any("not a number (line 2)" in text.value for text in at.main.text)
    assert any("Changed by you (detected: units row: yes)" in c.value for c in at.caption)
    at.button(key=controls.key("w.read.detect")).click().run()
    assert at.metric[1].value == "0"
    assert widget(at, "checkbox", controls.READ_UNITS).value is True


def test_a_file_read_wrongly_can_be_put_right_in_the_expander():
    # semicolons, but read as commas the person asked for: no two columns of numbers
    at = open_data_page()
    upload(at, "mixed.csv", b"x;y;z\n1;2;3\n4;5;6\n7;8;9\n")
    assert n_shown(at) == 3
    widget(at, "selectbox", controls.READ_SEPARATOR).set_value(",").run()
    errors = messages(at, "error")
    assert len(errors) == 1 and "The previous data set stays active." in errors[0]
    assert n_shown(at) == 3  # still the points read before
    assert any("Not in use" in w for w in messages(at, "warning"))
    widget(at, "selectbox", controls.READ_SEPARATOR).set_value(";").run()
    assert not at.error and not at.warning
    np.testing.assert_array_equal(points_shown(at), [[1, 2], [4, 5], [7, 8]])


@pytest.mark.parametrize("page", ["gmm", "kmeans"])
def test_the_stepping_pages_name_their_axes_after_the_files_columns(page):
    at = open_data_page()
    upload(at, "cities.csv", b"area <km2>,people\n1,2\n3,5\n4,4\n8,9\n")
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    # the stage draws its axes with the titles its payload carries (as text, never as HTML)
    body = at.session_state[f"{page}.stage_payload"][1]
    assert body["axis_titles"] == ["area <km2>", "people"]
