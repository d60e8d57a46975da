"""Streamlit glue: the one door to session state, the URL, and controls shared by pages.

Importing it changes nothing in the process (app.py, the server's entry point, limits BLAS
threads; see there).
"""
