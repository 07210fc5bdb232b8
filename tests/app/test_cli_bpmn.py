"""``sunshine bpmn check``: output format and exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from app.commands.bpmn import bpmn, forms_checker
from tests.engine.bpmn.big_models import many_tasks

FIXTURES = Path(__file__).resolve().parents[1] / "engine" / "bpmn" / "fixtures"
NO_TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:laneSet id="LS">
      <bpmn:lane id="L" name="审核">
        <bpmn:flowNodeRef>Task_review</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="S" />
    <bpmn:userTask id="Task_review" name="Review" />
    <bpmn:endEvent id="E" />
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="Task_review" />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_review" targetRef="E" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(autouse=True)
def _no_forms(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Run where there is no forms/ folder and no SUNSHINE_FORMS_DIR, so the form check is skipped.
    monkeypatch.delenv("SUNSHINE_FORMS_DIR", raising=False)
    monkeypatch.delenv("SUNSHINE_MAX_BPMN_BYTES", raising=False)
    monkeypatch.chdir(tmp_path)


def _run(*args: str) -> Result:
    return CliRunner().invoke(bpmn, ["check", *args])


def test_good_file_is_ok() -> None:
    result = _run(str(FIXTURES / "good.bpmn"))
    assert result.exit_code == 0, result.output
    assert result.output == f"{FIXTURES / 'good.bpmn'}: OK\n"


def test_problems_are_listed_one_per_line_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "no_timer.bpmn"
    path.write_text(NO_TIMER, encoding="utf-8")
    result = _run(str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{path}: 有 1 个错误，不可执行"
    assert any(
        line.startswith("  第 8 行 · Task_review「Review」: 这个办理步骤没有办理时限") for line in lines
    )


def test_problems_in_english(tmp_path: Path) -> None:
    path = tmp_path / "no_timer.bpmn"
    path.write_text(NO_TIMER, encoding="utf-8")
    result = _run(str(path), "--lang", "en")
    assert result.exit_code == 1
    assert '  line 8 · Task_review "Review": This step has no time limit.' in result.output


def test_descriptive_model_is_displayable_not_executable() -> None:
    result = _run(str(FIXTURES / "descriptive.bpmn"))
    assert result.exit_code == 3  # its own exit code: no errors, but it cannot run
    lines = result.output.splitlines()
    assert lines[0] == f"{FIXTURES / 'descriptive.bpmn'}: 可展示，不可执行"
    assert "Process_external" in lines[1] and "isExecutable" in lines[1]
    english = _run(str(FIXTURES / "descriptive.bpmn"), "--lang", "en")
    assert english.output.splitlines()[0].endswith(": displayable, not executable")


def test_missing_file_and_directory_are_messages_not_tracebacks(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "nope.bpmn"), str(tmp_path))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "找不到文件" in result.output
    assert "是一个文件夹" in result.output
    assert "Traceback" not in result.output


def test_one_bad_file_fails_the_run(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bpmn"
    junk.write_bytes(bytes(range(256)))
    result = _run(str(FIXTURES / "good.bpmn"), str(junk))
    assert result.exit_code == 1
    assert f"{FIXTURES / 'good.bpmn'}: OK" in result.output
    assert f"{junk}:" in result.output and "二进制" in result.output


def test_forms_dir_option(tmp_path: Path) -> None:
    forms = tmp_path / "myforms"
    forms.mkdir()
    result = _run(str(FIXTURES / "good.bpmn"), "--forms-dir", str(forms))
    assert result.exit_code == 1
    assert "accept-schema.json" in result.output
    (forms / "accept-schema.json").write_text("{}", encoding="utf-8")
    assert _run(str(FIXTURES / "good.bpmn"), "--forms-dir", str(forms)).exit_code == 0


def test_a_broken_form_is_reported_at_the_step_as_deploy_would(tmp_path: Path) -> None:
    forms = tmp_path / "myforms"
    forms.mkdir()
    (forms / "accept-schema.json").write_text("{not json", encoding="utf-8")
    broken = _run(str(FIXTURES / "good.bpmn"), "--forms-dir", str(forms))
    assert broken.exit_code == 1 and "accept-schema.json" in broken.output
    (forms / "accept-schema.json").write_text(
        '{"type": "object", "properties": {"sent": {"type": "string", "format": "date", "x-not-before": "made"}}}',
        encoding="utf-8")
    misused = _run(str(FIXTURES / "good.bpmn"), "--forms-dir", str(forms))
    assert misused.exit_code == 1
    assert "表单“accept-schema.json”写得有误" in misused.output and "引用的字段“made”不在本表单中" in misused.output


def test_forms_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_FORMS_DIR", str(tmp_path))
    assert _run(str(FIXTURES / "good.bpmn")).exit_code == 1
    (tmp_path / "accept-schema.json").write_text("{}", encoding="utf-8")
    assert _run(str(FIXTURES / "good.bpmn")).exit_code == 0


def test_local_forms_folder_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "forms").mkdir()
    result = _run(str(FIXTURES / "good.bpmn"))
    assert result.exit_code == 1 and "accept-schema.json" in result.output


def test_promised_and_legal_days(tmp_path: Path) -> None:
    result = _run(str(FIXTURES / "good.bpmn"), "--promised-days", "5", "--legal-days", "4")
    assert result.exit_code == 1
    assert "超过了承诺时限 5 个工作日" in result.output
    assert "超过了法定时限 4 个工作日" in result.output


def test_oversize_file_via_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_MAX_BPMN_BYTES", "1000")
    result = _run(str(FIXTURES / "good.bpmn"))
    assert result.exit_code == 1
    assert "文件太大" in result.output


def test_forms_checker_stays_inside_its_folder(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    (tmp_path / "secret.json").write_text("{}", encoding="utf-8")
    (forms / "review.json").write_text("{}", encoding="utf-8")
    exists = forms_checker(forms)
    assert exists("review") and exists("review.json")
    assert not exists("../secret.json") and not exists("../secret")


def test_a_limit_taken_from_case_data_is_checked_against_the_forms_folder(tmp_path: Path) -> None:
    runtime = Path(__file__).resolve().parents[1] / "engine" / "runtime"
    model = runtime / "fixtures" / "permit_days.bpmn"
    result = _run(str(model), "--forms-dir", str(runtime / "forms"))
    assert result.exit_code == 0, result.output
    assert "办件数据“review_days”" in result.output
    typo = model.read_text(encoding="utf-8").replace("workdays(review_days)", "workdays(reveiw_days)")
    (tmp_path / "typo.bpmn").write_text(typo, encoding="utf-8")
    result = _run(str(tmp_path / "typo.bpmn"), "--forms-dir", str(runtime / "forms"))
    assert result.exit_code == 1 and "“reveiw_days”无法识别" in result.output


def test_a_large_file_is_reported_with_its_real_size_and_a_pipe_does_not_hang(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_MAX_BPMN_BYTES", "1000")
    big = tmp_path / "big.bpmn"
    big.write_bytes(b"<x>" + b" " * 5000 + b"</x>")
    result = _run(str(big))
    assert result.exit_code == 1 and "5007 字节" in result.output and "1000 字节" in result.output

    pipe = tmp_path / "pipe.bpmn"
    os.mkfifo(pipe)  # opening it for reading would wait for a writer forever
    result = _run(str(pipe))
    assert result.exit_code == 1 and "不是普通文件" in result.output


# ---- verdicts, exit codes, JSON and long lists (issue 12 §2.3, §4.3) ------------------------------------

OTHER_TOOLS = FIXTURES / "other_tools"


def test_exit_codes_tell_running_from_showing_from_errors(tmp_path: Path) -> None:
    good, descriptive = str(FIXTURES / "good.bpmn"), str(FIXTURES / "descriptive.bpmn")
    broken = tmp_path / "no_timer.bpmn"
    broken.write_text(NO_TIMER, encoding="utf-8")
    assert _run(good).exit_code == 0
    assert _run(descriptive).exit_code == 3
    assert _run(good, descriptive).exit_code == 3  # nothing wrong, but one file can only be shown
    assert _run(good, descriptive, str(broken)).exit_code == 1  # errors win
    assert _run(str(tmp_path / "missing.bpmn")).exit_code == 1


def test_a_model_from_another_engine_gets_a_verdict_header_and_one_line_per_message() -> None:
    path = OTHER_TOOLS / "camunda7_permit.bpmn"
    result = _run(str(path))
    assert result.exit_code == 1
    header, *body = result.output.splitlines()
    assert header.startswith(f"{path}: 有 ") and header.endswith("个错误，不可执行（可展示）")
    assert body and all(line.startswith("  ") for line in body)  # a name drawn on two lines stays on one
    assert any("Task_accept「受理 申请」" in line for line in body)
    assert any("（说明）来自 Camunda 的流程图，平台沿用了：泳道作为岗位（受理、审核、批准）" in line for line in body)
    assert "Traceback" not in result.output and "0x" not in result.output


def test_json_output_for_scripts() -> None:
    paths = [FIXTURES / "good.bpmn", FIXTURES / "descriptive.bpmn", OTHER_TOOLS / "flowable_leave.bpmn"]
    result = _run(*map(str, paths), "--format", "json", "--lang", "en")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["version"] == 1 and report["exit_code"] == 1
    good, descriptive, flowable = report["files"]
    assert (good["file"], good["verdict"], good["executable"], good["problems"]) == (str(paths[0]), "ok", True, [])
    assert descriptive["verdict"] == "displayable" and descriptive["displayable"] and not descriptive["executable"]
    assert flowable["verdict"] == "invalid" and flowable["errors"] > 0 and flowable["omitted"] == 0
    problem = flowable["problems"][0]
    assert set(problem) == {"code", "severity", "line", "element_id", "element_name", "message"}
    assert problem["severity"] == "error" and problem["line"] and problem["message"]
    assert {n["code"] for n in flowable["notes"]} >= {"note.kept", "note.ignored_settings"}


def test_long_lists_are_cut_with_a_count(tmp_path: Path) -> None:
    path = tmp_path / "many.bpmn"
    path.write_bytes(many_tasks(300))
    result = _run(str(path), "--max-problems", "5")
    lines = result.output.splitlines()
    assert len(lines) == 1 + 5 + 1
    assert lines[-1] == "  ……还有 1196 个问题未列出（共 1201 个；用 --max-problems 0 列出全部）。"
    assert len(_run(str(path), "--max-problems", "0").output.splitlines()) == 1 + 1201
    data = json.loads(_run(str(path), "--format", "json", "--max-problems", "5").output)
    assert len(data["files"][0]["problems"]) == 5 and data["files"][0]["omitted"] == 1196


def test_two_hundred_thousand_tasks_print_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "huge.bpmn"
    path.write_bytes(many_tasks(200_000))
    result = _run(str(path))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}: 有 1 个错误，不可执行",
        "  第 2 行 · Definitions_big: 流程图有 200,003 个步骤和连线，超过平台上限 3,000 个。"
        "政务流程图通常只有几十个步骤：请确认选对了文件，或把流程拆成几个流程图。",
    ]
