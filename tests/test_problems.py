"""The problem catalogue: every code's message and fix reach every output filled in."""
from __future__ import annotations

import json
import re
import string
from datetime import date, datetime, timezone

import openpyxl

from tonghop.config import Period
from tonghop.mail.build import build_report_message, build_unknown_sender_notice
from tonghop.reports.listing import problems_csv
from tonghop.problems import PROBLEM_TYPES, Problem, ValidationReport
from tonghop.intake.read import ParsedFile
from tonghop.reports.annotate import annotate_workbook
from tonghop.reports.consolidated import write_consolidated_reports
from tonghop.reports.submission import render_html, render_json
from tonghop.store import open_db
from tonghop.store.repo import refresh_current, save_checked
from tonghop.check.validate import CheckedFile

PERIOD = Period.parse("2025-Y")
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")      # a str.format field left unfilled


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def filled(code: str, row: int) -> Problem:
    """One occurrence of `code` with every field its message and fix name given a value, as the checks do."""
    t = PROBLEM_TYPES[code]
    params = {name: f"v-{name}" for name in fields(t.template) | fields(t.fix)}
    sheet = "Biểu 02" if code in {"unknown-activity", "participants-mismatch", "not-whole-number"} else "Biểu 01"
    return Problem(code, "" if t.file_level else sheet, "" if t.file_level else f"G{row}",
                   params.pop("value", "v-value"), None, params)


def every_code() -> list[Problem]:
    return [filled(code, 9 + i) for i, code in enumerate(PROBLEM_TYPES)]


def report(problems: list[Problem], sha: str) -> ValidationReport:
    return ValidationReport(file="syt.xlsx", sha256=sha, unit="SYT", unit_name="Sở Y tế", period=PERIOD.code,
                            problems=problems, accepted_indicators=["4.1"], blocked_indicators=["4.2"])


def texts_of(msg) -> list[str]:
    return [part.get_content() for part in msg.walk() if part.get_content_type() in ("text/plain", "text/html")
            and not part.get_filename()]


def workbook(path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Biểu 01"
    wb.create_sheet("Biểu 02")
    wb.save(path)


def test_every_problem_code_is_filled_in_in_every_output(config, tmp_path):
    xlsx = tmp_path / "syt.xlsx"
    workbook(xlsx)
    outputs: dict[str, str] = {}
    for i, problem in enumerate(every_code()):
        rep = report([problem], f"{i:064d}")
        marked = annotate_workbook(xlsx, [problem], tmp_path / f"danh-dau-{i}")
        comments = [] if marked is None else [c.comment.text for ws in openpyxl.load_workbook(marked)
                                              for row in ws.iter_rows() for c in row if c.comment]
        message = build_report_message(rep, config=config, period=PERIOD, recipients=["syt@sonla.gov.vn"],
                                       deadline=date(2025, 11, 25), annotated_copy=None, today=date(2025, 11, 18))
        notice = build_unknown_sender_notice(rep, config=config, period=PERIOD)
        outputs.update({
            f"{problem.code} JSON": "\n".join(f"{i['message']} {i['fix']}"
                                                 for i in json.loads(render_json(rep))["issues"]),
            f"{problem.code} HTML": render_html(rep, period_vi=PERIOD.vi, resend_by="chậm nhất ngày 25/11/2025",
                                                province="Sơn La"),
            f"{problem.code} e-mail": "\n".join(texts_of(message)),
            f"{problem.code} notice": "\n".join(texts_of(notice)),
            f"{problem.code} comment": "\n".join(comments),
            f"{problem.code} CSV": problems_csv([problem]).decode("utf-8-sig"),
        })
        # the fix of this very problem, with its fields filled, is what the submitter reads
        assert problem.fix in outputs[f"{problem.code} e-mail"] and problem.fix in outputs[f"{problem.code} CSV"]
    # the province workbook's problem sheet: every code that leaves the file current (a file rejected whole
    # is never the unit's current file, so its problems are not open problems of the round)
    placed = [p for p in every_code() if not p.type.file_level]
    path = tmp_path / "tinh.xlsx"
    path.write_bytes(b"x")
    item = CheckedFile(ParsedFile(path, "f" * 64, 1, header={"unit_code": "SYT"}), report(placed, "f" * 64),
                       config.units["SYT"])
    engine = open_db(f"sqlite:///{tmp_path / 'tonghop.db'}")
    save_checked(engine, [(item, datetime(2025, 11, 20, tzinfo=timezone.utc))], PERIOD.code)
    refresh_current(engine, PERIOD.code)
    _, paths = write_consolidated_reports(engine, config, PERIOD, tmp_path / "out")
    engine.dispose()
    ws = openpyxl.load_workbook(paths["province_xlsx"])["Vấn đề"]
    sheet = [str(c.value) for row in ws.iter_rows(min_row=5) for c in row if c.value is not None]
    assert len([v for v in sheet if v in {p.type.title for p in placed}]) == len(placed)
    outputs["province workbook"] = "\n".join(sheet)
    left = {name: PLACEHOLDER.findall(text) for name, text in outputs.items() if PLACEHOLDER.search(text)}
    assert left == {}


def test_one_catalogue_with_two_scopes():
    """The national consolidation's problems live in the same catalogue: a code shared by both scopes has one
    title, one severity and one reach (file or row); only the wording differs (cells vs. CSV columns)."""
    from tonghop.national import consolidate as national
    from tonghop.problems import CATALOGUE, NATIONAL, NATIONAL_PROBLEM_TYPES, SUBMISSION

    assert CATALOGUE == {SUBMISSION: PROBLEM_TYPES, NATIONAL: NATIONAL_PROBLEM_TYPES}
    assert national.PROBLEMS is NATIONAL_PROBLEM_TYPES
    assert {t.scope for t in PROBLEM_TYPES.values()} == {SUBMISSION}
    assert {t.scope for t in NATIONAL_PROBLEM_TYPES.values()} == {NATIONAL}
    shared = sorted(PROBLEM_TYPES.keys() & NATIONAL_PROBLEM_TYPES.keys())
    assert shared == ["duplicate-row", "file-unreadable", "invalid-sex", "missing-value", "negative-value",
                      "not-a-number", "not-boolean", "not-whole-number", "numerator-above-denominator",
                      "period-mismatch", "unknown-indicator", "value-mismatch", "zero-denominator"]
    assert [c for c in shared if (PROBLEM_TYPES[c].title, PROBLEM_TYPES[c].severity, PROBLEM_TYPES[c].file_level)
            != (NATIONAL_PROBLEM_TYPES[c].title, NATIONAL_PROBLEM_TYPES[c].severity,
                NATIONAL_PROBLEM_TYPES[c].file_level)] == []
    assert NATIONAL_PROBLEM_TYPES["not-whole-number"].severity == "warning"
