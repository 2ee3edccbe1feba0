"""Per-file cost of each stage of a round, in ms/workbook and against calamine's raw parse (tonghop_dev/stages.py).

    .venv/bin/python bench/per_file.py -n 100     # 100 workbooks of an ordinary province and of one of 985 communes
    .venv/bin/python bench/per_file.py -n 100 --communes 100 985 3985 --repeat 3 --clock cpu --workdir /tmp/pf
                                                  # a third province of 3,985 communes; the files kept for another run
"""
from tonghop_dev.stages import main

if __name__ == "__main__":
    raise SystemExit(main())
