"""Every constant of Clustering Lab has its home here (limits, defaults, colours).

Pure data: importing this module pulls in nothing but the standard library.
"""

# --- limits -----------------------------------------------------------------
MAX_POINTS = 1_000_000  # the most points a data set (generated or uploaded) may have
MAX_FILE_BYTES = 50 * 1024 * 1024  # the largest file read_points accepts (50 MB)
MAX_K_KMEANS = 20  # the K-means page offers K from 1 to 20
MAX_K_GMM = 10  # the GMM page offers K from 1 to 10
MAX_ITER = 300  # iteration cap of "Run to convergence"
MAX_LABEL_CLASSES = 20  # an uploaded text column with more distinct values is not used as labels
MAX_LABEL_CHARS = 40  # longer label texts in an uploaded file are shortened to this many characters
# A public server (scripts/serve.sh): sessions one Streamlit process admits at once (the next
# one gets "the class is full"; overridden by the CLUSTERING_LAB_MAX_SESSIONS environment
# variable), and the most half-steps a run's history keeps (one session's memory stays bounded).
MAX_SESSIONS_PER_PROCESS = 60
MAX_HISTORY = 2_000

MAX_SEED = 2**32 - 1  # the largest seed a page or a link accepts (numpy takes any; pages cap it)

# --- defaults ---------------------------------------------------------------
DEFAULT_SEED = 0
DEFAULT_DATASET = "mouse"
DEFAULT_REG_COVAR = 1e-6
DEFAULT_EM_TOL = 1e-4  # EM stops when the total log-likelihood rises by less than this
DEFAULT_RESTARTS = 20

# --- figures ----------------------------------------------------------------
AXIS_MARGIN = 0.08  # geometry.axis_ranges pads the data by this fraction of its larger span
# With equal axis scales, data whose one coordinate spreads more than this many times the
# other's (standard deviations) is drawn as a line: the stepping pages offer "Standardize"
STANDARDIZE_OFFER_RATIO = 10.0

# How long a stepping page's first run waits after mounting the stage, once per visit to the
# page, before drawing the rest: the browser then draws the figure on its own instead of after
# the whole page (the stage's script runs in an effect that React runs only once everything
# sent with it is rendered: metrics, KaTeX formulas, tables). The session's first page waits
# longer: that browser has just loaded Streamlit and may still be fetching the scripts of the
# page's elements. Measured (bench/bench_stage.py, warm server, to the stage's first frame):
# in-app navigation /gmm 1.29 -> 0.62 s, /kmeans 0.76 -> 0.46 s; a fresh browser /gmm
# 3.0-3.8 -> 2.3 s, /kmeans 2.6-3.1 -> 2.1 s.
STAGE_FIRST_FRAME_PAUSE_S = 0.4
STAGE_FIRST_FRAME_PAUSE_NEW_SESSION_S = 0.9

# --- colours ----------------------------------------------------------------
# One fixed colour per cluster / component, used by every figure and by the theme in
# .streamlit/config.toml (chartCategoricalColors). 20 entries: K-means allows K up to 20.
# The first 8 stay apart for people with a colour-vision deficiency: every pair among the first
# K <= 8 is at least CVD_MIN_DELTA_E00 apart in CIEDE2000 in normal vision and under simulated
# protanopia, deuteranopia and tritanopia (Machado et al. 2009, severity 1; held by
# tests/test_palette.py; Tableau-10 had orange and green 1.3 apart under protanopia). Each
# cluster also has its own marker shape (CLUSTER_SYMBOLS): colour is never the only cue.
CLUSTER_COLOURS = (
    "#0078b4", "#ff960f", "#782d00", "#3cc3ff", "#d21e5a", "#2d0fd2", "#a57800", "#692d69",
    "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
    "#7f7f7f", "#393b79", "#e7ba52", "#637939", "#ad494a", "#7b4173",
)
CVD_MIN_DELTA_E00 = 12.0
# One marker shape per cluster (Plotly symbol names; the stage draws the same shapes), repeated
# after 8. A cluster's points and its legend entry carry its shape as well as its colour.
CLUSTER_SYMBOLS = (
    "circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "star", "hexagon",
)
UNASSIGNED_COLOUR = "#b0b0b0"  # points before the first E step

# --- K-means ----------------------------------------------------------------
KMEANS_INIT_METHODS = ("random", "random-partition", "kmeans++", "farthest")  # menu order
DEFAULT_KMEANS_INIT = "kmeans++"
KMEANS_BLOCK_POINTS = 2**14  # kmeans.assign and update work on this many points at a time
# A power-of-two scale 2**e with |e| up to this is exact in float64 (the normal range ends at 2**1023)
FLOAT_EXPONENT_LIMIT = 1022

# --- Gaussian mixtures ------------------------------------------------------
GMM_INIT_METHODS = ("kmeans", "random")  # menu order of gmm.init_params
GMM_COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")  # as in scikit-learn
GMM_INIT_KMEANS_MAX_ITER = 300  # cap on the K-means run behind gmm.init_params("kmeans")
# A component whose total responsibility N_k = sum_n gamma_nk is at most this many points is
# empty: its mean and covariance are undefined and m_step raises EmptyComponentError.
GMM_EMPTY_COMPONENT_MASS = 1e-12
# A covariance whose smallest eigenvalue is at most this fraction of its largest is singular
# to float64 precision (rounding alone leaves ~1e-16): m_step raises CollapseError ("raise
# reg_covar") instead of going on.
GMM_COLLAPSE_RTOL = 1e-13
# The data covariance's ridge when reg_covar is too small for the data: this many times
# GMM_COLLAPSE_RTOL times the largest variance (gmm.data_covariance)
GMM_RIDGE_FACTOR = 1e3
GMM_BLOCK_POINTS = 2**14  # gmm works on this many points at a time (memory: about 2 K D x this)
# ℓ and 𝓛 are sums over N points: a difference below this fraction of |ℓ| is rounding, and the
# gap ℓ − 𝓛 shows as 0 (derived.GMMView.gap)
BOUND_ROUNDING_RTOL = 1e-12

# --- how many clusters? (clustering.selection and its panels) ---------------------
SELECTION_MAX_K = 10  # the curves go from K = 1 to this (fewer when the data have fewer points)
SELECTION_RESTARTS = 10  # the elbow: the best J of this many k-means++ restarts per K
SELECTION_GMM_SEEDS = 3  # BIC / AIC: EM from this many K-means starts per K, the best ℓ kept
# ... each EM run stopping when an iteration raises ℓ by less than this much per point
# (scikit-learn's default tol): ten K by three seeds in a few seconds at N = 1,000, where the
# pages' tighter 1e-4 in total often runs all 300 iterations, for a BIC that moves by < 1.
SELECTION_EM_TOL_PER_POINT = 1e-3
SILHOUETTE_MAX_POINTS = 3_000  # above this many points the silhouette uses a sample of this size
SILHOUETTE_SEED = 0  # the seed of that sample (same data, same sample, same number)

# --- the generative model and the exact 1-D optimum ------------------------------
GENERATIVE_MAX_POINTS = 100_000  # the most points the Generative model page samples
GENERATIVE_DEFAULT_POINTS = 500
EXACT_1D_MAX_POINTS = 2_000  # the exact optimum costs O(K N²): a larger column is sampled
EXACT_1D_MAX_K = 10

# --- photos (the Compress a photo page, clustering.images) ------------------------
PHOTO_MAX_PIXELS = 1_000_000  # the page's working size: a larger photo is scaled down to this
PHOTO_MAX_SOURCE_PIXELS = 40_000_000  # a file claiming more pixels is refused before decoding
PHOTO_MAX_FILE_BYTES = 20 * 1024 * 1024  # the largest photo file read (20 MB)
PHOTO_MAX_K = 64  # the page offers K from 2 to 64
PHOTO_MIN_K = 2
PHOTO_DEFAULT_K = 16
PHOTO_BITS_PER_COLOUR = 24  # an uncompressed pixel, and one palette entry: 8 bits each of R, G, B
PHOTO_MAX_ITER = 50  # iteration cap of one "Run to convergence" click on a photo (click again to go on)
PHOTO_SCATTER_POINTS = 3_000  # pixels drawn in the 3-D RGB scatter (a fixed random sample)

# --- pages, files and tolerances (moved here from the modules that use them) ---
DEFAULT_K = 3  # the K a page starts with (K-means, GMM, Compare)
MAX_RESTARTS = 200  # the most restarts "Best of n restarts" offers
LINK_MAX_STEP = 2 * MAX_ITER + 1  # the last half-step a K-means or Compare link may name
DENSE_FACTOR_CELLS = 4_000_000  # build the N x K indicator matrix Z only up to this many cells
LIMIT_CACHE_SIZE = 12  # σ-limit runs kept per session on the Compare page
GMM_START_CACHE_SIZE = 8  # GMM starts θ₀ kept per session (a few set-ups, not every one ever tried)
SELECTION_CACHE_SIZE = 4  # "How many clusters?" curves kept per page (the most recent settings)
PHOTO_RUN_CACHE_SIZE = 6  # runs kept on the Compress a photo page, one per (photo, K, init, seed)
PHOTO_VIEW_CACHE_SIZE = 8  # half-steps whose labels and quantized photo are kept (Compress a photo)
LIMIT_MAX_POINTS = 20_000  # the σ-limit runs on a fixed sample of a larger data set
DEFAULT_SIGMA_EXPONENT = 0.0  # σ = spread x 10**exponent on the Compare page
TABLE_ROWS = 5_000  # the Data page table shows this many rows; the download holds them all
BOUND_WINDOW = 8  # half-steps in view when the bound chart is zoomed in
COLLAPSE_COPIES = 6  # copies of each point in the collapse example (datasets "collapse")
MEMO_ENTRIES = 2_000  # derived numbers kept per page by state.memo
ANISOTROPIC_SEED = 23  # a draw whose stretched blobs K-means cuts across from every start
PRESET_SEARCH_POINTS = 20_000  # the search for a start that stays bad runs on at most this many points
IO_SAMPLE_CHARS = 65_536  # how much of a file decides delimiter, header and column kinds
IO_SAMPLE_ROWS = 200  # how many rows of a file decide the column kinds
GENERATIVE_WEIGHT_TOLERANCE = 1e-9  # weights adding up to 1 within this are taken as they are
GENERATIVE_MAX_ABS_VALUE = 1e6  # means and standard deviations beyond this are refused (plotting, overflow)
GENERATIVE_MIN_SIGMA = 1e-6  # smaller standard deviations make Σ numerically singular
ELLIPSE_EIGEN_RTOL = 1e-12  # eigenvalues this far below 0 (relative to the largest) count as 0
VERTICAL_DEGREES = 1e-9  # an ellipse axis this close to ±90° is vertical (rounding)
GMM_WEIGHTS_ATOL = 1e-8  # how far the weights may sum from 1 (the drift is then renormalised)
GMM_SYMMETRY_RTOL = 1e-8  # how far a covariance may be from symmetric (it is then symmetrised)
GMM_RESP_ROW_ATOL = 1e-6  # how far a row of q may sum from 1 in lower_bound
GMM_RESP_TOTAL_RTOL = 1e-6  # how far sum_nk resp_nk may be from N in m_step
GMM_HELD_FRACTION = 1e-6  # a point is "held" by a component if gamma_nk >= this x max_n gamma_nk
MOUSE_NOISE_DENSITY = 50.0  # ELKI's density for the mouse's uniform noise, so noise scores 50 x 10 = 500
GMM_MAX_STEP = 4 * MAX_ITER  # the last half-step a GMM link may name

# --- edited data sets (points added or removed by hand on the stage) ---------
MAX_LINK_EDITS = 60  # a link carries at most this many edits; beyond, the page offers the CSV
MAX_EDITS_TEXT = 4_000  # the longest "edits" a link may hold (characters)
EDIT_DIGITS = 6  # an added point's coordinates keep this many significant digits (link = screen)
EDIT_MAX_ABS = 1e12  # an added coordinate's largest magnitude
