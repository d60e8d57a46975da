"""Home: what the app teaches, in three sentences, and where to go."""

import streamlit as st

from clustering.ui.layout import page_setup

page_setup("home")
st.title("Clustering Lab")
st.markdown(
    "Clustering Lab lets you run **K-means** and **EM for Gaussian mixtures** one half-step at a "
    "time: assign the points (E step), then move the centres (M step), and watch the objective "
    "J fall or the log-likelihood rise after every click.\n\n"
    "It shows *why* the algorithms do what they do: why J can never go up, why the EM lower "
    "bound touches the likelihood after each E step, and why a bad start ends in a bad answer.\n\n"
    "Pick a data set, choose a start, and step; you can always step back."
)
st.page_link("pages/lessons.py", label="Lessons: one-click classroom presets with a question to predict",
             icon=":material/school:")
st.page_link("pages/data.py", label="1. Data: generate or upload points", icon=":material/table_chart:")
st.page_link("pages/kmeans.py", label="2. K-means: E step, M step, and J", icon=":material/hub:")
st.page_link("pages/gmm.py", label="3. Gaussian mixture: responsibilities, ellipses and the bound",
             icon=":material/bubble_chart:")
st.page_link("pages/compare.py", label="4. Compare: K-means and EM side by side, and the σ → 0 limit",
             icon=":material/compare:")
st.page_link("pages/generative.py", label="5. Generative model: sample a mixture, then fit EM to it",
             icon=":material/casino:")
st.page_link("pages/exact-1d.py", label="6. Exact 1-D optimum: Lloyd's answer against the true best",
             icon=":material/straighten:")
