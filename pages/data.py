"""Data: choose the points every page works on (a generator or your own file), and look at them.

Every change applies at once: the new points become the active data set for every page and
the link in the address bar is updated, so it can be shared.
"""

import streamlit as st

from clustering import datasets, plotting
from clustering.constants import MAX_POINTS, MAX_SEED, TABLE_ROWS
from clustering.ui import data_controls as controls
from clustering.ui.figures import show_figure
from clustering.ui.layout import page_setup, write_url

active = page_setup("data")
controls.sync_widgets(active)
key = controls.key

st.title("Data")
st.markdown("Choose the points that **every page** works on. Each change applies at once.")

settings, preview = st.columns([2, 3], gap="large")

with settings:
    source = st.radio("Points from", controls.SOURCES, key=key(controls.SOURCE),
                      on_change=controls.on_source, horizontal=True)
    if source == controls.SOURCE_GENERATOR:
        name = st.selectbox("Data set", datasets.NAMES, format_func=datasets.TITLES.get,
                            key=key(controls.NAME), on_change=controls.on_generator)
        st.markdown(datasets.DESCRIPTIONS[name])
        if name in datasets.FIXED:
            st.caption("Real measurements: N and the seed do not apply.")
        else:
            size, seed = st.columns(2)
            size.number_input("N, the number of points", min_value=2, max_value=MAX_POINTS,
                              step=100, key=key(controls.N), on_change=controls.on_parameter)
            seed.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1,
                              key=key(controls.SEED), on_change=controls.on_parameter,
                              help="The same seed always gives the same points.")
        for option in datasets.OPTIONS[name]:
            st.slider(option.label, min_value=option.min, max_value=option.max,
                      step=option.step, help=option.help or None,
                      key=key(controls.option_name(name, option.name)),
                      on_change=controls.on_parameter)
    elif source == controls.SOURCE_FILE:
        st.file_uploader(
            "Upload a CSV or TSV file, one point per row", type=controls.UPLOAD_TYPES,
            key=key(controls.uploader_name()), on_change=controls.on_upload,
            help="Comma, semicolon, tab or space separated, with or without a header row; "
                 "decimal commas and thousands marks are read per column. The first two "
                 "columns of numbers are the points; a column of text colours them.",
        )
        upload = controls.uploaded()
        if upload is not None and upload.in_use and len(upload.numeric) > 2:
            st.markdown(f"The file has {len(upload.numeric)} columns of numbers: "
                        "choose the two to cluster.")
            column_x, column_y = st.columns(2)
            column_x.selectbox("First coordinate, x₁", upload.numeric,
                               key=key(controls.COLUMN_X), on_change=controls.on_columns,
                               args=(controls.COLUMN_X,))
            column_y.selectbox("Second coordinate, x₂", upload.numeric,
                               key=key(controls.COLUMN_Y), on_change=controls.on_columns,
                               args=(controls.COLUMN_Y,))
        if active.spec.name == "upload":
            st.text(f"In use: {active.spec.source_name}")  # a file name is data: plain text
        else:
            st.info("Until a file is read, the active data set stays the one on the right.")
        if upload is not None and upload.reading is not None:
            if not upload.in_use:
                st.warning(f"Not in use: {controls.plain(upload.name)} could not be read as it is "
                           "read now. Change how it is read below.")
            with st.expander(f"How to read this file: {controls.plain(upload.name)}",
                             expanded=not upload.in_use):
                controls.reading_widgets(upload)
    else:
        st.info("The active points were sampled on another page. Choose where new points "
                "come from to replace them.")

    st.toggle("Standardize (z-score)", key=key(controls.STANDARDIZE),
              on_change=controls.on_standardize)
    st.markdown(
        "K-means measures plain Euclidean distance, so a coordinate with a larger spread "
        "counts for more; standardizing gives each coordinate mean 0 and standard deviation 1, "
        "so both count equally."
    )

with preview:
    dataset = active.dataset
    x_name, y_name = controls.axis_names(active)
    texts = controls.label_texts(dataset)
    figure = plotting.data_figure(active.X, texts, axis_titles=(x_name, y_name), height=620)
    groups = "" if texts is None else f", coloured by {len(set(texts.tolist()))} known groups"
    show_figure(figure, f"Data set {active.spec.label()}: scatter plot of N = {active.n:,} points, "
                        f"{x_name} against {y_name}{groups}.",
                config=plotting.PLOT_CONFIG, key="data.preview")
    note = plotting.sample_note(active.n)
    if note:
        st.caption(note)
    is_file = active.spec.name == "upload"
    counts = st.columns(2)
    counts[0].metric("N, points", f"{active.n:,}")
    if is_file:
        counts[1].metric("Rows dropped", f"{dataset.dropped:,}",
                         help="Rows left out: a missing, non-numeric or infinite value in either "
                              "coordinate, or more fields than the other rows. The text below "
                              "gives their lines.")
    x_range, y_range = controls.ranges(active.X)
    st.markdown(f"**Ranges:** {controls.plain(x_name)} from {x_range}; "
                f"{controls.plain(y_name)} from {y_range}.")
    if is_file:
        st.text(dataset.description)  # names a file's columns: data, shown as typed
        upload = controls.uploaded()
        if upload is not None and upload.in_use and upload.name == active.spec.source_name:
            controls.reading_summary(upload.reading, dataset.columns)

st.header("The points")
shown = controls.table(active, rows=TABLE_ROWS)
st.dataframe(shown.rename_axis("point"), height=280, width="stretch")  # a named index column (screen readers)
if active.n > len(shown):
    st.caption(f"The table shows the first {len(shown):,} of {active.n:,} points; "
               "the download holds them all.")
st.download_button(  # the file is written only when the button is clicked
    "Download the active data (CSV)", data=lambda: controls.csv_bytes(controls.table(active)),
    file_name=controls.download_name(active), mime="text/csv", icon="⬇️",
    on_click="ignore",
)

write_url(active)
