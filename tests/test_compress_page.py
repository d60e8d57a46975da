"""The Compress a photo page through the real router (app.py) with Streamlit's AppTest.

E, M, E, M: J per pixel never rises and PSNR never falls, and the quantized photo changes; the
metrics carry their exact labels; a link reproduces photo, K, start and half-step; a bad link
falls back with a plain message; every bad upload leaves the previous photo with a plain
message; a good upload says what reading changed and that a link can't carry it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from clustering import derived, images, kmeans, stepper
from clustering.constants import PHOTO_MAX_FILE_BYTES
from clustering.ui import compress_panels as panels
from tests import conftest
from tests import test_images as bad

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILE = "pages/compress.py"
TIMEOUT = 120
LABELS = ("E step", "M step", "Step back", "Run to convergence", "Reset")
METRICS = ("J per pixel", "PSNR", "Bits per pixel")


def open_page(query: dict[str, str] | None = None) -> AppTest:
    return conftest.open_page(PAGE_FILE, query, timeout=TIMEOUT)


def click(at: AppTest, label: str) -> AppTest:
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}; have {[b.label for b in at.button]}"
    found[0].click().run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    value = str(found[0].value)
    assert "nan" not in value.lower() and "none" not in value.lower(), value
    return value


def number(text: str) -> float | None:
    return None if text == "—" else float(text.replace(",", "").replace(" dB", ""))


def the_run(at: AppTest) -> stepper.Run:
    key = at.session_state["compress.setup_key"]
    return at.session_state["compress.runs"][key]


def the_photo(at: AppTest) -> panels.LoadedPhoto:
    upload = at.session_state["compress.upload"] if "compress.upload" in at.session_state else None
    if at.session_state["compress.photo"] == panels.UPLOAD:
        return upload
    return at.session_state["compress.shipped"]


def quantized_png(at: AppTest) -> bytes:
    view = at.session_state["compress.views"][(at.session_state["compress.setup_key"], the_run(at).cursor)]
    return view.png


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(at, kind)]


@pytest.fixture(scope="module")
def stepped() -> tuple[AppTest, list[tuple[float, float, bytes]]]:
    """The default photo after E, M, E, M, with (J per pixel, PSNR, quantized PNG) after each."""
    at = open_page({"photo": "chelsea", "k": "8"})
    seen = []
    for label in ("E step", "M step", "E step", "M step"):
        click(at, label)
        seen.append((number(metric(at, "J per pixel")), number(metric(at, "PSNR")), quantized_png(at)))
    return at, seen


def test_the_page_opens_on_a_shipped_photo_with_every_control_and_metric():
    at = open_page()
    assert [b.label for b in at.button if b.label in LABELS] == list(LABELS)
    for label in METRICS:
        metric(at, label)
    assert metric(at, "J per pixel") == "—"  # no pixel assigned before the first E step
    assert the_photo(at).key == panels.DEFAULT_PHOTO
    assert at.query_params["photo"] == "astronaut" and at.query_params["k"] == "16"
    # 4 bits per index + the palette of 16 colours spread over 512² pixels
    assert metric(at, "Bits per pixel") == f"{(512 * 512 * 4 + 24 * 16) / (512 * 512):.3f}"


def test_e_m_e_m_j_never_rises_psnr_never_falls_and_the_photo_changes(stepped):
    at, seen = stepped
    js = [j for j, _, _ in seen]
    psnrs = [p for _, p, _ in seen]
    assert all(b <= a for a, b in zip(js, js[1:], strict=False)), js
    assert all(b >= a for a, b in zip(psnrs, psnrs[1:], strict=False)), psnrs
    assert js[-1] < js[0]
    pngs = [png for _, _, png in seen]
    assert len(set(pngs)) == 4  # every half-step shows a different quantized photo


def test_the_numbers_shown_are_those_of_the_core(stepped):
    at, _ = stepped
    run = the_run(at)
    photo = the_photo(at)
    labels = derived.kmeans_labels(photo.X, run, run.cursor)
    J = kmeans.objective(photo.X, run.current.params, labels)
    assert metric(at, "J per pixel") == f"{J / photo.n:.5f}"
    quantized = images.quantize(photo.image, run.current.params, labels)
    assert metric(at, "PSNR") == f"{images.psnr(photo.image, quantized):.1f} dB"
    # the PNG on screen holds exactly these labels
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(quantized_png(at))) as png:
        np.testing.assert_array_equal(np.asarray(png).reshape(-1), labels)
    assert at.query_params["step"] == "4"


def test_step_back_and_reset(stepped):
    at, seen = stepped
    click(at, "Step back")
    assert number(metric(at, "J per pixel")) == seen[2][0]
    click(at, "Reset")
    assert metric(at, "J per pixel") == "—" and the_run(at).cursor == 0


def test_a_link_reproduces_photo_k_start_and_half_step():
    query = {"photo": "coffee", "k": "5", "init": "random", "init_seed": "3", "step": "3"}
    at = open_page(query)
    run = the_run(at)
    assert run.cursor == 3 and run.k == 5
    photo = the_photo(at)
    assert photo.key == "coffee"
    # the page steps on the photo's distinct colours weighted by their pixel counts ...
    start = kmeans.init_centroids(photo.X, 5, "random", seed=3)
    expected, per_pixel = stepper.new_kmeans_run(start), stepper.new_kmeans_run(start)
    for msg in (stepper.EStep(), stepper.MStep(), stepper.EStep()):
        expected = stepper.step(expected, msg, photo.colours, weights=photo.counts)
        per_pixel = stepper.step(per_pixel, msg, photo.X)
    np.testing.assert_array_equal(run.current.params, expected.current.params)
    # ... which is K-means on its pixels, up to the order of summation of the means
    np.testing.assert_allclose(run.current.params, per_pixel.current.params, rtol=1e-12)
    assert {key: at.query_params[key] for key in query} == query


@pytest.mark.parametrize("query, words", [
    ({"k": "999"}, "The link's “k” must be between 2 and 64"),
    ({"photo": "../../etc/passwd"}, "The link's “photo” must be one of astronaut, coffee, chelsea"),
    ({"init": "<b>x</b>"}, "The link's “init” must be one of"),
])
def test_a_bad_link_gives_a_plain_message_and_the_default(query, words):
    at = open_page(query)
    warnings = texts(at, "warning")
    assert any(words in w and w.endswith("Using the default instead.") for w in warnings), warnings
    assert the_run(at).k == 16 and the_photo(at).key == "astronaut"


def upload(at: AppTest, name: str, content: bytes, mime: str = "image/png") -> AppTest:
    at.file_uploader[0].set_value((name, content, mime))
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("name, make, words", [
    ("notes.png", bad.text_named_png, "not a PNG or JPEG"),
    ("cut.jpg", bad.truncated_jpeg, "cut short"),
    ("bomb.png", bad.decompression_bomb, "decompression bomb"),
])
def test_a_bad_upload_keeps_the_previous_photo_with_a_plain_message(name, make, words):
    at = open_page({"photo": "chelsea", "k": "4"})
    click(at, "E step")
    before = the_run(at)
    upload(at, name, make())
    errors = texts(at, "error")
    assert any(words in e and "The previous photo stays." in e for e in errors), errors
    assert the_photo(at).key == "chelsea" and the_run(at) is before
    assert at.query_params["photo"] == "chelsea"


@pytest.mark.parametrize("name, make, words", [
    ("deep.png", bad.sixteen_bit_png, "16-bit"),
    ("clear.png", bad.rgba_png, "transparency"),
    ("grey.png", bad.greyscale_png, "greyscale"),
    ("print.jpg", bad.cmyk_jpeg, "CMYK"),
])
def test_an_unusual_upload_is_used_and_what_changed_is_said(name, make, words):
    at = open_page({"k": "2"})
    upload(at, name, make())
    assert the_photo(at).is_upload and the_photo(at).name == name
    assert any(words in text for text in texts(at, "info")), texts(at, "info")
    assert panels.UPLOAD_LINK_NOTE in texts(at, "caption")
    assert "photo" not in at.query_params and at.query_params["k"] == "2"
    click(at, "E step")
    assert number(metric(at, "J per pixel")) is not None


def test_random_partition_at_k_64_names_the_empty_colours():
    """All 64 starting colours are means of random halves of the photo, near its mean colour:
    after the first E step most of them get no pixel, and the page says they stay put."""
    at = open_page({"photo": "chelsea", "k": "64", "init": "random-partition"})
    click(at, "E step")
    sizes = at.session_state["compress.views"][(at.session_state["compress.setup_key"], 1)].sizes
    assert (sizes == 0).any()
    assert any("an empty cluster keeps its colour" in w for w in texts(at, "warning")), texts(at, "warning")
    click(at, "M step")
    assert number(metric(at, "J per pixel")) is not None


def test_a_photo_with_fewer_colours_than_k_gets_a_plain_message():
    from PIL import Image

    two_colours = np.zeros((4, 4, 3), dtype=np.uint8)
    two_colours[:2] = 255
    at = open_page({"k": "16", "init": "random"})
    upload(at, "two.png", bad.encoded(Image.fromarray(two_colours)))
    errors = texts(at, "error")
    assert any("only 2 distinct points" in e and "choose a smaller K" in e for e in errors), errors


def test_the_uploader_offers_no_more_than_the_page_reads():
    """The drop zone names the photo limit (20 MB), not the data files' 50 MB: a person is
    never invited to send a file the page then refuses."""
    at = open_page({})
    assert at.file_uploader[0].proto.max_upload_size_mb == PHOTO_MAX_FILE_BYTES // 2**20 == 20
