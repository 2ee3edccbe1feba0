"""Run the benchmark (tonghop_dev/benchmark.py): .venv/bin/python bench/run_benchmark.py [--sizes 400 4000]."""
from tonghop_dev.benchmark import main

if __name__ == "__main__":
    raise SystemExit(main())
