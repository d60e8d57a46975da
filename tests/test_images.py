"""clustering.images: photos read as RGB points, quantize / psnr / compressed_bits by hand, every
bad file refused with a plain sentence, and K-means on pixels (any D) against scikit-learn."""

from __future__ import annotations

import io
import math
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.cluster import KMeans

from clustering import images, kmeans, stepper
from clustering.constants import PHOTO_MAX_SOURCE_PIXELS

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ROOT / "assets" / "photos"


def encoded(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def gradient(width: int = 40, height: int = 30) -> Image.Image:
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256], axis=2)
    return Image.fromarray(rgb.astype(np.uint8))


# --- bad files, made here (tests write nothing to disk) ---------------------------------------


def text_named_png() -> bytes:
    return b"x,y\n1,2\n3,4\nthis is a CSV file with a photo's name\n"


def truncated_jpeg() -> bytes:
    whole = encoded(gradient(200, 150), "JPEG", quality=90)
    return whole[: len(whole) // 2]


def decompression_bomb(side: int = 100_000) -> bytes:
    """A real 1 x 1 PNG whose header then claims side x side pixels (CRC made valid)."""
    png = bytearray(encoded(Image.new("RGB", (1, 1), (10, 20, 30))))
    ihdr = png.index(b"IHDR")
    png[ihdr + 4 : ihdr + 12] = struct.pack(">II", side, side)
    png[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(png[ihdr : ihdr + 17])))
    return bytes(png)


def sixteen_bit_png() -> bytes:
    levels = np.array([[0, 32768], [65535, 1000]], dtype=np.uint16)
    return encoded(Image.fromarray(levels))  # mode I;16


def rgba_png() -> bytes:
    rgba = np.array([[[255, 0, 0, 255], [0, 0, 255, 0]], [[0, 255, 0, 128], [10, 20, 30, 255]]], dtype=np.uint8)
    return encoded(Image.fromarray(rgba))


def greyscale_png() -> bytes:
    return encoded(Image.fromarray(np.array([[0, 128], [255, 64]], dtype=np.uint8)))


def cmyk_jpeg() -> bytes:
    return encoded(Image.new("CMYK", (8, 6), (0, 255, 255, 0)), "JPEG", quality=95)  # red


REFUSED = {
    "a text file named .png": (text_named_png, "not a PNG or JPEG"),
    "a truncated JPEG": (truncated_jpeg, "cut short"),
    "a decompression bomb": (decompression_bomb, "decompression bomb"),
    "a GIF": (lambda: encoded(gradient(), "GIF"), "PNG and JPEG photos only"),
    "an empty file": (lambda: b"", "empty"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_file_is_refused_with_a_plain_sentence(case):
    make, words = REFUSED[case]
    with pytest.raises(images.ImageError) as caught:
        images.load_image(make())
    message = str(caught.value)
    assert words in message, message
    assert "Traceback" not in message and message.endswith(".")


def test_the_bomb_is_refused_from_its_header_before_any_decoding():
    """8,000² pixels: below Pillow's own limit (it would decode them), above the page's."""
    assert 8_000 * 8_000 > PHOTO_MAX_SOURCE_PIXELS and 8_000 * 8_000 < Image.MAX_IMAGE_PIXELS
    with pytest.raises(images.ImageError, match="8,000 × 8,000"):
        images.read_photo(decompression_bomb(8_000))


def test_sixteen_bit_levels_are_read_at_full_precision():
    photo = images.read_photo(sixteen_bit_png())
    grey = photo.image[:, :, 0]
    np.testing.assert_allclose(grey, np.array([[0, 32768], [65535, 1000]]) / 65535)
    np.testing.assert_array_equal(photo.image[:, :, 0], photo.image[:, :, 2])
    assert any("16-bit" in note for note in photo.notes)


def test_rgba_is_composited_on_white_and_said():
    photo = images.read_photo(rgba_png())
    np.testing.assert_allclose(photo.image[0, 0], [1, 0, 0])  # opaque red stays red
    np.testing.assert_allclose(photo.image[0, 1], [1, 1, 1])  # fully transparent: white
    np.testing.assert_allclose(photo.image[1, 0], [127 / 255, 1, 127 / 255], atol=1.5 / 255)  # half green on white
    assert any("transparency" in note for note in photo.notes)


def test_greyscale_becomes_the_grey_diagonal():
    photo = images.read_photo(greyscale_png())
    np.testing.assert_allclose(photo.image[:, :, 0], np.array([[0, 128], [255, 64]]) / 255)
    np.testing.assert_array_equal(photo.image[:, :, 0], photo.image[:, :, 1])
    assert any("greyscale" in note for note in photo.notes)


def test_cmyk_is_converted_to_rgb_and_said():
    photo = images.read_photo(cmyk_jpeg())
    assert photo.image.shape == (6, 8, 3)
    red, green, blue = photo.image.reshape(-1, 3).mean(axis=0)
    assert red > 0.9 and green < 0.1 and blue < 0.1, (red, green, blue)
    assert any("CMYK" in note for note in photo.notes)


def test_a_large_photo_is_scaled_down_and_said():
    photo = images.read_photo(encoded(gradient(2000, 1000)), max_pixels=500_000)
    assert photo.source_size == (2000, 1000)
    assert photo.height * photo.width <= 500_000
    assert abs(photo.width / photo.height - 2.0) < 0.01  # same aspect ratio
    assert any("scaled down" in note and "2,000 × 1,000" in note for note in photo.notes)


def test_a_small_photo_is_read_exactly():
    image = gradient(5, 4)
    loaded = images.load_image(encoded(image))
    np.testing.assert_array_equal(loaded, np.asarray(image) / 255.0)
    assert loaded.dtype == np.float64 and loaded.shape == (4, 5, 3)
    assert images.read_photo(encoded(image)).notes == ()


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea"])
def test_the_shipped_photos_read_from_a_path_and_from_a_file(name):
    path = PHOTOS / f"{name}.jpg"
    from_path = images.load_image(path)
    with open(path, "rb") as handle:
        np.testing.assert_array_equal(images.load_image(handle), from_path)
    assert from_path.ndim == 3 and from_path.shape[2] == 3
    assert 0.0 <= from_path.min() and from_path.max() <= 1.0


def test_shipped_photos_have_their_licences_and_stay_small():
    sources = (PHOTOS / "SOURCES.md").read_text()
    total = 0
    for name in ("astronaut", "coffee", "chelsea"):
        assert f"`{name}.jpg`" in sources
        total += (PHOTOS / f"{name}.jpg").stat().st_size
    assert "public domain" in sources and "CC0" in sources
    assert total < 1_000_000


# --- pixels, quantize, psnr, compressed_bits by hand -------------------------------------------


def test_pixels_go_row_by_row():
    image = np.arange(2 * 3 * 3, dtype=float).reshape(2, 3, 3) / 20
    X = images.pixels(image)
    assert X.shape == (6, 3)
    np.testing.assert_array_equal(X[4], image[1, 1])  # row 1, column 1 is pixel 1 * 3 + 1


def test_quantize_by_hand():
    image = np.zeros((2, 2, 3))
    centroids = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 1.0]])
    quantized = images.quantize(image, centroids, np.array([1, 0, 0, 1]))
    np.testing.assert_array_equal(quantized[0, 0], [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(quantized[0, 1], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(quantized[1, 1], [0.0, 0.5, 1.0])
    with pytest.raises(ValueError):
        images.quantize(image, centroids, np.array([0, 1, 2, 0]))  # no colour 2


def test_psnr_by_hand():
    a = np.zeros((2, 2, 3))
    b = np.full((2, 2, 3), 0.1)  # MSE = 0.01: 10 log10(1 / 0.01) = 20 dB
    assert images.psnr(a, b) == pytest.approx(20.0)
    c = a.copy()
    c[0, 0, 0] = 1.0  # MSE = 1 / 12
    assert images.psnr(a, c) == pytest.approx(10 * math.log10(12))
    assert images.psnr(a, a) == math.inf
    with pytest.raises(ValueError):
        images.psnr(a, np.zeros((2, 3, 3)))


def test_psnr_of_the_quantized_photo_is_that_of_J():
    """MSE over every value = J / (3N): the page's PSNR and J per pixel tell the same story."""
    image = images.load_image(PHOTOS / "chelsea.jpg")[::6, ::6]
    X = images.pixels(image)
    centroids = kmeans.init_centroids(X, 5, seed=1)
    labels = kmeans.assign(X, centroids)
    J = kmeans.objective(X, centroids, labels)
    quantized = images.quantize(image, centroids, labels)
    assert images.psnr(image, quantized) == pytest.approx(10 * math.log10(3 * X.shape[0] / J))


@pytest.mark.parametrize("h, w, k, bits", [
    (2, 3, 4, 2 * 3 * 2 + 24 * 4),
    (2, 3, 1, 24),  # one colour: no index at all, only the palette
    (10, 10, 16, 100 * 4 + 24 * 16),
    (10, 10, 17, 100 * 5 + 24 * 17),
    (1000, 1000, 64, 1_000_000 * 6 + 24 * 64),
])
def test_compressed_bits_by_hand(h, w, k, bits):
    assert images.compressed_bits(h, w, k) == bits


def test_palette_png_holds_the_labels_and_the_rounded_palette():
    labels = np.array([[0, 1, 1], [2, 0, 1]])
    centroids = np.array([[0.0, 0.0, 0.0], [1.0, 0.5, 0.25], [0.2, 0.4, 0.6]])
    with Image.open(io.BytesIO(images.palette_png(labels, centroids))) as png:
        assert png.mode == "P"
        np.testing.assert_array_equal(np.asarray(png), labels)
        rgb = np.asarray(png.convert("RGB"))
    np.testing.assert_array_equal(rgb[0, 1], [255, 128, 64])
    np.testing.assert_array_equal(rgb[1, 0], [51, 102, 153])


# --- K-means on pixels, and in any D, against scikit-learn -----------------------------------


def one_sklearn_iteration(X: np.ndarray, start: np.ndarray) -> KMeans:
    return KMeans(n_clusters=start.shape[0], init=start, n_init=1, max_iter=1, algorithm="lloyd",
                  tol=0.0).fit(X)


def test_kmeans_on_a_photo_matches_sklearn_from_the_same_start():
    """Pixels repeat (8-bit colours), so a few may lie exactly between two colours: there the
    two may choose differently (scikit-learn compares rounded ||x||² − 2x·u + ||u||²)."""
    X = images.pixels(images.load_image(PHOTOS / "coffee.jpg")[::3, ::3])
    start = kmeans.init_centroids(X, 8, "kmeans++", seed=0)
    run = stepper.step(stepper.new_kmeans_run(start), stepper.Iterate(), X)
    reference = one_sklearn_iteration(X, start)
    ours = run.current.params
    np.testing.assert_allclose(ours, reference.cluster_centers_, atol=1e-4)
    labels = kmeans.assign(X, ours)
    assert np.mean(labels == reference.labels_) > 0.999
    assert kmeans.objective(X, ours, labels) == pytest.approx(reference.inertia_, rel=1e-4)


@pytest.mark.parametrize("kind", ["8-bit", "16-bit", "any floats"])
def test_distinct_colours_hold_every_pixel_exactly(kind):
    rng = np.random.default_rng(1)
    top = {"8-bit": 255, "16-bit": 65535, "any floats": 7}[kind]
    X = rng.integers(0, top + 1, size=(5_000, 3)) / top
    if kind == "any floats":
        X = X * np.pi - 1.0  # not photo levels: the sort of the rows
    colours, counts, inverse = images.distinct_colours(X)
    np.testing.assert_array_equal(colours[inverse], X)  # every pixel is its colour, bit for bit
    np.testing.assert_array_equal(counts, np.bincount(inverse, minlength=colours.shape[0]))
    assert len(np.unique(colours, axis=0)) == colours.shape[0]  # distinct
    order = np.lexsort(colours.T[::-1])
    np.testing.assert_array_equal(order, np.arange(colours.shape[0]))  # in (R, G, B) order
    assert inverse.dtype == np.int32 and counts.sum() == X.shape[0]


def test_lloyd_on_the_weighted_colours_is_lloyd_on_the_pixels():
    """The page runs K-means on the distinct colours weighted by their pixel counts: at every
    half-step the labels of the pixels are exactly those of their colours, and the centroids
    and J equal the per-pixel ones to 1e-12 (only the order of summation differs); one
    iteration also matches scikit-learn's with sample_weight on the colours."""
    X = images.pixels(images.load_image(PHOTOS / "astronaut.jpg")[::2, ::2])
    colours, counts, inverse = images.distinct_colours(X)
    assert colours.shape[0] < X.shape[0] / 2
    start = kmeans.init_centroids(X, 16, "kmeans++", seed=0)
    run = stepper.new_kmeans_run(start)
    for _ in range(4):
        run = stepper.step(run, stepper.Iterate(), colours, weights=counts)
        before, centroids = run.history[-3].params, run.current.params
        labels = kmeans.assign(X, before)
        colour_labels = kmeans.assign(colours, before)
        np.testing.assert_array_equal(colour_labels[inverse], labels)
        np.testing.assert_allclose(centroids, kmeans.update(X, labels, before), rtol=1e-12, atol=0)
        assert kmeans.objective(colours, centroids, colour_labels, weights=counts) == pytest.approx(
            kmeans.objective(X, centroids, labels), rel=1e-12)
    # scikit-learn from a start off the colours' grid (no colour exactly between two centroids,
    # where the two may choose differently and a tie moves all the pixels of that colour)
    start = start + np.random.default_rng(0).normal(0.0, 1e-6, size=start.shape)
    reference = KMeans(n_clusters=16, init=start, n_init=1, max_iter=1, algorithm="lloyd", tol=0.0).fit(
        colours, sample_weight=counts)
    ours = kmeans.update(colours, kmeans.assign(colours, start), start, weights=counts)
    np.testing.assert_allclose(ours, reference.cluster_centers_, rtol=1e-10, atol=0)
    labels = kmeans.assign(colours, ours)
    np.testing.assert_array_equal(labels, reference.labels_)
    assert kmeans.objective(colours, ours, labels, weights=counts) == pytest.approx(reference.inertia_, rel=1e-10)


@pytest.mark.parametrize("d", [1, 2, 3, 8])
def test_kmeans_takes_any_dimension(d):
    rng = np.random.default_rng(d)
    centres = rng.normal(scale=5.0, size=(4, d))
    X = centres[rng.integers(4, size=3_000)] + rng.normal(size=(3_000, d))
    start = kmeans.init_centroids(X, 4, "random", seed=d)
    labels = kmeans.assign(X, start)
    reference = one_sklearn_iteration(X, start)
    np.testing.assert_allclose(kmeans.update(X, labels, start), reference.cluster_centers_, rtol=1e-10, atol=1e-10)
    centroids = reference.cluster_centers_
    np.testing.assert_array_equal(kmeans.assign(X, centroids), reference.labels_)
    assert kmeans.objective(X, centroids, reference.labels_) == pytest.approx(reference.inertia_, rel=1e-9)


def test_images_imports_neither_streamlit_nor_plotly():
    import subprocess
    import sys

    code = ("import sys, clustering.images\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_psnr_from_mse_by_hand():
    assert images.psnr_from_mse(0.01) == pytest.approx(20.0)
    assert images.psnr_from_mse(0.0) == math.inf
    with pytest.raises(ValueError):
        images.psnr_from_mse(float("nan"))
