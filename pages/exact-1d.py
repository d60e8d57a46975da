"""The exact 1-D optimum: Lloyd's algorithm from a chosen start next to the DP global optimum.

A thin page: read the line, K and the start, compute both answers, draw. The panels live in
clustering/ui/exact1d_panels.py, the mathematics in clustering/lloyd1d.py and clustering/exact1d.py.
"""

import streamlit as st

from clustering.ui import exact1d_panels as panels
from clustering.ui import layout

active = layout.page_setup(panels.PAGE, own_data=panels.OWN_DATA)
st.title("Exact 1-D optimum: Lloyd vs. the global minimum")
panels.read_url()
line, k, start, seed, typed = panels.controls(active)
st.caption(line.lesson)

result = panels.answers(line, k, start, seed, typed)
if result is not None and not panels.revealed():  # a lesson: predict, then reveal
    panels.lloyd_only(result)
    panels.figure(line, result, with_optimum=False)
    panels.notes(result)
elif result is not None:
    panels.metrics(result)
    panels.verdict(result)
    panels.figure(line, result)
    panels.notes(result)
panels.why()

layout.write_url(active, panels.current_setup(k, start, seed, typed).to_query())
