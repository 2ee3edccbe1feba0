"""The container's limit messages: numbers in them are written the Vietnamese way."""
from __future__ import annotations

import struct
import zlib

import pytest

from tonghop.intake.container import Refused, inspect_workbook


def zip_declaring(name: str, data: bytes, declared: int) -> bytes:
    """A one-entry zip (stored) whose headers declare `declared` bytes once unpacked."""
    raw, crc = name.encode(), zlib.crc32(data)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, crc, len(data), declared, len(raw), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, crc, len(data), declared,
                          len(raw), 0, 0, 0, 0, 0, 0)
    start = len(local) + len(raw) + len(data)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(raw), start, 0)
    return local + raw + data + central + raw + end


def test_declared_bomb_is_refused_with_vietnamese_numbers():
    data = zip_declaring("xl/worksheets/sheet1.xml", b"<row/>" * 10, 2048 * 2**20)
    assert len(data) == 206                      # 30 + 24 + 60 local, 46 + 24 central, 22 end: 2 GiB / 206 B
    with pytest.raises(Refused) as info:
        inspect_workbook(data)
    assert (info.value.code, info.value.detail) == (
        "file-too-large", "khi giải nén tệp lên tới 2.048 MB (gấp 10.424.678 lần tệp gửi), quá giới hạn 100 MB")
