"""Regenerate the Sơn La sample round here (tonghop_dev/sample/generate.py): .venv/bin/python sample_inputs/generate.py."""
from tonghop_dev.sample.generate import main

if __name__ == "__main__":
    raise SystemExit(main())
