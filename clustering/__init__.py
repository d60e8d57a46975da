"""Clustering Lab: K-means and Gaussian mixtures, one half-step at a time.

The mathematical modules (kmeans, gmm, exact1d, datasets, io, stepper, derived, geometry)
use numpy, scipy and pandas only. Figures live in ``clustering.plotting`` (Plotly) and the
Streamlit glue in ``clustering.ui``; neither is imported here, so a notebook can do
``from clustering import kmeans, gmm`` without Streamlit or Plotly.
"""

__version__ = "0.1.0"
