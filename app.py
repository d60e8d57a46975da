"""Clustering Lab: the router. Pages live in pages/; everything else in the clustering package."""

import streamlit as st

from clustering.ui import serving, state

serving.one_blas_thread()  # one BLAS thread per server process (many sessions, few cores)

st.set_page_config(page_title="Clustering Lab", page_icon=":material/scatter_plot:", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="start", default=True),
    st.Page("pages/lessons.py", title="Lessons", icon=":material/school:", url_path="lessons"),
    st.Page("pages/data.py", title="Data", icon=":material/table_chart:", url_path="data"),
    st.Page("pages/kmeans.py", title="K-means", icon=":material/hub:", url_path="kmeans"),
    st.Page("pages/gmm.py", title="Gaussian mixture (EM)", icon=":material/bubble_chart:", url_path="gmm"),
    st.Page("pages/compare.py", title="Compare K-means and EM", icon=":material/compare:", url_path="compare"),
    st.Page("pages/generative.py", title="Generative model", icon=":material/casino:", url_path="generative"),
    st.Page("pages/compress.py", title="Compress a photo", icon=":material/photo:", url_path="compress"),
    st.Page("pages/exact-1d.py", title="Exact 1-D optimum", icon=":material/straighten:", url_path="exact-1d"),
    # The default page is served at "/"; this hidden twin answers the README's "/home" too.
    st.Page("pages/home.py", title="Home", url_path="home", visibility="hidden"),
]

page = st.navigation(PAGES)
state.begin_full_run(page.url_path)  # a stepping page's stage draws alone once per visit
page.run()
