"""Clustering Lab: the router. Pages live in pages/; everything else in the clustering package."""

import streamlit as st

st.set_page_config(page_title="Clustering Lab", page_icon="🎯", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon="🏠", url_path="home", default=True),
    st.Page("pages/data.py", title="Data", icon="📊", url_path="data"),
    st.Page("pages/kmeans.py", title="K-means", icon="📍", url_path="kmeans"),
    st.Page("pages/gmm.py", title="Gaussian mixture (EM)", icon="🔵", url_path="gmm"),
    st.Page("pages/generative.py", title="Generative model", icon="🎲", url_path="generative"),
    st.Page("pages/exact_1d.py", title="Exact 1-D optimum", icon="📏", url_path="exact-1d"),
    st.Page("pages/compare.py", title="Compare K-means and EM", icon="⚖️", url_path="compare"),
    st.Page("pages/lessons.py", title="Lessons", icon="🎓", url_path="lessons"),
]

st.navigation(PAGES).run()
