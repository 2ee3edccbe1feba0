"""Problem catalogue (stable codes, severities, Vietnamese wording, by scope) and the per-submission report object.

Modelled on frictionless-py's error catalogue: a problem kind has a code that never changes, a title,
a description and a message template; a Problem is one occurrence with its place and value.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

ERROR = "error"      # blocks the figure (or the whole file when file-level)
WARNING = "warning"  # please check; does not block
# A code means one thing in both scopes; the wording differs because a submission is a workbook (sheets, cells)
# and a national input is a province's SDMX-CSV file (lines, columns).
SUBMISSION, NATIONAL = "submission", "national"


GENERAL_FIX = {"out-of-range": "Kiểm tra lại Tử số, Mẫu số, Giá trị và đơn vị tính của chỉ tiêu (xem cột Cách nhập "
                               "của Biểu 01)."}


@dataclass(frozen=True)
class ProblemType:
    code: str
    severity: str
    title: str
    template: str        # str.format template; fields come from Problem.params
    fix: str             # how to fix, in the submitter's words
    file_level: bool = False
    scope: str = SUBMISSION


_TYPES = [
    # --- the file as a whole: the submission is rejected ---
    ProblemType("file-unreadable", ERROR, "Không đọc được tệp",
                "Không mở được tệp: {detail}.",
                "Lưu lại tệp bằng Excel hoặc LibreOffice dưới dạng .xlsx rồi gửi lại.", True),
    ProblemType("form-not-found", ERROR, "Không thấy biểu mẫu",
                "Không tìm thấy trang tính Biểu 01 hoặc Biểu 02 theo mẫu của tỉnh{detail}.",
                "Dùng đúng tệp mẫu do Sở Nội vụ gửi, giữ nguyên tên trang tính và dòng tiêu đề bảng.", True),
    ProblemType("file-too-large", ERROR, "Tệp quá lớn",
                "Tệp quá lớn để xử lý: {detail}.",
                "Chỉ gửi biểu mẫu của tỉnh (không kèm ảnh, dữ liệu gốc hay trang tính khác), lưu lại bằng Excel "
                "hoặc LibreOffice dưới dạng .xlsx rồi gửi lại.", True),
    ProblemType("too-many-cells", ERROR, "Quá nhiều ô dữ liệu",
                "Không đọc tệp vì {detail}.",
                "Xóa các dòng, cột và trang tính thừa ngoài biểu mẫu (chọn các dòng trống phía dưới bảng, các cột "
                "trống bên phải rồi Xóa), lưu lại rồi gửi lại.", True),
    ProblemType("unit-missing", ERROR, "Thiếu mã đơn vị",
                "Ô Mã đơn vị đang để trống.",
                "Điền mã đơn vị (ví dụ SYT) vào ô bên cạnh nhãn 'Mã đơn vị'.", True),
    ProblemType("unknown-unit", ERROR, "Mã đơn vị không đúng",
                "Mã đơn vị '{value}' không có trong danh sách đơn vị của tỉnh.",
                "Điền đúng mã đơn vị được giao (xem tệp mẫu của đơn vị mình) rồi gửi lại.", True),
    ProblemType("period-missing", ERROR, "Thiếu kỳ báo cáo",
                "Không nhận ra kỳ báo cáo '{value}'.",
                "Ghi kỳ báo cáo dạng 'Năm 2025' hoặc '6 tháng đầu năm 2025'.", True),
    ProblemType("period-mismatch", ERROR, "Sai kỳ báo cáo",
                "Tệp ghi kỳ báo cáo '{value}'{read_as}, trong khi đợt này tổng hợp kỳ {expected}.",
                "Kiểm tra lại có gửi nhầm tệp của kỳ khác không; sửa ô Kỳ báo cáo hoặc gửi đúng tệp.", True),
    # --- a row of Biểu 01: blocks that indicator of this submission ---
    ProblemType("missing-code", ERROR, "Thiếu mã chỉ tiêu",
                "Dòng có số liệu nhưng ô Mã chỉ tiêu để trống.",
                "Điền mã chỉ tiêu (ví dụ 4.1) vào cột 'Mã chỉ tiêu' hoặc xóa dòng thừa."),
    ProblemType("unknown-indicator", ERROR, "Mã chỉ tiêu không có trong danh mục",
                "Mã chỉ tiêu '{value}' không có trong danh mục chỉ tiêu Chiến lược.",
                "Sửa lại mã chỉ tiêu theo danh mục (ví dụ 3.2a, 5.1)."),
    ProblemType("indicator-not-assigned", ERROR, "Chỉ tiêu không được giao cho đơn vị",
                "Chỉ tiêu {indicator_label} không được giao cho {unit_name}; số liệu này không được tổng hợp.",
                "Xóa dòng này, hoặc liên hệ Sở Nội vụ nếu đơn vị được giao thêm chỉ tiêu."),
    ProblemType("unknown-area", ERROR, "Mã địa bàn không đúng",
                "Mã địa bàn '{value}' không thuộc {province}.",
                "Dùng mã của tỉnh ({province_code}) cho số liệu cả tỉnh hoặc mã xã, phường trong danh sách."),
    ProblemType("invalid-sex", ERROR, "Phân tổ không đúng",
                "Phân tổ '{value}' không hợp lệ.",
                "Chọn một trong: Tổng, Nam, Nữ (để trống nghĩa là Tổng)."),
    ProblemType("duplicate-row", ERROR, "Dòng trùng",
                "Chỉ tiêu {indicator_label}, địa bàn {area}, phân tổ {sex} được khai {count} lần.",
                "Giữ lại một dòng cho mỗi chỉ tiêu, địa bàn và phân tổ; xóa các dòng trùng."),
    ProblemType("not-a-number", ERROR, "Không phải là số",
                "Ô {column} có '{value}', không đọc được thành số.",
                "Chỉ nhập số, ví dụ 1.234 hoặc 45,5; không kèm chữ hay đơn vị."),
    ProblemType("error-cell", ERROR, "Ô báo lỗi công thức",
                "Ô {column} báo lỗi {value}{meaning}, nên không có số liệu.",
                "Sửa công thức cho hết lỗi (ví dụ #DIV/0! là chia cho 0: kiểm tra Mẫu số) hoặc nhập trực tiếp "
                "số liệu, rồi gửi lại."),
    ProblemType("date-in-number-cell", ERROR, "Ngày tháng ở ô số liệu",
                "Ô {column} chứa ngày tháng ({value}), không phải số.",
                "Excel đã tự đổi số vừa nhập thành ngày tháng: chọn ô, vào Định dạng ô (Format Cells) chọn Số "
                "(Number), rồi nhập lại số liệu."),
    ProblemType("negative-value", ERROR, "Số âm",
                "Ô {column} có giá trị âm ({value}).",
                "Số liệu này không thể âm: kiểm tra lại và nhập số không âm."),
    ProblemType("missing-value", ERROR, "Thiếu số liệu",
                "Dòng chỉ tiêu {indicator_label} không có Giá trị, cũng không có Tử số và Mẫu số.",
                "Nhập Tử số và Mẫu số (Giá trị sẽ được tính), hoặc nhập Giá trị."),
    ProblemType("zero-denominator", ERROR, "Mẫu số bằng 0",
                "Mẫu số bằng 0 nên không tính được Giá trị.",
                "Nhập Mẫu số lớn hơn 0, hoặc để trống cả Tử số và Mẫu số nếu không có số liệu."),
    ProblemType("numerator-above-denominator", ERROR, "Tử số lớn hơn Mẫu số",
                "Tử số ({numerator}) lớn hơn Mẫu số ({denominator}) — với chỉ tiêu tỷ lệ, điều này không thể xảy ra.",
                "Kiểm tra lại: Tử số là một phần của Mẫu số, nên phải nhỏ hơn hoặc bằng Mẫu số."),
    ProblemType("value-mismatch", ERROR, "Giá trị không khớp Tử số/Mẫu số",
                "Giá trị ghi {value}, nhưng Tử số/Mẫu số = {numerator}/{denominator} cho {expected}.",
                "Sửa Giá trị cho khớp (hoặc để trống để hệ thống tự tính), hoặc sửa Tử số/Mẫu số."),
    ProblemType("sex-sum-mismatch", ERROR, "Nam + Nữ khác Tổng",
                "{column} dòng Tổng ({total}) khác tổng Nam + Nữ ({men} + {women} = {sum}).",
                "Sửa {column} dòng Tổng hoặc các dòng Nam/Nữ cho khớp."),
    ProblemType("not-boolean", ERROR, "Chỉ tiêu có/không",
                "Chỉ tiêu {indicator_label} chỉ nhận 1 (có) hoặc 0 (không); gặp '{value}'.",
                "Nhập 1 nếu đã thực hiện, 0 nếu chưa."),
    ProblemType("out-of-range", WARNING, "Giá trị bất thường",
                "Giá trị {value} nằm ngoài khoảng thường gặp của chỉ tiêu ({low} – {high} {unit}).",
                "{range_fix}"),         # tonghop.entry_hints.range_fix: Tử số, Mẫu số and the slip of this indicator
    ProblemType("missing-indicator", WARNING, "Thiếu chỉ tiêu được giao",
                "Chưa có số liệu chỉ tiêu {indicator_label}, được giao cho {unit_name}.",
                "Bổ sung dòng số liệu của chỉ tiêu này trong Biểu 01 rồi gửi lại."),
    # --- Biểu 02 ---
    ProblemType("unknown-activity", ERROR, "Mã hoạt động không đúng",
                "Mã hoạt động '{value}' không có trong danh mục (TT, TH, MH, KT, VP, THD).",
                "Chọn mã hoạt động trong danh mục: TT, TH, MH, KT, VP, THD."),
    ProblemType("participants-mismatch", ERROR, "Số người tham gia khác Nam + Nữ",
                "Số người tham gia ({total}) khác Nam + Nữ ({men} + {women} = {sum}).",
                "Sửa Số người tham gia hoặc số Nam/Nữ cho khớp."),
    ProblemType("ambiguous-thousands", WARNING, "Dấu phẩy có thể là dấu ngăn cách hàng nghìn",
                "Ô {column} ghi '{value}' (dạng chữ): nếu dấu phẩy ngăn cách hàng nghìn thì là {thousands}, nếu là dấu "
                "thập phân thì là {decimal}. Ô này phải là số nguyên nên đã đọc là {thousands}.",
                "Nếu số đúng như đã đọc, không cần làm gì; nếu không, nhập lại số đúng mà không dùng dấu phẩy để "
                "ngăn cách hàng nghìn (ví dụ 1250 hoặc 1.250) rồi gửi lại."),
    ProblemType("not-whole-number", WARNING, "Số lượng không nguyên",
                "Ô {column} có {value}, không phải số nguyên.",
                "Số lượng và số người phải là số nguyên."),
    # --- the header block: please check ---
    ProblemType("email-not-registered", WARNING, "Email chưa đăng ký",
                "Email '{value}' không có trong danh sách email đã đăng ký của đơn vị; báo cáo được gửi về email đã đăng ký.",
                "Nếu muốn nhận kết quả ở email này, đề nghị Sở Nội vụ đăng ký bổ sung."),
    ProblemType("hidden-sheet-ignored", WARNING, "Trang tính ẩn bị bỏ qua",
                "Trang tính ẩn '{value}' giống biểu mẫu nhưng không được đọc.",
                "Nếu số liệu nằm ở trang tính ẩn, hãy hiện trang tính đó và xóa trang cũ."),
    ProblemType("extra-form-ignored", WARNING, "Bảng thừa không được đọc",
                "Có thêm {detail} giống biểu mẫu nhưng không được đọc; chỉ đọc {used}.",
                "Mỗi biểu chỉ gửi một bảng: nếu số liệu đúng nằm ở bảng thừa, hãy chép vào bảng được đọc và xóa "
                "bảng thừa rồi gửi lại; nếu không thì không cần làm gì."),
    ProblemType("formula-without-value", WARNING, "Công thức chưa có kết quả",
                "Ô có công thức nhưng tệp không lưu kết quả tính, nên được coi là ô trống.",
                "Mở tệp bằng Excel hoặc LibreOffice, nhấn F9 để tính lại, lưu rồi gửi lại; hoặc nhập trực tiếp "
                "số liệu vào ô."),
    ProblemType("text-too-long", WARNING, "Nội dung ô quá dài",
                "Ô có {length} ký tự, vượt giới hạn {limit} ký tự của một ô Excel; chỉ {limit} ký tự đầu được đọc.",
                "Rút ngắn nội dung ô; văn bản dài hãy gửi kèm riêng."),
]
PROBLEM_TYPES: dict[str, ProblemType] = {t.code: t for t in _TYPES}

# --- national scope: the provinces' SDMX-CSV files read by the Ministry (tonghop/national/) ---
# A file-level problem leaves the whole file out; a row error leaves out that indicator of that province.
_TITLES = {t.code: t.title for t in _TYPES}


def _national(code: str, severity: str, file_level: bool, template: str, title: str | None = None) -> ProblemType:
    return ProblemType(code, severity, title or _TITLES[code], template, "", file_level, NATIONAL)


_NATIONAL_TYPES = [
    _national("file-unreadable", ERROR, True, "Không đọc được tệp: {detail}."),
    _national("columns-missing", ERROR, True, "Tệp thiếu cột {value} của định dạng SDMX-CSV (cần đủ 13 cột: "
              "{expected}).", "Thiếu cột"),
    _national("extra-column", WARNING, False, "Cột '{value}' không thuộc định dạng SDMX-CSV; đã bỏ qua cột này.",
              "Cột thừa"),
    _national("empty-file", ERROR, True, "Tệp chỉ có dòng tiêu đề, không có dòng số liệu nào.", "Tệp không có số liệu"),
    _national("wrong-structure", ERROR, True, "Cột {column} là '{value}', phải là '{expected}' (luồng dữ liệu bình "
              "đẳng giới của Bộ Nội vụ, phiên bản 1.0).", "Sai cấu trúc dữ liệu"),
    _national("unknown-province", ERROR, True, "Mã tỉnh '{value}' không có trong danh sách 34 tỉnh, thành phố.",
              "Mã tỉnh không đúng"),
    _national("mixed-province", ERROR, True, "Tệp có số liệu của nhiều tỉnh ({detail}); mỗi tệp chỉ được có một "
              "tỉnh.", "Nhiều tỉnh trong một tệp"),
    _national("duplicate-province", WARNING, True, "{province} có nhiều tệp; dùng tệp '{detail}' (gửi sau), không "
              "dùng tệp này.", "Tỉnh có nhiều tệp"),
    _national("period-invalid", ERROR, True, "Kỳ '{value}' không đúng dạng: năm ghi 2025, sáu tháng ghi 2025-S1.",
              "Kỳ báo cáo không đúng dạng"),
    _national("period-mismatch", ERROR, True, "Tệp ghi kỳ '{value}', trong khi đợt tổng hợp này là kỳ '{expected}'."),
    _national("unknown-indicator", ERROR, False, "Mã chỉ tiêu '{value}' không có trong danh mục chỉ tiêu Chiến lược."),
    _national("invalid-sex", ERROR, False, "Phân tổ '{value}' không hợp lệ: chỉ nhận _T (tổng), M (nam), F (nữ)."),
    _national("not-a-number", ERROR, False, "Cột {column} có '{value}', không phải số (dùng dấu chấm thập phân, không "
              "có dấu phân cách hàng nghìn)."),
    _national("negative-value", ERROR, False, "Cột {column} có giá trị âm ({value})."),
    # a warning in both scopes: a count that is not whole asks for a check, the figure itself stands
    _national("not-whole-number", WARNING, False, "UNIT_COUNT có '{value}', không phải số nguyên; hãy kiểm tra lại "
              "số đơn vị báo cáo."),
    _national("unit-mismatch", ERROR, False, "Đơn vị tính '{value}' không khớp danh mục: chỉ tiêu {indicator} tính "
              "bằng '{expected}'.", "Đơn vị tính không khớp"),
    _national("invalid-status", ERROR, False, "OBS_STATUS '{value}' không hợp lệ: A (có số liệu), U (độ tin cậy "
              "thấp, cần kiểm tra số liệu) hoặc M (thiếu số liệu).", "Trạng thái số liệu không đúng"),
    _national("missing-value", ERROR, False, "OBS_STATUS là A nhưng OBS_VALUE để trống."),
    _national("value-mismatch", ERROR, False, "OBS_VALUE {value} không khớp NUMERATOR/DENOMINATOR (tính được "
              "{expected})."),
    _national("zero-denominator", ERROR, False, "DENOMINATOR bằng 0 nên không tính được giá trị."),
    _national("numerator-above-denominator", ERROR, False, "NUMERATOR ({numerator}) lớn hơn DENOMINATOR "
              "({denominator}) — với chỉ tiêu tỷ lệ, điều này không thể xảy ra."),
    _national("not-boolean", ERROR, False, "Chỉ tiêu có/không {indicator} chỉ nhận 0 hoặc 1 (gặp {value})."),
    _national("duplicate-row", ERROR, False, "Chỉ tiêu {indicator}, phân tổ {sex} có nhiều dòng trong tệp."),
]
NATIONAL_PROBLEM_TYPES: dict[str, ProblemType] = {t.code: t for t in _NATIONAL_TYPES}
CATALOGUE: dict[str, dict[str, ProblemType]] = {SUBMISSION: PROBLEM_TYPES, NATIONAL: NATIONAL_PROBLEM_TYPES}


class _Blank(dict):
    def __missing__(self, key: str) -> str:  # a template field nobody filled prints as empty
        return ""


@dataclass
class Problem:
    code: str
    sheet: str = ""
    cell: str = ""
    value: Any = None
    indicator: str | None = None      # indicator or activity code the problem blocks
    params: dict[str, Any] = field(default_factory=dict)
    stt: str | None = None            # the STT column of the problem's row, to name the row in words

    @property
    def type(self) -> ProblemType:
        return PROBLEM_TYPES[self.code]

    @property
    def severity(self) -> str:
        return self.type.severity

    @property
    def message(self) -> str:
        fields = _Blank(self.params)
        fields.setdefault("value", "" if self.value is None else self.value)
        return self.type.template.format_map(fields)

    @property
    def fix(self) -> str:
        # a problem stored before its fix named the indicator's own rule gets the general advice
        return self.type.fix.format_map(_Blank(self.params)) or GENERAL_FIX.get(self.code, "")

    @property
    def place(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "value": None if self.value is None else str(self.value),
            "indicator": self.indicator,
            "message": self.message,
            "fix": self.fix,
        }


# the file statuses live in tonghop.statuses; imported here for the report's status and its many readers
from tonghop.statuses import ACCEPTED, FILE_STATUS_VI, PARTIAL, REJECTED  # noqa: E402,F401


@dataclass
class ValidationReport:
    """Everything known about one submitted file after validation."""

    file: str
    sha256: str
    unit: str | None = None
    unit_name: str | None = None
    period: str | None = None
    problems: list[Problem] = field(default_factory=list)
    accepted_indicators: list[str] = field(default_factory=list)
    blocked_indicators: list[str] = field(default_factory=list)
    n_figures: int = 0
    n_activities: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def rejected_whole(self) -> bool:
        return any(p.type.file_level for p in self.problems)

    @property
    def status(self) -> str:
        if self.rejected_whole:
            return REJECTED
        if self.blocked_indicators:
            return PARTIAL if self.accepted_indicators else REJECTED
        return ACCEPTED

    def counts(self) -> dict[str, int]:
        return dict(Counter(p.code for p in self.problems))

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "unit_name": self.unit_name,
            "file": self.file,
            "sha256": self.sha256,
            "period": self.period,
            "status": self.status,
            "status_vi": FILE_STATUS_VI[self.status],
            "accepted_indicators": self.accepted_indicators,
            "blocked_indicators": self.blocked_indicators,
            "counts": self.counts(),
            "issues": [p.to_dict() for p in sorted(self.problems, key=sort_key)],
        }


def sort_key(p: Problem) -> tuple:
    """Errors before warnings, then by sheet and row order of the cell."""
    from tonghop.cells import cell_sort_key

    return (p.severity != ERROR, p.sheet, cell_sort_key(p.cell), p.code)
