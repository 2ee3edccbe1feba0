"""`python -m flows.cli`: the same as the `tonghop` command."""
from flows.cli import main

if __name__ == "__main__":      # walking the package (tests/test_layers.py) imports this module too
    main()
