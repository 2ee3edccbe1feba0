"""What every worker process needs, imported once in the fork server (flows/runners.py) rather than in each worker."""
from importlib import import_module

from prefect._internal.plugins.collections import load_prefect_collections

import_module("flows.round")     # the round's tasks and everything they import

# a worker's first task would otherwise load Prefect's plugins (prefect-dask: all of Dask) to rebuild its context
load_prefect_collections()
