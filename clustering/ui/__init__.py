"""Streamlit glue: the one door to session state, the URL, and controls shared by pages."""
