"""Everyone can read the stage (1280 × 720): its canvas says what it shows at every half-step,
the focus stays on a visible control after a step button disables itself, the focus ring
has at least 3:1 contrast, and every cluster's points have their own shape."""

from __future__ import annotations

import re

import pytest

from tests.conftest import instant, metric_text, wait_for_page

KMEANS = "/kmeans?dataset=blobs&n=300&seed=1&k=3&init=random&init_seed=0&step=0"
GMM = "/gmm?dataset=blobs&n=300&seed=1&k=3&init=random&init_seed=0&step=0"

# the element that has the focus, through the stage's shadow root (if it has one)
ACTIVE = """() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    if (!a) return null;
    const box = a.getBoundingClientRect();
    return { tag: a.tagName, text: (a.textContent || '').trim(), disabled: !!a.disabled,
             visible: box.width > 0 && box.height > 0 && getComputedStyle(a).visibility !== 'hidden',
             inStage: !!(a.closest && a.closest('.cl-stage')) };
}"""


def open_stage(page, url: str) -> None:
    page.goto(url)
    wait_for_page(page)
    page.locator(".cl-stage[data-ready='1']").wait_for(timeout=60_000)


def label(page, panel: int = 0) -> str:
    return page.locator(".cl-stage canvas.main").nth(panel).get_attribute("aria-label")


def number_after(text: str, name: str) -> float:
    match = re.search(re.escape(name) + r" = (−?-?[\d,]+(?:\.\d+)?)", text)
    assert match, (name, text)
    return float(match.group(1).replace(",", "").replace("−", "-"))


def settle_at(page, step: int) -> None:
    page.wait_for_function("([s]) => new URLSearchParams(location.search).get('step') === s",
                           arg=[str(step)], timeout=30_000)
    wait_for_page(page)


def test_the_canvas_says_what_it_shows_every_half_step(app_url, small_page):
    page = small_page
    open_stage(page, app_url + KMEANS)
    canvas = page.locator(".cl-stage canvas.main").first
    assert canvas.get_attribute("role") == "img"
    start = label(page)
    assert start.startswith("K-means, half-step 0 of ") and "300 points" in start and "not yet assigned" in start

    page.get_by_role("button", name="E step", exact=True).click()
    page.locator(".cl-stage[data-cursor='1']").wait_for()
    described = label(page)
    assert described.startswith("K-means, half-step 1 of ") and "after the E step of iteration 1" in described
    labels = page.locator(".cl-stage").evaluate("(el) => el.stageLabels(0)")
    counts = [labels.count(k) for k in range(3)]
    sizes = re.search(r"3 clusters of ([\d, ]+) points", described).group(1)
    assert [int(s) for s in sizes.split(", ")] == counts and sum(counts) == 300
    settle_at(page, 1)
    assert number_after(described, "J") == pytest.approx(float(metric_text(page, "J").replace(",", "")), rel=1e-4)

    page.get_by_role("button", name="M step", exact=True).click()
    page.locator(".cl-stage[data-cursor='2']").wait_for()
    assert label(page).startswith("K-means, half-step 2 of ") and label(page) != described
    page.keyboard.press("ArrowLeft")
    page.locator(".cl-stage[data-cursor='1']").wait_for()
    assert label(page) == described  # the keys move it too


def test_the_em_canvas_names_its_components_and_likelihood(app_url, small_page):
    page = small_page
    open_stage(page, app_url + GMM)
    page.get_by_role("button", name="E step", exact=True).click()
    settle_at(page, 1)
    described = label(page)
    assert described.startswith("EM, half-step 1 of ") and "3 components, most responsible for" in described
    assert "weights π = " in described
    shown = metric_text(page, "Log-likelihood").replace(",", "").replace("−", "-")
    assert number_after(described, "log-likelihood ℓ") == pytest.approx(float(shown), rel=1e-4)


def test_focus_stays_on_a_visible_control_after_a_step_button_disables_itself(app_url, small_page):
    page = small_page
    open_stage(page, app_url + KMEANS)
    page.get_by_role("button", name="E step", exact=True).click()
    page.wait_for_timeout(400)
    focus = page.evaluate(ACTIVE)
    assert focus["tag"] == "BUTTON" and focus["text"] == "M step", focus
    assert focus["visible"] and not focus["disabled"] and focus["inStage"]

    # from the keyboard: Enter on the focused M step, then on what has the focus next
    page.keyboard.press("Enter")
    page.locator(".cl-stage[data-cursor='2']").wait_for()
    page.wait_for_timeout(400)
    focus = page.evaluate(ACTIVE)
    assert focus["text"] == "E step" and not focus["disabled"] and focus["visible"], focus

    # Run to convergence ends with E step, M step and itself disabled: the focus goes on
    instant(page)
    page.get_by_role("button", name="Run to convergence", exact=True).click()
    page.wait_for_timeout(600)
    focus = page.evaluate(ACTIVE)
    assert focus["tag"] == "BUTTON" and not focus["disabled"] and focus["visible"] and focus["inStage"], focus


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b) -> float:
    high, low = sorted([relative_luminance(a), relative_luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb_of(css: str) -> tuple[int, int, int]:
    return tuple(int(v) for v in re.findall(r"[\d.]+", css)[:3])


def test_contrast_arithmetic():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0xe7, 0xba, 0x52), (255, 255, 255)) < 3  # the old ring


def test_the_focus_ring_has_at_least_3_to_1_contrast(app_url, small_page):
    page = small_page
    open_stage(page, app_url + KMEANS)
    button = page.locator(".cl-stage button", has_text="E step")
    button.focus()
    page.keyboard.press("Shift")  # a key press: the focus is shown as from the keyboard
    ring = button.evaluate("""b => { const s = getComputedStyle(b);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset,
                getComputedStyle(b.closest('.cl-stage')).backgroundColor,
                b.matches(':focus-visible')]; }""")
    style, width, colour, offset, background, visible = ring
    assert visible and style == "solid" and float(width.rstrip("px")) >= 2, ring
    behind = (255, 255, 255) if rgb_of(background) == (0, 0, 0) and "0)" in background else rgb_of(background)
    assert float(offset.rstrip("px")) > 0  # the ring stands on the page's white, apart from the button
    assert contrast(rgb_of(colour), behind) >= 3, ring


def test_each_cluster_has_its_own_shape_on_the_canvas(app_url, small_page):
    """Points of different clusters are drawn in different shapes: the ink of a lone point of
    cluster 1 (disk), 2 (square) and 3 (diamond) differs in at least 8 pixels."""
    page = small_page
    open_stage(page, app_url + KMEANS.replace("step=0", "step=1"))
    areas = page.locator(".cl-stage").evaluate("""(root) => {
        const labels = root.stageLabels(0);
        const canvas = root.querySelector('canvas.main');  // the stage's first panel
        const ctx = canvas.getContext('2d');
        const dpr = window.devicePixelRatio || 1;
        const box = canvas.getBoundingClientRect();
        const out = {};
        const xy = root.__stage.points.xy;
        for (let i = 0; i < labels.length; i++) {
            const k = labels[i];
            if (out[k] !== undefined) continue;
            // a point with no other point within 14 px: its ink alone
            const [px, py] = root.stagePixel(0, xy[2 * i], xy[2 * i + 1]);
            // and away from every centroid and its name
            let alone = root.__stage.panels[0].centres(1).every(
                (c) => Math.hypot(root.stagePixel(0, c[0], c[1])[0] - px, root.stagePixel(0, c[0], c[1])[1] - py) > 40);
            for (let j = 0; j < labels.length && alone; j++) {
                if (j === i) continue;
                const [qx, qy] = root.stagePixel(0, xy[2 * j], xy[2 * j + 1]);
                if (Math.hypot(qx - px, qy - py) < 14) alone = false;
            }
            if (!alone) continue;
            // its ink (at most 1.45 radii from its centre; any other point's starts beyond 7 px)
            const w = Math.round(14 * dpr);
            const x0 = Math.round((px - box.left - 7) * dpr), y0 = Math.round((py - box.top - 7) * dpr);
            const data = ctx.getImageData(x0, y0, w, w).data;
            const ink = [];
            for (let q = 0; q < data.length; q += 4) {
                if (data[q] + data[q + 1] + data[q + 2] < 600) ink.push([(q / 4) % w, Math.floor(q / 4 / w)]);
            }
            out[k] = ink;
        }
        return out;
    }""")
    assert len(areas) == 3, areas

    def centred(ink):  # the ink's pixels about their mean, as a set
        cx = round(sum(x for x, _ in ink) / len(ink))
        cy = round(sum(y for _, y in ink) / len(ink))
        return {(x - cx, y - cy) for x, y in ink}

    shapes = {k: centred(ink) for k, ink in areas.items()}
    for a, b in [("0", "1"), ("0", "2"), ("1", "2")]:
        assert len(shapes[a] ^ shapes[b]) >= 8, f"clusters {a} and {b} drawn alike: {sorted(shapes[a])}"
