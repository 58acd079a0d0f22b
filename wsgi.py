"""gunicorn entry point: gunicorn wsgi:app"""
import gc

from codesign import create_app

app = create_app()
# What the app holds from start-up (modules, catalogs, routes: most of a worker's objects) is
# kept out of the garbage collector's later passes: a full pass over all of it took 100 ms in
# the middle of a request now and then (benchmarks/RESULTS.md, the steady-load p99).
gc.freeze()
