"""The few exceptions that mean "this run cannot continue" (problems in files are data, not exceptions)."""
from __future__ import annotations

import errno
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from tonghop.numbers import format_vi


_OS_REASONS_VI = {
    errno.ENOENT: "thư mục hoặc tệp không tồn tại",
    errno.EACCES: "không có quyền ghi hoặc đọc",
    errno.EPERM: "không được phép",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.EISDIR: "đường dẫn là thư mục, không phải tệp",
    errno.EDQUOT: "đã hết hạn mức dung lượng",
    errno.EBUSY: "tệp đang được chương trình khác dùng",
    errno.EEXIST: "đã có một tệp trùng tên ở chỗ cần tạo thư mục",
}


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in Vietnamese where the reason is a common one (the system's text otherwise)."""
    return _OS_REASONS_VI.get(exc.errno or -1) or exc.strerror or str(exc)


class TonghopError(Exception):
    """Base of tonghop's own errors; the CLI prints the message and exits non-zero."""


class ConfigError(TonghopError):
    """The province configuration is missing or inconsistent."""


class StorageError(TonghopError):
    """The database cannot be opened or migrated."""


class OutputError(TonghopError):
    """The output folder cannot be written."""


class RunInProgress(TonghopError):
    """Another run holds the lock of this province and period: this run is refused and changed nothing."""

    def __init__(self, scope: str, run_id: int, holder: str, since: datetime, *,
                 max_age: timedelta | None = None, waited: float = 0.0,
                 timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.scope, self.run_id, self.holder, self.since = scope, run_id, holder, since
        self._kw = {"max_age": max_age, "waited": waited, "timezone": timezone}
        province, _, period = scope.partition(":")
        host, _, pid = holder.rpartition(":")
        local = since.astimezone(ZoneInfo(timezone))
        waited_text = f" Đã đợi {format_vi(waited, 0)} giây." if waited > 0 else ""
        age_text = (f", hoặc sau {format_vi(max_age.total_seconds() / 3600)} giờ kể từ lúc khóa" if max_age else "")
        super().__init__(
            f"Kỳ {period} (tỉnh mã {province}) đang được xử lý bởi lần chạy số {run_id} "
            f"(máy {host or holder}, tiến trình {pid or '?'}) từ {local:%H:%M:%S} ngày {local:%d/%m/%Y}. "
            f"Lần chạy này bị từ chối và không thay đổi dữ liệu.{waited_text} "
            f"Hãy đợi lần chạy kia kết thúc (xem `tonghop runs`) rồi chạy lại. "
            f"Nếu tiến trình đó đã dừng hẳn, khóa được tự gỡ: ngay ở lần chạy sau nếu cùng máy{age_text}."
        )

    def __reduce__(self) -> tuple[partial[RunInProgress], tuple[str, int, str, datetime]]:
        # Exceptions pickle as cls(*args); ours takes fields, and runs may pickle it across processes.
        return (partial(RunInProgress, **self._kw), (self.scope, self.run_id, self.holder, self.since))
