"""An .xlsx/.xlsm/.ods (zip) container: its entries and sizes bounded, each part inflated with a cap and scanned."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from tonghop.intake.bounds import MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES, Inspection, Refused, corrupt
from tonghop.intake.xml_scan import XmlScanner
from tonghop.numbers import format_size as _mb
from tonghop.numbers import format_vi as _n

# read first: an .ods's manifest (it says whether the parts are encrypted), then sheet names and shared strings,
# so a refusal names the sheet
_FIRST = ("META-INF/manifest.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml")


def inspect_zip(data: bytes, cut: bool = False) -> Inspection:
    """Every part of a zip workbook, inflated and scanned in one pass (cut: see XmlScanner); raises Refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # noqa: BLE001 - zipfile raises many types on a damaged archive
        raise corrupt() from exc
    names = _check_entries(data, infos)
    kind = "ods" if "content.xml" in names and "xl/workbook.xml" not in names else "xlsx"
    scanner = XmlScanner(cut)
    for info in sorted(infos, key=lambda i: (i.filename not in _FIRST, _FIRST.index(i.filename) if i.filename in _FIRST else 0)):
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise Refused("file-unreadable", "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
        scanner.part(info.filename, _inflate(data, info), info.file_size)
    return scanner.finish(kind)


def _check_entries(data: bytes, infos: list[zipfile.ZipInfo]) -> set[str]:
    """The archive's entry names, once its count and declared sizes are within bounds and it is a spreadsheet."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Refused("file-too-large", f"tệp nén chứa {_n(len(infos))} thành phần, quá giới hạn {_n(MAX_ZIP_ENTRIES)}")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNPACKED_BYTES:
        ratio = declared / max(len(data), 1)
        raise Refused("file-too-large", f"khi giải nén tệp lên tới {_mb(declared)} (gấp {_n(ratio, 0)} lần tệp gửi), "
                                        f"quá giới hạn {_mb(MAX_UNPACKED_BYTES)}")
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        raise Refused("file-unreadable", "tệp là bảng tính nhị phân .xlsb, không được hỗ trợ; hãy lưu lại dưới dạng .xlsx")
    if "[Content_Types].xml" not in names and "mimetype" not in names and "content.xml" not in names:
        # neither an Office package nor an OpenDocument one: a plain archive
        raise Refused("file-unreadable", "tệp nén .zip được đổi đuôi thành bảng tính; hãy giải nén rồi gửi tệp bảng "
                                         "tính bên trong")
    return names


def raw_part(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The part's compressed bytes as stored in `data` (not inflated)."""
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04":
        raise corrupt("thiếu phần đầu của một thành phần")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise corrupt("tệp bị cắt cụt")
    return raw


def _inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes as really inflated, refusing one that grows past its declared size (a lying bomb)."""
    raw = raw_part(data, info)
    limit = info.file_size
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) != limit:
            raise corrupt("kích thước khai báo sai")
        for i in range(0, len(raw), 1 << 20):
            yield bytes(raw[i:i + (1 << 20)])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise corrupt(f"kiểu nén {info.compress_type} không được hỗ trợ")
    inflater = zlib.decompressobj(-15)
    produced = 0
    step = 1 << 20
    try:
        for i in range(0, len(raw), 1 << 16):
            pending = bytes(raw[i:i + (1 << 16)])
            while True:
                out = inflater.decompress(pending, step)     # never more than `step` bytes at once
                pending = inflater.unconsumed_tail
                produced += len(out)
                if produced > limit:
                    raise Refused("file-unreadable", f"tệp bị hỏng hoặc bị làm giả: thành phần '{info.filename[:80]}' "
                                                     f"giải nén ra nhiều hơn kích thước khai báo ({_mb(limit)})")
                if out:
                    yield out
                if inflater.eof or (not pending and len(out) < step):
                    break
            if inflater.eof:
                break
    except zlib.error as exc:
        raise corrupt("dữ liệu nén hỏng") from exc
    if produced != limit:
        raise corrupt("tệp bị cắt cụt hoặc kích thước khai báo sai")


# -- a zip rewritten with some parts replaced, every other part's compressed bytes copied as they are --
def replace_parts(data: bytes, replaced: dict[str, bytes], copied: dict[str, tuple[bytes, zipfile.ZipInfo]] | None = None
                  ) -> bytes:
    """The zip `data` with the parts named in `replaced` holding the new (stored) content and those named in `copied`
    holding another zip's part, compressed bytes as they are; every other part is copied as it is, nothing inflated
    again. Parts keep their order; a part of `copied` that `data` does not have comes last."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    out, central = bytearray(), bytearray()
    infos = archive.infolist()
    present = {info.filename for info in infos}
    for name, (_source, source_info) in (copied or {}).items():
        if name not in present:
            added = zipfile.ZipInfo(name, source_info.date_time)
            added.external_attr = source_info.external_attr
            infos.append(added)
    for info in infos:
        if info.flag_bits & 0x1 or info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF:
            raise ValueError("encrypted or zip64 part: not rewritten")
        if info.filename in replaced:
            content = replaced[info.filename]
            raw: bytes | memoryview = content
            method, crc, size = zipfile.ZIP_STORED, zlib.crc32(content), len(content)
        elif copied is not None and info.filename in copied:
            source, source_info = copied[info.filename]
            raw = raw_part(source, source_info)
            method, crc, size = source_info.compress_type, source_info.CRC, source_info.file_size
        else:
            raw = raw_part(data, info)
            method, crc, size = info.compress_type, info.CRC, info.file_size
        name = info.filename.encode("utf-8")
        flags = 0x800 if not info.filename.isascii() else 0       # the name is UTF-8
        y, mo, d, h, mi, s = info.date_time
        dos_time, dos_date = (h << 11) | (mi << 5) | (s // 2), (max(y - 1980, 0) << 9) | (mo << 5) | d
        fields = struct.pack("<HHHHHIII", 20, flags, method, dos_time, dos_date, crc, len(raw), size)
        central += b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack(
            "<HHHHHII", len(name), 0, 0, 0, 0, info.external_attr, len(out)) + name
        out += b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
        out += raw
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(infos), len(infos), len(central), len(out), 0)
    return bytes(out + central + end)
