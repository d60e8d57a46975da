"""The cluster palette stays distinguishable for people with a colour-vision deficiency.

CIEDE2000 (Sharma, Wu and Dalal 2005) and the sRGB → CIELAB conversion (IEC 61966-2-1, D65)
are written here and checked against the paper's published test pairs; the deficiencies are
simulated with the matrices of Machado, Oliveira and Fernandes 2009 (severity 1.0), applied
to linear RGB.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from clustering.constants import (
    CLUSTER_COLOURS,
    CLUSTER_SYMBOLS,
    CVD_MIN_DELTA_E00,
    UNASSIGNED_COLOUR,
)

# Machado et al. 2009, Table 1 at severity 1.0 (linear RGB in, linear RGB out)
MACHADO_2009 = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
VISIONS = (None, *MACHADO_2009)

# sRGB (linear) → CIE XYZ, D65 white
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65_WHITE = np.array([0.95047, 1.0, 1.08883])


def srgb_from_hex(colour: str) -> np.ndarray:
    """'#rrggbb' -> (3,) sRGB in [0, 1]."""
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


def linear_from_srgb(srgb: np.ndarray) -> np.ndarray:
    """Undo the sRGB transfer curve: (..., 3) in [0, 1] -> linear light."""
    srgb = np.asarray(srgb, dtype=float)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab_from_linear(rgb: np.ndarray) -> np.ndarray:
    """Linear sRGB (..., 3) -> CIELAB (..., 3) under D65."""
    xyz = rgb @ SRGB_TO_XYZ.T / D65_WHITE
    delta = 6 / 29
    f = np.where(xyz > delta ** 3, np.cbrt(xyz), xyz / (3 * delta ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def lab_as_seen(colour: str, vision: str | None) -> np.ndarray:
    """The CIELAB colour of '#rrggbb' as a person with ``vision`` sees it (None: normal)."""
    rgb = linear_from_srgb(srgb_from_hex(colour))
    if vision is not None:
        rgb = np.clip(MACHADO_2009[vision] @ rgb, 0.0, 1.0)
    return lab_from_linear(rgb)


def ciede2000(lab1, lab2) -> float:
    """ΔE00 between two CIELAB colours (k_L = k_C = k_H = 1)."""
    L1, a1, b1 = (float(v) for v in lab1)
    L2, a2, b2 = (float(v) for v in lab2)
    C_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    G = 0.5 * (1 - np.sqrt(C_mean ** 7 / (C_mean ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if C1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if C2p else 0.0

    dLp = L2 - L1
    dCp = C2p - C1p
    if C1p * C2p == 0:
        dhp = 0.0
    else:
        dhp = h2p - h1p
        if dhp > 180:
            dhp -= 360
        elif dhp < -180:
            dhp += 360
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dhp / 2))

    Lp_mean = (L1 + L2) / 2
    Cp_mean = (C1p + C2p) / 2
    if C1p * C2p == 0:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_mean = (h1p + h2p + 360) / 2
    else:
        hp_mean = (h1p + h2p - 360) / 2
    T = (1 - 0.17 * np.cos(np.radians(hp_mean - 30)) + 0.24 * np.cos(np.radians(2 * hp_mean))
         + 0.32 * np.cos(np.radians(3 * hp_mean + 6)) - 0.20 * np.cos(np.radians(4 * hp_mean - 63)))
    S_L = 1 + 0.015 * (Lp_mean - 50) ** 2 / np.sqrt(20 + (Lp_mean - 50) ** 2)
    S_C = 1 + 0.045 * Cp_mean
    S_H = 1 + 0.015 * Cp_mean * T
    d_theta = 30 * np.exp(-(((hp_mean - 275) / 25) ** 2))
    R_C = 2 * np.sqrt(Cp_mean ** 7 / (Cp_mean ** 7 + 25.0 ** 7))
    R_T = -np.sin(np.radians(2 * d_theta)) * R_C
    return float(np.sqrt((dLp / S_L) ** 2 + (dCp / S_C) ** 2 + (dHp / S_H) ** 2
                         + R_T * (dCp / S_C) * (dHp / S_H)))


# Sharma, Wu and Dalal 2005, Table 1: (L1, a1, b1), (L2, a2, b2), ΔE00
SHARMA_2005 = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA_2005)
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=5e-5)  # symmetric


def test_lab_of_known_colours():
    # white, black and sRGB's primaries in CIELAB (D65), as colour-science libraries give them
    assert lab_as_seen("#ffffff", None) == pytest.approx([100.0, 0.0, 0.0], abs=0.01)
    assert lab_as_seen("#000000", None) == pytest.approx([0.0, 0.0, 0.0], abs=0.01)
    assert lab_as_seen("#ff0000", None) == pytest.approx([53.24, 80.09, 67.20], abs=0.02)
    assert lab_as_seen("#00ff00", None) == pytest.approx([87.73, -86.18, 83.18], abs=0.02)
    assert lab_as_seen("#0000ff", None) == pytest.approx([32.30, 79.19, -107.86], abs=0.02)


def test_the_simulation_finds_tableau_10s_known_confusions():
    # the measurement of the old palette: the simulation must be able to find a clash
    orange, green, red = "#ff7f0e", "#2ca02c", "#d62728"
    protan = ciede2000(lab_as_seen(orange, "protanopia"), lab_as_seen(green, "protanopia"))
    deutan = ciede2000(lab_as_seen(green, "deuteranopia"), lab_as_seen(red, "deuteranopia"))
    assert protan == pytest.approx(1.25, abs=0.05)
    assert deutan == pytest.approx(4.61, abs=0.05)
    assert min(protan, deutan) < CVD_MIN_DELTA_E00


def closest_pair(colours, vision):
    labs = [lab_as_seen(c, vision) for c in colours]
    return min((ciede2000(labs[i], labs[j]), colours[i], colours[j])
               for i, j in itertools.combinations(range(len(colours)), 2))


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "normal")
@pytest.mark.parametrize("k", range(2, 9))
def test_the_first_k_cluster_colours_stay_apart(k, vision):
    distance, first, second = closest_pair(CLUSTER_COLOURS[:k], vision)
    assert distance >= CVD_MIN_DELTA_E00, (
        f"K = {k}, {vision or 'normal vision'}: {first} and {second} are only {distance:.2f} apart")


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "normal")
def test_cluster_colours_stand_out_from_the_background_and_unassigned_grey(vision):
    for reference in ("#ffffff", UNASSIGNED_COLOUR):
        distance, colour, _ = min((ciede2000(lab_as_seen(c, vision), lab_as_seen(reference, vision)), c, reference)
                                  for c in CLUSTER_COLOURS[:8])
        assert distance >= CVD_MIN_DELTA_E00, f"{colour} is {distance:.2f} from {reference}"


def test_every_cluster_up_to_eight_has_its_own_shape():
    assert len(set(CLUSTER_SYMBOLS[:8])) == 8
    assert len(set(CLUSTER_COLOURS)) == len(CLUSTER_COLOURS)


def test_figures_give_every_cluster_its_shape():
    """Colour is never the only cue: in the Plotly figures a point's shape is its cluster's."""
    from clustering import datasets, gmm, kmeans, plotting

    data = datasets.make("blobs", n=300, seed=1)
    X = data.X
    centroids = kmeans.init_centroids(X, 4, seed=0)
    labels = kmeans.assign(X, centroids)
    ranges = dict(x_range=(X[:, 0].min(), X[:, 0].max()), y_range=(X[:, 1].min(), X[:, 1].max()))

    figure = plotting.kmeans_figure(X, centroids, labels, **ranges)
    points = next(trace for trace in figure.data if trace.name == "points")
    assert list(points.marker.symbol) == [CLUSTER_SYMBOLS[j] for j in labels]

    theta = gmm.init_params(X, 3, seed=0)
    resp = gmm.e_step(X, theta)
    figure = plotting.gmm_figure(X, theta, resp, **ranges)
    points = next(trace for trace in figure.data if str(trace.name).startswith("points"))
    assert list(points.marker.symbol) == [CLUSTER_SYMBOLS[j] for j in resp.argmax(axis=1)]

    figure = plotting.data_figure(X, data.labels)
    shapes = [trace.marker.symbol for trace in figure.data if trace.mode == "markers"]
    assert len(shapes) == len(set(data.labels)) and len(set(shapes)) == len(shapes)
