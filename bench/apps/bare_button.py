"""Reference 1 for bench/bench_browser.py: a bare Streamlit button round trip.

One button; its callback counts the clicks, the rerun writes the count. Nothing else: the
click-to-finished time of this app is what any Streamlit rerun costs on this machine.
"""

import streamlit as st


def count_click() -> None:
    st.session_state["clicks"] = st.session_state.get("clicks", 0) + 1


st.button("Click", key="click", on_click=count_click)
with st.container(key="count"):  # the benchmark watches this element change
    st.text(f"clicks: {st.session_state.get('clicks', 0)}")
