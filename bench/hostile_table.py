"""Time and peak memory of every hostile case (tonghop_dev/hostile/table.py): .venv/bin/python bench/hostile_table.py."""
from tonghop_dev.hostile.table import main

if __name__ == "__main__":
    main()
