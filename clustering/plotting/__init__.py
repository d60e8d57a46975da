"""Every figure of Clustering Lab, one module per figure family. Plotly only: functions take arrays and return go.Figure.

Nothing here fits or steps anything; the pages derive the numbers (clustering.derived) and
hand them over. Conventions shared by every figure:
- one fixed colour per cluster / component (``constants.CLUSTER_COLOURS``), the same in every
  figure and in the theme;
- equal axis scale and axis ranges fixed from the data, so nothing jumps between half-steps;
- large markers and fonts (readable on a projector), a legend that says what each symbol is;
- SVG up to ``WEBGL_THRESHOLD`` drawn points, WebGL above it, and at most ``MAX_DRAWN_POINTS``
  drawn (a fixed random sample beyond that, and the figure says so);
- Plotly's empty template (``TEMPLATE``): every style is set here, and the browser does not
  have to merge Plotly's large default template into every figure it draws.

Why SVG for few points: ``st.plotly_chart`` draws a changed figure into a new graph div (and
then draws it once more, as it re-applies its theme), and a new WebGL context costs headless
Chromium about 0.4 s whatever the number of points, where SVG costs about 0.1 ms a point in each
of the two draws (measured by bench_figures.py, since removed). The K-means and GMM figures take
``webgl=True`` on their pages: there ``clustering.ui.plotly_view`` redraws one graph div in
place, its WebGL context is made once, and WebGL is then the quicker at any N (K-means page at
N = 1,000: 479 against 586 ms from click to redrawn).

Modules: ``style``, ``data``, ``gmm``, ``kmeans``, ``charts``, ``compare``. Every public name is re-exported here, so
``from clustering import plotting; plotting.kmeans_figure(...)`` keeps working.
"""

from clustering.geometry import (
    axis_ranges,  # the one home of axis ranges; re-exported for the pages
)
from clustering.plotting.charts import (
    bound_figure,
    objective_figure,
    responsibility_bars,
    responsibility_bars_html,
    restarts_figure,
)
from clustering.plotting.compare import (
    COMPARE_AXIS_SPACE,
    COMPARE_HEIGHT,
    COMPARE_LEGEND_SPACE,
    side_by_side,
    sigma_limit_figure,
)
from clustering.plotting.data import (
    DATA_COLOUR,
    LINE_JITTER,
    LINE_ROW_HEIGHT,
    data_figure,
    number_line_figure,
    plain_text,
)
from clustering.plotting.gmm import (
    DENSITY_COLOUR,
    ELLIPSE_WIDTH,
    GHOST_ALPHA,
    density_dict,
    ellipse_dicts,
    generative_figure,
    gmm_figure,
    means_dict,
    responsibility_colours,
    set_point_colours,
    sigma_mass,
    storyboard_figure,
)
from clustering.plotting.kmeans import (
    kmeans_figure,
    placement_figure,
)
from clustering.plotting.style import (
    CENTROID_SIZE,
    CLICK_GRID_SIZE,
    E_STEP_COLOUR,
    FIGURE_HEIGHT,
    FONT_SIZE,
    GAMMA_HOVER_POINTS,
    M_STEP_COLOUR,
    MAX_DRAWN_POINTS,
    OUTLINE_COLOUR,
    PLOT_CONFIG,
    RING_COLOUR,
    SAMPLE_SEED,
    TEMPLATE,
    WEBGL_THRESHOLD,
    assembled,
    base_figure,
    base_layout,
    centroid_labels,
    centroid_trace,
    click_grid_trace,
    cluster_colourscale,
    colour,
    drawn_indices,
    hex_to_rgb,
    legend_entry,
    new_figure,
    point_marker_size,
    points_trace,
    rgba,
    sample_note,
    scatter_type,
    symbol,
    symbols,
)

__all__ = ["axis_ranges", "RING_COLOUR", "WEBGL_THRESHOLD", "TEMPLATE", "MAX_DRAWN_POINTS", "FONT_SIZE", "CENTROID_SIZE", "FIGURE_HEIGHT", "SAMPLE_SEED", "GAMMA_HOVER_POINTS", "PLOT_CONFIG", "colour", "symbol", "symbols", "hex_to_rgb", "rgba", "scatter_type", "new_figure", "assembled", "drawn_indices", "sample_note", "base_layout", "base_figure", "points_trace", "CLICK_GRID_SIZE", "OUTLINE_COLOUR", "E_STEP_COLOUR", "M_STEP_COLOUR", "point_marker_size", "cluster_colourscale", "click_grid_trace", "legend_entry", "centroid_labels", "centroid_trace", "DATA_COLOUR", "plain_text", "data_figure", "LINE_ROW_HEIGHT", "LINE_JITTER", "number_line_figure", "ELLIPSE_WIDTH", "GHOST_ALPHA", "DENSITY_COLOUR", "sigma_mass", "responsibility_colours", "set_point_colours", "ellipse_dicts", "means_dict", "density_dict", "gmm_figure", "storyboard_figure", "generative_figure", "kmeans_figure", "placement_figure", "bound_figure", "responsibility_bars", "responsibility_bars_html", "objective_figure", "restarts_figure", "COMPARE_HEIGHT", "COMPARE_LEGEND_SPACE", "COMPARE_AXIS_SPACE", "side_by_side", "sigma_limit_figure"]
