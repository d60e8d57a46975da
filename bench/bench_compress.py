"""K-means on a photo: one Lloyd iteration on a 1-megapixel image, ours against scikit-learn's.

The photo is the shipped astronaut scaled up to 1000 x 1000 pixels (N = 10^6 points in RGB,
D = 3). Ours is ``update(X, assign(X, centroids), centroids)``, allocations included;
scikit-learn's is the Lloyd routine ``KMeans.fit`` calls once per iteration
(``sklearn.cluster._k_means_lloyd.lloyd_iter_chunked_dense``) with its buffers made once outside
the timing, as ``fit`` does. Both run in this process, calls interleaved, with BLAS and OpenMP
limited to one thread (threadpoolctl). The peak memory of our iteration is measured with
tracemalloc (numpy reports its allocations to it): an (N, K, D) temporary would be
N K D x 8 bytes = 384 MB here.

Also timed: what one click on the Compress page computes on the server for the same photo
(the half-step, the page's derived numbers, the quantized photo as a palette PNG).

Run from the repository root:  python bench/bench_compress.py
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
from sklearn.cluster._k_means_lloyd import lloyd_iter_chunked_dense
from threadpoolctl import threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from clustering import derived, images, stepper  # noqa: E402
from clustering.kmeans import assign, init_centroids, update  # noqa: E402

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


def make_sklearn_iteration(X: np.ndarray, k: int):
    n, dims = X.shape
    sample_weight = np.ones(n)
    centers_new = np.zeros((k, dims))
    weight_in_clusters = np.zeros(k)
    labels = np.full(n, -1, dtype=np.int32)
    center_shift = np.zeros(k)

    def iteration(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
        lloyd_iter_chunked_dense(
            X, sample_weight, centroids, centers_new, weight_in_clusters, labels, center_shift, 1
        )
        return centers_new

    return iteration


def median_times(functions: dict, X: np.ndarray, centroids: np.ndarray) -> dict:
    times = {name: [] for name in functions}
    for function in functions.values():  # warm up
        function(X, centroids)
    for _ in range(REPEATS):
        for name, function in functions.items():
            start = time.perf_counter()
            function(X, centroids)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}


def peak_bytes(function, *args) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    function(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def click_costs(X: np.ndarray, shape: tuple[int, int], k: int) -> None:
    """Server time of one E-step and one M-step click on the page (compute + palette PNG)."""
    height, width = shape
    run = stepper.new_kmeans_run(init_centroids(X, k, "kmeans++", seed=0))
    run = stepper.step(run, stepper.EStep(), X)
    run = stepper.step(run, stepper.MStep(), X)
    for msg in (stepper.EStep(), stepper.MStep()):
        start = time.perf_counter()
        run = stepper.step(run, msg, X)
        view = derived.kmeans_view(X, run)
        stepped = time.perf_counter()
        png = images.palette_png(view.labels.reshape(height, width), run.current.params)
        encoded = time.perf_counter()
        name = type(msg).__name__
        print(f"  {name:6} half-step + derived view {1e3 * (stepped - start):7.1f} ms, "
              f"palette PNG {1e3 * (encoded - stepped):6.1f} ms ({len(png) / 1e3:,.0f} kB)")


def main() -> None:
    image = one_megapixel_photo()
    X = images.pixels(image)
    with threadpool_limits(limits=1):
        print(f"python {platform.python_version()}, numpy {np.__version__}, "
              f"scikit-learn {sklearn.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, "
              "one thread (threadpoolctl)")
        print(f"photo: astronaut scaled to {SIDE} x {SIDE}, N = {X.shape[0]:,} pixels, D = 3")
        print(f"one Lloyd iteration (E step + M step), median of {REPEATS}")
        header = f"{'K':>3} {'ours ms':>9} {'sklearn ms':>11} {'ratio':>6} {'ours peak MB':>13} {'(N,K,D) MB':>11}"
        print(header)
        print("-" * len(header))
        for k in CLUSTER_COUNTS:
            centroids = init_centroids(X, k, method="kmeans++", seed=0)
            sklearn_iteration = make_sklearn_iteration(X, k)
            # Pixels equidistant from two centroids (8-bit colours repeat) may be assigned
            # differently: scikit-learn compares ||x||² - 2 x·u + ||u||², we the exact sum.
            difference = np.max(np.abs(ours(X, centroids) - sklearn_iteration(X, centroids)))
            assert difference < 1e-2, difference
            times = median_times({"ours": ours, "sklearn": sklearn_iteration}, X, centroids)
            peak = peak_bytes(ours, X, centroids)
            full = X.shape[0] * k * X.shape[1] * 8
            print(f"{k:>3} {times['ours'] * 1e3:>9.1f} {times['sklearn'] * 1e3:>11.1f} "
                  f"{times['ours'] / times['sklearn']:>6.2f} {peak / 1e6:>13.1f} {full / 1e6:>11.0f}"
                  f"   (centroids differ by at most {difference:.1e}: ties)")
        print()
        print("one click on the Compress page, server side, K = 16:")
        click_costs(X, image.shape[:2], 16)


if __name__ == "__main__":
    main()
