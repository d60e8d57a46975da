"""The mathematics imports no UI: a notebook can use clustering without Streamlit or Plotly."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ["kmeans", "gmm", "exact1d", "datasets", "io", "stepper", "derived", "geometry", "selection",
        "generative", "compare", "softkmeans", "presets", "restarts", "voronoi", "lloyd1d"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_neither_streamlit_nor_plotly(module):
    code = (
        f"import sys, clustering.{module}\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly'))\n"
        "print(','.join(ui))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "", f"clustering.{module} pulls in {result.stdout.strip()}"


def test_the_two_modules_of_the_issue_together():
    code = "import sys, clustering.kmeans, clustering.gmm; print('streamlit' in sys.modules, 'plotly' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False False"
