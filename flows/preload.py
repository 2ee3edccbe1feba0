"""What every worker process needs, imported once in the fork server (flows/runners.py) rather than in each worker;
imported by the fork server only."""
import signal
from importlib import import_module

# Ctrl+C reaches the whole process group: the fork server, still importing, must not die with a traceback on the
# officer's screen (it ignores SIGINT itself once ready; each worker sets its own handler)
signal.signal(signal.SIGINT, signal.SIG_IGN)

from prefect._internal.plugins.collections import load_prefect_collections  # noqa: E402

import_module("flows.round")     # the round's tasks and everything they import

# a worker's first task would otherwise load Prefect's plugins (prefect-dask: all of Dask) to rebuild its context
load_prefect_collections()

# the objects imported so far live as long as the processes do: kept out of the collector's generations, so that
# a worker's collections do not write to (and so copy) the pages it shares with the fork server and its siblings
import gc  # noqa: E402

gc.freeze()
