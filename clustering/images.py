"""Photos as points: K-means as vector quantization ("compression") in RGB colour space.

A photo of H x W pixels is N = H·W points x_n in RGB, D = 3, each coordinate in [0, 1].
K-means on those points chooses a palette of K colours (the centroids u_k); the quantized photo
gives every pixel its centroid's colour. Stored that way, a pixel needs ⌈log₂ K⌉ bits (the index
of its colour) instead of 24, plus 24 bits per palette colour.

``load_image(source) -> (H, W, 3)`` reads a PNG or JPEG with Pillow; ``read_photo`` does the same
and also says, in plain sentences, what it changed (scaled down, transparency dropped, greyscale,
CMYK, 16-bit). Every file it cannot use raises :class:`ImageError`, whose text is a plain
sentence: a text file with an image's name, a truncated file, a decompression bomb, another
format, an empty file.

Pure numpy and Pillow: no Streamlit, no Plotly.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from PIL import Image, UnidentifiedImageError

from clustering.constants import (
    PHOTO_BITS_PER_COLOUR,
    PHOTO_MAX_FILE_BYTES,
    PHOTO_MAX_PIXELS,
    PHOTO_MAX_SOURCE_PIXELS,
)

__all__ = [
    "ImageError",
    "Photo",
    "read_photo",
    "load_image",
    "pixels",
    "distinct_colours",
    "quantize",
    "psnr",
    "psnr_from_mse",
    "compressed_bits",
    "bits_per_index",
    "palette_png",
    "photo_png",
    "photo_jpeg",
]

FORMATS = ("PNG", "JPEG")  # what the page accepts
_SIXTEEN_BIT_TOP = 65535.0  # the largest 16-bit level; an 8-bit level k/255 is 257k/65535
Source = bytes | bytearray | memoryview | str | os.PathLike  # or a binary file object


class ImageError(ValueError):
    """A photo file that can't be used; str() is one or two plain sentences saying what to do."""


@dataclass(frozen=True, eq=False)
class Photo:
    """A photo read for K-means.

    image : (H, W, 3) float64 in [0, 1], read-only
    notes : plain sentences about what reading changed (scaled down, alpha dropped, ...)
    source_size : (width, height) of the file before any scaling
    """

    image: np.ndarray
    notes: tuple[str, ...]
    source_size: tuple[int, int]

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])


# --- reading -----------------------------------------------------------------------------------


def _read_bytes(source) -> bytes:
    """The file's bytes from a path, bytes or a binary file object (at most the size limit + 1)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as handle:
                data = handle.read(PHOTO_MAX_FILE_BYTES + 1)
        except OSError as error:
            raise ImageError(f"The photo file could not be opened ({error.strerror or error}).") from None
    elif hasattr(source, "read"):
        data = source.read(PHOTO_MAX_FILE_BYTES + 1)
        if isinstance(data, str):
            raise ImageError("The photo must be read as bytes (a binary file), not as text.")
    else:
        raise ImageError(f"A photo is read from a file name, bytes or a file; got {type(source).__name__}.")
    if len(data) == 0:
        raise ImageError("The file is empty: choose a PNG or JPEG photo.")
    if len(data) > PHOTO_MAX_FILE_BYTES:
        raise ImageError(
            f"The file is larger than {PHOTO_MAX_FILE_BYTES / 1_048_576:,.0f} MB: save the photo "
            "smaller (the page works on at most 1 megapixel anyway) and upload it again."
        )
    return data


def _open(data: bytes) -> Image.Image:
    """Pillow's image for these bytes, header read only (nothing decoded yet)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except UnidentifiedImageError:
        raise ImageError(
            "This file is not a photo Pillow can read: it is not a PNG or JPEG image (perhaps a "
            "text or other file with an image's name). Choose a PNG or JPEG photo."
        ) from None
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError(f"The photo could not be read ({error}). Choose another PNG or JPEG.") from None
    if image.format not in FORMATS:
        raise ImageError(
            f"This is a {image.format or 'non-PNG, non-JPEG'} image; the page reads PNG and JPEG "
            "photos only. Save it as PNG or JPEG and upload it again."
        )
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError("The photo has no pixels.")
    if width * height > PHOTO_MAX_SOURCE_PIXELS:
        raise _bomb(width, height)
    return image


def _bomb(width: int | None = None, height: int | None = None) -> ImageError:
    size = f" says it has {width:,} × {height:,} pixels; that" if width else ""
    return ImageError(
        f"The file{size} is more than {PHOTO_MAX_SOURCE_PIXELS / 1e6:,.0f} million pixels, far "
        "more than the page needs, and it was not decoded (a file that small claiming that many "
        "pixels can be a 'decompression bomb'). Save the photo smaller and upload it again."
    )


def _decode(image: Image.Image) -> Image.Image:
    """Decode the pixels; a cut-short file or a bomb becomes an ImageError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(*image.size) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        if "truncated" in str(error).lower() or isinstance(error, EOFError):
            raise ImageError(
                "The photo file is cut short (truncated): only part of the image is in it. "
                "Download or save the photo again and upload the whole file."
            ) from None
        raise ImageError(f"The photo's pixels could not be decoded ({error}). Choose another PNG or JPEG.") from None
    return image


def _to_rgb(image: Image.Image) -> tuple[np.ndarray, list[str]]:
    """The decoded image as (H, W, 3) floats in [0, 1], and what was changed to get there."""
    notes: list[str] = []
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        grey = np.clip(values / top, 0.0, 1.0)
        notes.append(
            f"A {'16-bit ' if top > 255 else ''}greyscale photo: its levels were read at full "
            "precision, scaled to 0…1, and every pixel lies on the grey diagonal of RGB space "
            "(R = G = B)."
        )
        return np.repeat(grey[:, :, None], 3, axis=2), notes
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        composited = Image.alpha_composite(white, rgba).convert("RGB")
        alpha = np.asarray(rgba)[:, :, 3]
        if alpha.min() < 255:
            notes.append("The photo's transparency (alpha channel) was dropped: transparent "
                         "parts are shown on white.")
        else:
            notes.append("The photo's alpha channel (fully opaque) was dropped.")
        image = composited
        if mode in ("LA", "La"):
            notes.append("A greyscale photo: every pixel lies on the grey diagonal of RGB space (R = G = B).")
    elif mode in ("L", "1"):
        notes.append("A greyscale photo: every pixel lies on the grey diagonal of RGB space (R = G = B).")
    elif mode == "CMYK":
        notes.append("A CMYK photo (for print): converted to RGB; its colours may look slightly different.")
    elif mode not in ("RGB", "P"):
        notes.append(f"The photo's colours ({mode}) were converted to RGB.")
    rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    if "16" in (image.info.get("bitdepth") or ""):  # pragma: no cover - Pillow does not set it
        notes.append("A 16-bit photo: read at 8 bits per channel.")
    return rgb / 255.0, notes


def _scaled(image: Image.Image, max_pixels: int) -> tuple[Image.Image, str | None]:
    width, height = image.size
    if width * height <= max_pixels:
        return image, None
    factor = math.sqrt(max_pixels / (width * height))
    new_size = (max(1, math.floor(width * factor)), max(1, math.floor(height * factor)))
    while new_size[0] * new_size[1] > max_pixels:  # rounding can leave one row too many
        new_size = (new_size[0], new_size[1] - 1)
    mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA", "I", "F", "CMYK") else "RGBA"
    if image.mode.startswith("I;16"):
        mode = "I"
    resized = image.convert(mode).resize(new_size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return resized, (
        f"The photo has {width:,} × {height:,} pixels; it was scaled down to "
        f"{new_size[0]:,} × {new_size[1]:,} (the page works on at most {max_pixels:,} pixels)."
    )


def read_photo(source: Source, max_pixels: int | None = PHOTO_MAX_PIXELS) -> Photo:
    """Read a PNG or JPEG photo as RGB points, saying what was changed.

    source : a path, the file's bytes, or a binary file object
    max_pixels : a larger photo is scaled down (same aspect ratio) to at most this many pixels;
        None keeps every pixel (up to the decompression-bomb limit)
    Returns a :class:`Photo` whose image is (H, W, 3) float64 in [0, 1].
    Raises ImageError with a plain message for any file it can't use.
    """
    data = _read_bytes(source)
    image = _decode(_open(data))
    source_size = image.size
    notes: list[str] = []
    if image.mode.startswith("I;16") or image.mode == "I":
        notes.append("A 16-bit photo: read at full precision.")
    if max_pixels is not None:
        image, note = _scaled(image, int(max_pixels))
        if note:
            notes.append(note)
    rgb, colour_notes = _to_rgb(image)
    rgb = np.ascontiguousarray(np.clip(rgb, 0.0, 1.0))
    rgb.setflags(write=False)
    return Photo(rgb, tuple(colour_notes + notes), source_size)


def load_image(source: Source, max_pixels: int | None = None) -> np.ndarray:
    """A PNG or JPEG photo as an (H, W, 3) float64 array in [0, 1] (R, G, B).

    source : a path, the file's bytes, or a binary file object
    max_pixels : scale a larger photo down to at most this many pixels (None: keep all)
    Transparency is composited onto white, greyscale becomes R = G = B, CMYK becomes RGB,
    16-bit levels are scaled to [0, 1] (:func:`read_photo` also says so in words).
    Raises ImageError (a ValueError) with a plain message for a file it can't use.
    """
    return read_photo(source, max_pixels).image


# --- photos as points ----------------------------------------------------------------------


def _as_image(image: ArrayLike) -> np.ndarray:
    array = np.asarray(image, dtype=np.float64)
    if array.ndim != 3 or array.shape[0] < 1 or array.shape[1] < 1 or array.shape[2] < 1:
        raise ValueError(f"An image must be an (H, W, C) array; got shape {array.shape}.")
    return array


def pixels(image: ArrayLike) -> np.ndarray:
    """The photo's pixels as points: (H, W, C) -> (H·W, C), row by row (C = 3 for RGB)."""
    array = _as_image(image)
    return np.ascontiguousarray(array.reshape(-1, array.shape[2]))


def distinct_colours(X: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows of the pixels X (N, C): (colours (M, C), counts (M,), inverse (N,)).

    colours[inverse] == X exactly (every colour is a copy of a pixel's value) and counts[m] is
    the number of pixels of colour m, so K-means on the colours weighted by their counts gives
    the labels of the pixels (colour labels [inverse]) and their means (up to the order of
    summation) from far fewer points: a 1-megapixel photo has a few hundred thousand colours.
    Colours are in increasing order of (R, G, B). Photo levels (multiples of 1/255 or 1/65535,
    as ``load_image`` reads them) are told apart by an integer code per pixel, one sort of N
    numbers; other values by a sort of the rows.
    """
    points = np.asarray(X, dtype=np.float64)
    if points.ndim != 2 or points.shape[0] < 1 or not 1 <= points.shape[1] <= 4:
        raise ValueError(f"X must be an (N, C) array of pixels with 1 to 4 channels; got shape {points.shape}.")
    top = _SIXTEEN_BIT_TOP
    with np.errstate(invalid="ignore", over="ignore"):
        levels = np.rint(points * top)
        exact = bool(np.all((levels >= 0) & (levels <= top))) and np.array_equal(levels / top, points)
    if exact:  # one 16-bit level per channel: the code (l_1, l_2, ...) in base 2^16
        level = levels.astype(np.uint64)
        code = level[:, 0].copy()
        for c in range(1, points.shape[1]):
            code <<= np.uint64(16)
            code |= level[:, c]
        _, first, inverse, counts = np.unique(code, return_index=True, return_inverse=True, return_counts=True)
        colours = points[first]
    else:
        colours, inverse, counts = np.unique(points, axis=0, return_inverse=True, return_counts=True)
    # int32 indices where they fit: half the memory a photo keeps in the session
    index_type = np.int32 if points.shape[0] < 2**31 else np.intp
    return colours, counts, inverse.reshape(-1).astype(index_type)


def quantize(image: ArrayLike, centroids: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """The quantized photo: every pixel n takes the colour of its centroid, u_{z_n}.

    image : (H, W, C) the photo (only its shape is used); centroids : (K, C);
    labels : (H·W,) or (H, W) integers in 0..K-1.
    Returns an (H, W, C) float64 array.
    """
    array = _as_image(image)
    height, width, channels = array.shape
    centroids = np.asarray(centroids, dtype=np.float64)
    if centroids.ndim != 2 or centroids.shape[1] != channels:
        raise ValueError(f"centroids must be a (K, {channels}) array; got shape {centroids.shape}.")
    labels = np.asarray(labels)
    if labels.size != height * width or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {height * width} integers, one per pixel; got {labels.shape} {labels.dtype}.")
    labels = labels.reshape(-1)
    if labels.min() < 0 or labels.max() >= centroids.shape[0]:
        raise ValueError(f"labels must lie in 0..{centroids.shape[0] - 1}.")
    return centroids[labels].reshape(height, width, channels)


def psnr_from_mse(mse: float, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio in decibels from the mean squared error: 10 log₁₀(peak² / MSE).

    Returns +inf for MSE = 0. For a quantized photo, MSE = J / (3N) (J summed over R, G, B).
    """
    mse = float(mse)
    if not mse >= 0.0:
        raise ValueError(f"The mean squared error must be zero or positive; got {mse}.")
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(peak * peak / mse)


def psnr(a: ArrayLike, b: ArrayLike, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio in decibels: 10 log₁₀(peak² / MSE).

    a, b : arrays of the same shape (e.g. (H, W, 3) in [0, 1]); MSE is the mean of (a − b)²
    over every value (every pixel and channel; for a quantized photo MSE = J / (3N)).
    Returns +inf for identical arrays.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"The two images must have the same shape; got {a.shape} and {b.shape}.")
    if a.size == 0:
        raise ValueError("The images are empty.")
    return psnr_from_mse(float(np.mean((a - b) ** 2)), peak)


def bits_per_index(k: int) -> int:
    """⌈log₂ K⌉: the bits that name one of K palette colours (0 for K = 1)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"K must be a whole number of at least 1; got {k!r}.")
    return int(k - 1).bit_length()


def compressed_bits(h: int, w: int, k: int) -> int:
    """Bits of the quantized photo: h·w·⌈log₂ K⌉ (one index per pixel) + 24·K (the palette).

    The uncompressed photo takes 24·h·w bits (8 bits each of R, G and B per pixel).
    """
    for name, value in (("h", h), ("w", w)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1; got {value!r}.")
    return int(h) * int(w) * bits_per_index(k) + PHOTO_BITS_PER_COLOUR * int(k)


# --- as PNG, for the page ------------------------------------------------------------------


def _as_bytes_rgb(colours: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(np.asarray(colours, dtype=np.float64) * 255.0), 0, 255).astype(np.uint8)


def palette_png(labels: ArrayLike, centroids: ArrayLike) -> bytes:
    """The quantized photo as a palette PNG: one byte per pixel naming its colour.

    labels : (H, W) integers in 0..K-1 (K <= 256); centroids : (K, 3) colours in [0, 1].
    Colours are rounded to 8 bits per channel for the file.
    """
    labels = np.asarray(labels)
    centroids = np.asarray(centroids, dtype=np.float64)
    if labels.ndim != 2 or centroids.ndim != 2 or centroids.shape[1] != 3 or centroids.shape[0] > 256:
        raise ValueError("palette_png needs (H, W) labels and at most 256 (K, 3) colours.")
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[: centroids.shape[0]] = _as_bytes_rgb(centroids)
    height, width = labels.shape
    indices = Image.frombytes("P", (width, height), np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    indices.putpalette(palette.reshape(-1).tolist())
    buffer = io.BytesIO()
    indices.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def photo_png(image: ArrayLike) -> bytes:
    """An (H, W, 3) photo in [0, 1] as PNG bytes (8 bits per channel)."""
    array = _as_image(image)
    buffer = io.BytesIO()
    Image.fromarray(_as_bytes_rgb(array)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def photo_jpeg(image: ArrayLike, quality: int = 90) -> bytes:
    """An (H, W, 3) photo in [0, 1] as JPEG bytes (for showing the original: small and quick)."""
    array = _as_image(image)
    buffer = io.BytesIO()
    Image.fromarray(_as_bytes_rgb(array)).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
