"""K-means on a photo: one Lloyd iteration on a 1-megapixel image, ours against scikit-learn's.

The photo is the shipped astronaut scaled up to 1000 x 1000 pixels (N = 10^6 points in RGB,
D = 3). Timed in the same run, for K = 16 and 64:

- ours per pixel: ``update(X, assign(X, centroids), centroids)``, allocations included;
- ours on the distinct colours, as the Compress page runs it: the same on the photo's C
  distinct colours weighted by their pixel counts (``images.distinct_colours``; the same
  labels per pixel, the same means up to the order of summation), plus, once per photo, the
  cost of finding the colours;
- scikit-learn per pixel: the Lloyd routine ``KMeans.fit`` calls once per iteration
  (``sklearn.cluster._k_means_lloyd.lloyd_iter_chunked_dense``) with its buffers made once
  outside the timing, as ``fit`` does;
- scikit-learn on the distinct colours with ``sample_weight`` = the counts (the same trick
  given to scikit-learn, for an honest comparison of the two implementations).

Calls interleaved, with BLAS and OpenMP limited to one thread (threadpoolctl). The peak memory
of our iterations is measured with tracemalloc (numpy reports its allocations to it): an
(N, K, D) temporary would be N K D x 8 bytes = 384 MB here.

Also timed: what one click on the Compress page computes on the server for the same photo
(the half-step, the page's derived numbers, the quantized photo as a palette PNG).

With ``--browser``: the real app in headless Chromium (a server started here, 127.0.0.1 only):
the time from opening /compress to the first photo on screen, and from a click on ``E step`` /
``M step`` to the new quantized photo decoded on screen, for the same 1-megapixel photo
uploaded; and screenshots at 1280 x 720 and 1920 x 1080 in /tmp/compress-*.png.

Run from the repository root:  python bench/bench_compress.py [--browser]
"""

import io
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import sklearn
from PIL import Image
from threadpoolctl import threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
from bench.bench_kmeans import make_sklearn_iteration  # noqa: E402  (one harness for scikit-learn)
from clustering import derived, images, stepper  # noqa: E402
from clustering.kmeans import assign, init_centroids, update  # noqa: E402
from clustering.kmeans import objective as kmeans_objective  # noqa: E402

SIDE = 1000  # the photo is SIDE x SIDE pixels
CLUSTER_COUNTS = (16, 64)
REPEATS = 7  # timings per K; the median is reported


def one_megapixel_photo() -> np.ndarray:
    """The shipped astronaut, scaled to SIDE x SIDE: (SIDE, SIDE, 3) floats in [0, 1]."""
    with Image.open(REPO_ROOT / "assets" / "photos" / "astronaut.jpg") as photo:
        scaled = photo.convert("RGB").resize((SIDE, SIDE), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    scaled.save(buffer, format="PNG")
    return images.load_image(buffer.getvalue(), max_pixels=SIDE * SIDE)


def ours(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return update(X, assign(X, centroids), centroids)


def ours_weighted(counts: np.ndarray):
    """Our iteration on points weighted by ``counts`` (the photo's distinct colours)."""
    def iteration(colours: np.ndarray, centroids: np.ndarray) -> np.ndarray:
        return update(colours, assign(colours, centroids), centroids, weights=counts)
    return iteration


def median_times_mixed(functions: dict, X: np.ndarray, colours: np.ndarray, centroids: np.ndarray,
                       on_colours: tuple[str, ...]) -> dict:
    """Median wall time (seconds) of each function, on X or (names in on_colours) on the
    colours, calls interleaved to share any noise (bench_kmeans.median_times, two data sets)."""
    data = {name: colours if name in on_colours else X for name in functions}
    times = {name: [] for name in functions}
    for name, function in functions.items():  # warm up
        function(data[name], centroids)
    for _ in range(REPEATS):
        for name, function in functions.items():
            start = time.perf_counter()
            function(data[name], centroids)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}


def peak_bytes(function, *args) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    function(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def click_costs(image: np.ndarray, k: int) -> None:
    """Server work of one E-step and one M-step click on the page (as compress_panels does it:
    the half-step on the weighted distinct colours, the labels in force, J, the quantized photo
    and its PSNR, the pixel counts, the palette PNG), piece by piece."""
    height, width = image.shape[:2]
    X = images.pixels(image)
    start = time.perf_counter()
    colours, counts, inverse = images.distinct_colours(X)
    print(f"  finding the {colours.shape[0]:,} distinct colours (once per photo): "
          f"{1e3 * (time.perf_counter() - start):.0f} ms")
    run = stepper.new_kmeans_run(init_centroids(X, k, "kmeans++", seed=0))
    run = stepper.step(run, stepper.EStep(), colours, weights=counts)
    run = stepper.step(run, stepper.MStep(), colours, weights=counts)
    colour_labels = None
    for msg in (stepper.EStep(), stepper.MStep()):
        times = {}
        start = time.perf_counter()
        run = stepper.step(run, msg, colours, weights=counts)
        times["half-step"] = time.perf_counter()
        if isinstance(msg, stepper.EStep):  # an M step reuses the E step's labels (cached)
            colour_labels = derived.kmeans_labels(colours, run, run.cursor).astype(np.uint8)
        labels = colour_labels[inverse]
        times["labels"] = time.perf_counter()
        centroids = run.current.params
        images.psnr_from_mse(kmeans_objective(colours, centroids, colour_labels, weights=counts) / (3 * X.shape[0]))
        times["J, PSNR"] = time.perf_counter()
        np.bincount(labels, minlength=k)
        png = images.palette_png(labels.reshape(height, width), centroids)
        times["PNG"] = time.perf_counter()
        parts, previous = [], start
        for name, moment in times.items():
            parts.append(f"{name} {1e3 * (moment - previous):.0f}")
            previous = moment
        print(f"  {type(msg).__name__:6} {1e3 * (previous - start):6.0f} ms  ({', '.join(parts)} ms; "
              f"PNG {len(png) / 1e3:,.0f} kB)")


CLICK_DONE_JS = """([before]) => {
    const pictures = document.querySelectorAll('[data-testid=stMain] [data-testid=stImage] img');
    if (pictures.length < 2) return false;
    const img = pictures[1];
    if (img.getAttribute('src') === before || !img.complete || !img.naturalWidth) return false;
    window.__done = performance.now();
    return true;
}"""


def browser_timings(clicks: int = 3) -> None:
    """Open, then click E / M on a 1 MP upload; times measured inside the page (performance.now)."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, wait_for_app

    with Image.open(REPO_ROOT / "assets" / "photos" / "astronaut.jpg") as photo:
        scaled = photo.convert("RGB").resize((SIDE, SIDE), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    scaled.save(buffer, format="PNG")
    port = free_port()
    server = start_app(port)
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/")
            wait_for_app(page)  # a warm server: the app's modules are imported
            for attempt in range(3):
                start = time.perf_counter()
                page.goto(f"{url}/compress?photo=coffee&k=16&n={attempt}")
                page.wait_for_function(
                    "() => { const i = document.querySelector('[data-testid=stMain] [data-testid=stImage] img');"
                    " return i && i.complete && i.naturalWidth > 0; }", polling="raf", timeout=60_000)
                print(f"open /compress to the first photo on screen: {time.perf_counter() - start:.2f} s")
                wait_for_app(page, timeout=60_000)
            page.set_input_files("[data-testid=stFileUploaderDropzoneInput]", files=[
                {"name": "astronaut-1mp.png", "mimeType": "image/png", "buffer": buffer.getvalue()}])
            page.wait_for_function("() => !location.search.includes('photo=')", timeout=60_000)
            wait_for_app(page, timeout=60_000)
            page.evaluate("window.addEventListener('click', () => window.__click = performance.now(), true)")
            for i in range(2 * clicks):
                label = "E step" if i % 2 == 0 else "M step"
                pictures = page.locator("[data-testid=stMain] [data-testid=stImage] img")
                before = pictures.nth(1).get_attribute("src") if pictures.count() > 1 else None
                page.get_by_role("button", name=label, exact=True).click()
                page.wait_for_function(CLICK_DONE_JS, arg=[before], polling="raf", timeout=60_000)
                elapsed = page.evaluate("window.__done - window.__click")
                print(f"1 MP upload, {label}: click to new quantized photo on screen {elapsed:7.0f} ms")
                wait_for_app(page, timeout=60_000)
            for width, height in ((1280, 720), (1920, 1080)):
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(1500)
                page.screenshot(path=f"/tmp/compress-{width}x{height}.png")
                page.screenshot(path=f"/tmp/compress-{width}x{height}-full.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    if "--browser" in sys.argv:
        browser_timings()
        return
    image = one_megapixel_photo()
    X = images.pixels(image)
    with threadpool_limits(limits=1):
        print(f"python {platform.python_version()}, numpy {np.__version__}, "
              f"scikit-learn {sklearn.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, "
              "one thread (threadpoolctl)")
        start = time.perf_counter()
        colours, counts, _ = images.distinct_colours(X)
        finding = time.perf_counter() - start
        print(f"photo: astronaut scaled to {SIDE} x {SIDE}, N = {X.shape[0]:,} pixels, D = 3, "
              f"C = {colours.shape[0]:,} distinct colours (found once per photo in {finding * 1e3:.0f} ms)")
        print(f"one Lloyd iteration (E step + M step), median of {REPEATS}; ms; "
              "px = on the pixels, col = on the distinct colours weighted by their counts")
        header = (f"{'K':>3} {'ours px':>8} {'ours col':>9} {'sk px':>7} {'sk col':>7} "
                  f"{'col/sk px':>10} {'col/sk col':>11} {'px/sk px':>9} {'peak MB px, col':>16} {'(N,K,D) MB':>11}")
        print(header)
        print("-" * len(header))
        for k in CLUSTER_COUNTS:
            centroids = init_centroids(X, k, method="kmeans++", seed=0)
            functions = {
                "ours px": ours,
                "ours col": ours_weighted(counts),
                "sk px": make_sklearn_iteration(X, k),
                "sk col": make_sklearn_iteration(colours, k, sample_weight=counts),
            }
            on_colours = ("ours col", "sk col")
            results = {name: function(colours if name in on_colours else X, centroids)
                       for name, function in functions.items()}
            # Pixels equidistant from two centroids (8-bit colours repeat) may be assigned
            # differently: scikit-learn compares ||x||² - 2 x·u + ||u||², we the exact sum.
            difference = max(np.max(np.abs(results[name] - results["ours px"])) for name in results)
            assert difference < 1e-2, difference
            same = np.max(np.abs(results["ours col"] - results["ours px"]) / np.abs(results["ours px"]).max())
            assert same < 1e-12, same  # the weighted colours give the pixels' means
            times = median_times_mixed(functions, X, colours, centroids, on_colours)
            peaks = (peak_bytes(ours, X, centroids), peak_bytes(ours_weighted(counts), colours, centroids))
            full = X.shape[0] * k * X.shape[1] * 8
            print(f"{k:>3} {times['ours px'] * 1e3:>8.1f} {times['ours col'] * 1e3:>9.1f} "
                  f"{times['sk px'] * 1e3:>7.1f} {times['sk col'] * 1e3:>7.1f} "
                  f"{times['ours col'] / times['sk px']:>10.2f} {times['ours col'] / times['sk col']:>11.2f} "
                  f"{times['ours px'] / times['sk px']:>9.2f} "
                  f"{peaks[0] / 1e6:>8.1f}, {peaks[1] / 1e6:>5.1f} {full / 1e6:>11.0f}"
                  f"   (centroids differ by at most {difference:.1e}: ties; col vs px {same:.0e})")
        print()
        print("one click on the Compress page, server side, K = 16:")
        click_costs(image, 16)


if __name__ == "__main__":
    main()
