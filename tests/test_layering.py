"""The mathematics imports no UI: a notebook can use clustering without Streamlit or Plotly."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_LAYERS = ("plotting", "ui")  # figures and Streamlit glue; everything else in clustering/ is core


def core_modules() -> list[str]:
    """Every module and package of clustering/ that is not a figure or UI layer, found on disk."""
    found = sorted(
        info.name for info in pkgutil.iter_modules([str(ROOT / "clustering")])
        if info.name not in UI_LAYERS
    )
    assert {"kmeans", "gmm", "stepper", "derived", "_kernels"} <= set(found), found
    return found


CORE = core_modules()


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
