"""An .xls workbook (OLE container, BIFF8 records): its cells counted from the records, before calamine reads it."""
from __future__ import annotations

import struct

from tonghop.intake.bounds import (MAX_BIFF_RECORDS, MAX_FILE_BYTES, MAX_MARKED_CELLS, MAX_SHARED_STRINGS, Inspection,
                                   Refused, SheetScan, corrupt)
from tonghop.numbers import format_vi as _n

_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
# the records that place a value in a sheet (or a formula's text result): counted by _count_cell
_CELL_RECORDS = frozenset((0x0203, 0x027E, 0x0204, 0x00D6, 0x00FD, 0x00BD, 0x0205, 0x0006, 0x0207))


def inspect_ole(data: bytes) -> Inspection:
    """The workbook stream of an OLE file, counted; a Word or PowerPoint file or an encrypted one is refused."""
    import olefile  # the OLE container reader (pure Python); only old .xls and encrypted files need it

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # noqa: BLE001 - olefile raises several types on a damaged container
        raise Refused("file-unreadable", "tệp Office cũ (OLE) bị hỏng") from exc
    try:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise Refused("file-unreadable", "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
        stream = "Workbook" if ole.exists("Workbook") else "Book" if ole.exists("Book") else None
        if stream is None:
            if ole.exists("WordDocument"):
                raise Refused("file-unreadable", "tệp văn bản Word được đổi đuôi thành bảng tính")
            if ole.exists("PowerPoint Document"):
                raise Refused("file-unreadable", "tệp PowerPoint được đổi đuôi thành bảng tính")
            raise Refused("file-unreadable", "tệp Office cũ (OLE) không chứa bảng tính")
        size = ole.get_size(stream)
        if size > MAX_FILE_BYTES:
            raise corrupt("kích thước phần dữ liệu sai")
        try:
            book = ole.openstream(stream).read()
        except Exception as exc:  # noqa: BLE001 - a broken sector chain
            raise Refused("file-unreadable", "tệp Office cũ (OLE) bị hỏng") from exc
    finally:
        ole.close()
    return scan_biff(book)


def scan_biff(book: bytes) -> Inspection:
    """Cell records of every sheet substream (BIFF8): where calamine will place values and how much text."""
    result = Inspection("xls")
    sheets_at: dict[int, str] = {}             # offset of a sheet's BOF -> its name, from BOUNDSHEET8
    sst_chunks: list[bytes] = []
    in_sst = False
    sst_lengths: list[int] = []
    scan: SheetScan | None = None
    pos = records = 0
    end = len(book)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", book, pos)
        body = book[pos + 4:pos + 4 + length]
        start = pos
        pos += 4 + length
        records += 1
        if records > MAX_BIFF_RECORDS:
            raise Refused("too-many-cells", f"tệp .xls có hơn {_n(MAX_BIFF_RECORDS)} bản ghi")
        if rtype == 0x003C and in_sst:                              # CONTINUE of the SST
            sst_chunks.append(body)
            continue
        if in_sst:
            in_sst = False
            sst_lengths = _sst_lengths(sst_chunks)
        if rtype == 0x0809:                                          # BOF: workbook globals or a sheet
            scan = _sheet_at(result, sheets_at, start)
        elif rtype == 0x002F:                                        # FILEPASS
            raise Refused("file-unreadable", "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
        elif rtype == 0x0085 and len(body) >= 8:                     # BOUNDSHEET8
            _read_boundsheet(body, sheets_at)
        elif rtype == 0x00FC:                                        # SST
            sst_chunks = [body]
            in_sst = True
        elif rtype in _CELL_RECORDS and scan is not None and len(body) >= 6:
            _count_cell(scan, rtype, body, sst_lengths)
    return result


def _sheet_at(result: Inspection, sheets_at: dict[int, str], start: int) -> SheetScan | None:
    """The sheet a BOF record at `start` opens: a named one, an unnamed one, or None for the workbook globals."""
    name = sheets_at.get(start)
    if name is not None:
        return result.sheets.setdefault(name, SheetScan(f"BIFF@{start}", name))
    if sheets_at:
        scan = SheetScan(f"BIFF@{start}")
        result.sheets[f"#{start}"] = scan
        return scan
    return None


def _read_boundsheet(body: bytes, sheets_at: dict[int, str]) -> None:
    offset = struct.unpack_from("<I", body, 0)[0]
    cch, flags = body[6], body[7]
    raw = body[8:8 + (cch * 2 if flags & 1 else cch)]
    sheets_at[offset] = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")


def _count_cell(scan: SheetScan, rtype: int, body: bytes, sst_lengths: list[int]) -> None:
    """One cell record of a sheet: where it places a value, how much text, and an error it shows."""
    row, col = struct.unpack_from("<HH", body, 0)
    if rtype in (0x0203, 0x027E):                                # NUMBER, RK
        scan.add(row, col)
    elif rtype in (0x0204, 0x00D6) and len(body) >= 8:           # LABEL, RSTRING
        cch = struct.unpack_from("<H", body, 6)[0]
        scan.add(row, col)
        scan.text += cch
        scan.longest = max(scan.longest, cch)
    elif rtype == 0x00FD and len(body) >= 10:                    # LABELSST
        idx = struct.unpack_from("<I", body, 6)[0]
        length = sst_lengths[idx] if idx < len(sst_lengths) else 0
        scan.add(row, col)
        scan.text += length
        scan.longest = max(scan.longest, length)
    elif rtype == 0x00BD and len(body) >= 6:                     # MULRK
        last = struct.unpack_from("<H", body, len(body) - 2)[0]
        scan.add(row, col, max(last - col + 1, 1), 1, max(last - col + 1, 1))
    elif rtype == 0x0205 and len(body) >= 8:                     # BOOLERR
        scan.add(row, col)
        if body[7] and len(scan.errors) < MAX_MARKED_CELLS:
            scan.errors[(row, col)] = _BIFF_ERRORS.get(body[6], "#N/A")
    elif rtype == 0x0006 and len(body) >= 14:                    # FORMULA with its cached result
        scan.add(row, col)
        if body[12:14] == b"\xff\xff" and body[6] == 2 and len(scan.errors) < MAX_MARKED_CELLS:
            scan.errors[(row, col)] = _BIFF_ERRORS.get(body[8], "#N/A")
    elif rtype == 0x0207 and len(body) >= 2:                     # STRING: a formula's text result
        cch = struct.unpack_from("<H", body, 0)[0]
        scan.text += cch
        scan.longest = max(scan.longest, cch)


def _sst_lengths(chunks: list[bytes]) -> list[int]:
    """Character count of each shared string of an SST record and its CONTINUE records."""
    lengths: list[int] = []
    if not chunks or len(chunks[0]) < 8:
        return lengths
    total = struct.unpack_from("<I", chunks[0], 4)[0]
    ci, data, pos = 0, chunks[0], 8
    try:
        for _ in range(min(total, MAX_SHARED_STRINGS + 1)):
            if pos >= len(data):
                ci += 1
                data, pos = chunks[ci], 0
            cch, flags = struct.unpack_from("<HB", data, pos)
            pos += 3
            runs = ext = 0
            if flags & 0x08:
                runs = struct.unpack_from("<H", data, pos)[0]
                pos += 2
            if flags & 0x04:
                ext = struct.unpack_from("<I", data, pos)[0]
                pos += 4
            wide = flags & 0x01
            remaining = cch
            while True:
                width = 2 if wide else 1
                take = min(remaining, (len(data) - pos) // width)
                pos += take * width
                remaining -= take
                if remaining == 0:
                    break
                ci += 1                                 # the characters go on in the next CONTINUE,
                data = chunks[ci]                       # after a byte saying whether they are 16-bit
                wide, pos = data[0] & 0x01, 1
            skip = runs * 4 + ext
            while skip:
                avail = len(data) - pos
                if skip <= avail:
                    pos += skip
                    break
                skip -= avail
                ci += 1
                data, pos = chunks[ci], 0
            lengths.append(cch)
    except (IndexError, struct.error):
        pass   # a truncated table: the strings read so far are what calamine can read too
    if len(lengths) > MAX_SHARED_STRINGS:
        raise Refused("too-many-cells", f"tệp có hơn {_n(MAX_SHARED_STRINGS)} chuỗi chữ dùng chung")
    return lengths
