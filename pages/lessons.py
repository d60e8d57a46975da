"""Lessons: one click loads the data, K and the start of a classic example and opens its page.

A thin page: the lessons, their words and what each one sets live in clustering/ui/lessons.py.
"""

import streamlit as st

from clustering.ui import layout
from clustering.ui import lessons as panels

active = layout.page_setup(panels.PAGE)  # first: the router's one-time rerun happens here,
panels.follow()  # not on the page a just-opened lesson switches to
st.title("Lessons")
st.markdown(
    "Each lesson loads a data set, K and a start, and opens the page that shows it. **Read the "
    "question and make a prediction before you step**; then step, and open “What you should "
    "see” to check."
)
panels.cards()
layout.write_url(active)
