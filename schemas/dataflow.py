"""The SDMX dataflow provinces send to the Ministry (VN_MOHA:DF_GENDER_EQUALITY 1.0): its columns and codes."""
from __future__ import annotations

import re

COLUMNS = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "REF_AREA", "TIME_PERIOD", "INDICATOR", "SEX", "OBS_VALUE",
           "UNIT_MEASURE", "OBS_STATUS", "NUMERATOR", "DENOMINATOR", "UNIT_COUNT"]
STRUCTURE = "dataflow"
STRUCTURE_ID = "VN_MOHA:DF_GENDER_EQUALITY(1.0)"
ACTION = "I"
SEX_CODES = {"Tổng": "_T", "Nam": "M", "Nữ": "F"}
SEX_VI = {code: vi for vi, code in SEX_CODES.items()}
OBS_STATUSES = {"A": "có số liệu", "U": "độ tin cậy thấp, cần kiểm tra số liệu", "M": "thiếu số liệu"}
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")      # dot decimal, no thousands separator
PERIOD_RE = re.compile(r"^(\d{4})(-S1)?$")
