"""Compress a photo: K-means in colour space chooses a palette, one half-step at a time.

A thin page: read the link, the photo and the set-up, make or read the run, derive once, draw.
The panels live in clustering/ui/compress_panels.py.
"""

import streamlit as st

from clustering.ui import compress_panels as panels
from clustering.ui import layout, state

PAGE = panels.PAGE

# Not layout.page_setup: its sidebar names the 2-D data set of the other pages, which this page
# does not use; the router check is all it needs of it.
layout._through_the_router()
panels.read_url()  # first: its plain messages about a bad link show in this very run
setup = panels.sidebar()
photo = panels.current_photo()
st.title("Compress a photo with K-means")
st.caption("Vector quantization, the lecture's first use of clustering: every pixel is a point in "
           "RGB space, K-means finds K colours, and every pixel keeps only the index of its colour.")
for level, text in state.pop_messages(PAGE):
    getattr(st, level if level in ("info", "warning", "error", "success") else "info")(text)
panels.notes(photo)

top = st.container()  # the buttons: filled once the run is there
left, middle, right = st.columns([4, 4, 2.2], gap="medium")
with left:
    panels.original(photo)  # sent first: the photo is on screen while K-means starts
run = panels.ensure_run(photo, setup)
if run is None:
    panels.write_url(photo, setup, None)
    st.stop()
view = panels.step_view(photo, run)
with top:
    panels.controls(run)
with middle:
    panels.quantized(run, view)
with right:
    panels.metrics(photo, run, view)
panels.palette(run, view, photo.n)
left, right = st.columns([3, 2], gap="medium")
with left:
    panels.objective_chart(run, panels.objective_curve(photo, run), photo.n)
with right:
    panels.formulas(photo, run.k)
panels.scatter(photo, run, view)
panels.write_url(photo, setup, run)
