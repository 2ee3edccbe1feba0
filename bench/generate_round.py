"""Generate a large synthetic round (tonghop_dev/generate_round.py): .venv/bin/python bench/generate_round.py --help."""
from tonghop_dev.generate_round import main

if __name__ == "__main__":
    raise SystemExit(main())
