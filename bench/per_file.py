"""Per-file cost of each stage of a round, in ms/workbook and against calamine's raw parse (tonghop_dev/stages.py).

    .venv/bin/python bench/per_file.py -n 100     # 100 workbooks of an ordinary province and of one of 985 communes
"""
from tonghop_dev.stages import main

if __name__ == "__main__":
    raise SystemExit(main())
