"""Every constant of Clustering Lab has its home here (limits, defaults, colours).

Pure data: importing this module pulls in nothing but the standard library.
"""

# --- limits -----------------------------------------------------------------
MAX_POINTS = 1_000_000  # the most points a data set (generated or uploaded) may have
MAX_FILE_BYTES = 50 * 1024 * 1024  # the largest file read_points accepts (50 MB)
MAX_K_KMEANS = 20  # the K-means page offers K from 1 to 20
MAX_K_GMM = 10  # the GMM page offers K from 1 to 10
MAX_ITER = 300  # iteration cap of "Run to convergence"

# --- defaults ---------------------------------------------------------------
DEFAULT_SEED = 0
DEFAULT_DATASET = "mouse"
DEFAULT_REG_COVAR = 1e-6
DEFAULT_EM_TOL = 1e-4  # EM stops when the total log-likelihood rises by less than this
DEFAULT_RESTARTS = 20

# --- colours ----------------------------------------------------------------
# One fixed colour per cluster / component, used by every figure and by the theme in
# .streamlit/config.toml (chartCategoricalColors). 20 entries: K-means allows K up to 20.
CLUSTER_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
    "#393b79", "#e7ba52", "#637939", "#ad494a", "#7b4173",
    "#3182bd", "#fd8d3c", "#31a354", "#756bb1", "#636363",
)
UNASSIGNED_COLOUR = "#b0b0b0"  # points before the first E step
