"""axe-core finds no accessibility violation on any page of the app (1280 × 720, sidebar open).

axe-core comes from the npm registry: scripts/test.sh installs it outside the clone and names
its axe.min.js in AXE_CORE_JS. Every page of the README's page table (the hidden /home
included) is opened in Chromium, axe.min.js is injected with Playwright, and axe.run()'s
violations fail the test, printed one per line with the elements they concern.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, no_exception, wait_for_page

AXE_VERSION = "4.11.0"  # scripts/test.sh installs this version
AXE_JS = Path(os.environ.get("AXE_CORE_JS")
              or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
              / "clustering-lab" / f"axe-{AXE_VERSION}" / "node_modules" / "axe-core" / "axe.min.js")


def readme_paths() -> list[str]:
    """The paths of the README's page table, in its order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## The pages"):]
    section = section[:section.index("\n\n", section.index("| --- |"))]
    return re.findall(r"^\| [^|]+ \| `(/[\w-]*)` \|", section, flags=re.MULTILINE)


PATHS = readme_paths()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing ({AXE_JS}): run the tests with scripts/test.sh, which "
                    f"installs axe-core {AXE_VERSION} from the npm registry, or set AXE_CORE_JS.")
    return AXE_JS.read_text(encoding="utf-8")


def violations(page, axe_source: str) -> list[dict]:
    """axe.run()'s violations on the page as it is now (WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({ target: JSON.stringify(n.target),
                                        summary: (n.failureSummary || '').replace(/\\s+/g, ' ') })) }));
    }""")


def readable(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:6]:
            lines.append(f"    {node['target']}: {node['summary'][:300]}")
        if len(violation["nodes"]) > 6:
            lines.append(f"    ... and {len(violation['nodes']) - 6} more")
    return "\n".join(lines)


def settle(page) -> None:
    wait_for_page(page)
    if page.locator(".cl-stage").count():
        page.locator(".cl-stage[data-ready='1']").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # Plotly and KaTeX finish drawing


def test_the_page_table_names_every_page():
    assert PATHS[0] == "/home" and "/kmeans" in PATHS and "/exact-1d" in PATHS
    assert len(PATHS) == 9, PATHS


@pytest.mark.parametrize("path", PATHS)
def test_no_axe_violation(app_url, small_page, axe_source, path):
    small_page.goto(app_url + path)
    settle(small_page)
    no_exception(small_page)
    found = violations(small_page, axe_source)
    assert not found, f"axe-core on {path}:\n{readable(found)}"


def test_no_axe_violation_while_stepping(app_url, small_page, axe_source):
    """The stage after a few half-steps (rings, trails, the status), the Standardize offer, and
    the Data page's upload."""
    small_page.goto(app_url + "/kmeans?dataset=blobs&n=300&seed=1&k=4&init=random&init_seed=0&step=3")
    settle(small_page)
    small_page.get_by_role("button", name="M step", exact=True).click()
    small_page.wait_for_timeout(800)
    found = violations(small_page, axe_source)
    assert not found, f"axe-core on /kmeans after a step:\n{readable(found)}"

    small_page.goto(app_url + "/gmm?dataset=old-faithful&k=2")  # with the Standardize offer
    settle(small_page)
    small_page.get_by_role("button", name="Standardize", exact=True).wait_for()
    found = violations(small_page, axe_source)
    assert not found, f"axe-core on /gmm with the Standardize offer:\n{readable(found)}"

    small_page.goto(app_url + "/data")
    settle(small_page)
    small_page.get_by_text("your own file (CSV or TSV)", exact=True).click()
    wait_for_page(small_page)
    small_page.locator("[data-testid='stFileUploaderDropzone']").wait_for(timeout=30_000)
    small_page.wait_for_timeout(800)
    found = violations(small_page, axe_source)
    assert not found, f"axe-core on /data with the upload:\n{readable(found)}"


def test_axe_finds_a_violation_when_there_is_one(app_url, small_page, axe_source):
    """The check can fail: an image without a text alternative added to a page is reported."""
    small_page.goto(app_url + "/home")
    settle(small_page)
    small_page.evaluate("""() => { const img = document.createElement('img');
        img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw='; document.querySelector('h1').after(img); }""")
    found = violations(small_page, axe_source)
    assert "image-alt" in [violation["id"] for violation in found], readable(found)


def luminance(rgb) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("path", ["/kmeans", "/compress"])
def test_captions_have_4_5_to_1_contrast(app_url, small_page, path):
    """Captions are drawn at a reduced opacity over the sidebar's grey: axe-core reports their
    contrast as "cannot tell" (the background is hidden under layers), so it is computed here:
    the caption colour at its opacity over the first opaque background behind it."""
    small_page.goto(app_url + path)
    settle(small_page)
    captions = small_page.evaluate(r"""() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .filter(c => c.offsetParent !== null).map(c => {
            const rgba = (s) => (s.match(/[\d.]+/g) || []).map(Number);
            let node = c, opacity = 1, back = null;
            while (node && node.nodeType === 1) {
                const style = getComputedStyle(node);
                opacity *= Number(style.opacity);
                const b = rgba(style.backgroundColor);
                if (!back && b.length >= 3 && (b.length === 3 || b[3] === 1)) back = b.slice(0, 3);
                node = node.parentElement;
            }
            return { text: c.innerText.slice(0, 40), colour: rgba(getComputedStyle(c).color).slice(0, 3),
                     opacity, back: back || [255, 255, 255] };
        })""")
    assert captions, f"no caption on {path}"
    for caption in captions:
        seen = [caption["opacity"] * c + (1 - caption["opacity"]) * b
                for c, b in zip(caption["colour"], caption["back"], strict=True)]
        high, low = sorted([luminance(seen), luminance(caption["back"])], reverse=True)
        ratio = (high + 0.05) / (low + 0.05)
        assert ratio >= 4.5, f"{path}: caption {caption['text']!r} at {ratio:.2f}:1 ({caption})"
