"""The statuses a received file and a target can have, with their Vietnamese words: one vocabulary."""
from __future__ import annotations

# a received file, once checked (stored in submissions.status)
ACCEPTED, PARTIAL, REJECTED = "accepted", "partially_accepted", "rejected"
FILE_STATUSES = (ACCEPTED, PARTIAL, REJECTED)
FILE_STATUS_VI = {ACCEPTED: "Được chấp nhận", PARTIAL: "Được chấp nhận một phần", REJECTED: "Bị từ chối"}

# the same statuses seen from the national consolidation: what it did with a province's file
MISSING = "missing"
FILE_USE_VI = {ACCEPTED: "Dùng toàn bộ", PARTIAL: "Dùng một phần", REJECTED: "Không dùng", MISSING: "Chưa gửi"}

# a consolidated value against the target in force
ACHIEVED, NOT_ACHIEVED, NO_DATA, TO_CHECK = "achieved", "not_achieved", "no_data", "to_check"
TARGET_STATUS_VI = {ACHIEVED: "Đạt", NOT_ACHIEVED: "Chưa đạt", NO_DATA: "Chưa có số liệu",
                    TO_CHECK: "Cần kiểm tra số liệu",
                    None: "Chưa có chỉ tiêu cần đạt"}   # no 2025/2030 target in the catalogue: nothing to compare with
