"""Streamlit glue: the one door to session state, the URL, and controls shared by pages.

Importing it limits BLAS / OpenMP to one thread in the server process. Many sessions share
few cores; bench/bench_sessions.py measured a click's numerics with two processes at once at
0.52 ms with one BLAS thread against 5.2 ms with the default (N = 1,000), and 9.7 against
62 ms at N = 100,000. The core modules (kmeans, gmm, ...) leave threads alone for notebooks.
"""

from threadpoolctl import threadpool_limits

threadpool_limits(limits=1)
