"""``sunshine catalog export / import``: files, stdout, the printed report and the exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner
from openpyxl import load_workbook

from app.cli import CliState
from app.commands.catalog import catalog
from tests.engine.catalog.test_export_import import build_catalog, runtime_for
from tests.settings import make_settings


def _invoke(db, *args: str):
    state = CliState(make_settings(database_url=db.url))
    state["sessions"] = db.sessions
    return CliRunner().invoke(catalog, list(args), obj=state)


def test_export_json_to_stdout_and_xlsx_to_a_file(db, tmp_path):
    codes = build_catalog(runtime_for(db))
    result = _invoke(db, "export")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {p["code"] for p in doc["powers"]} == {codes["license"], codes["penalty"], codes["confirmation"]}

    assert _invoke(db, "export", "--format", "xlsx").exit_code == 2  # Excel is never written to a terminal
    out = tmp_path / "目录.xlsx"
    result = _invoke(db, "export", "--format", "xlsx", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert load_workbook(out)["职权目录"].max_row == 5


def test_import_prints_each_rejected_row_and_exits_1(db, tmp_path):
    codes = build_catalog(runtime_for(db))
    good = next(p for p in json.loads(_invoke(db, "export").stdout)["powers"] if p["code"] == codes["confirmation"])
    rows = [{**good, "code": None, "name": "命令行新增"},
            {**good, "code": None, "name": "时限颠倒", "promised_limit_days": 30},
            {**good, "code": None, "name": "类别不明", "category": "nonsense"}]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = _invoke(db, "import", str(path), "--actor", "fazhiban", "--migration", "示府函〔2026〕12号",
                     "--approved-by", "王市长")
    assert result.exit_code == 1, result.output
    assert "第 1 行  新增  519900-TMZ-QR-0003  命令行新增" in result.output
    assert "第 2 行「时限颠倒」未导入：承诺时限（30 个工作日）超过法定时限（20 个工作日）。" in result.output
    assert "第 3 行「类别不明」未导入：未知的权力类别「nonsense」。" in result.output
    assert "共 3 行：导入 1 行，拒绝 2 行。" in result.output

    path.write_text(json.dumps([rows[0] | {"name": "全部通过"}], ensure_ascii=False), encoding="utf-8")
    result = _invoke(db, "import", str(path), "--lang", "en", "--migration", "示府函〔2026〕12号", "--approved-by",
                     "王市长")
    assert result.exit_code == 0, result.output
    assert "row 1  added  519900-TMZ-QR-0004  全部通过" in result.output


def test_unreadable_or_missing_file_exits_2_without_a_traceback(db, tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"{\"powers\": [1, 2,")
    for args in (["import", str(junk)], ["import", str(tmp_path / "missing.xlsx")]):
        result = _invoke(db, *args)
        assert result.exit_code == 2, result.output
        assert "错误：" in result.output and "Traceback" not in result.output
    assert "JSON 格式错误" in _invoke(db, "import", str(junk)).output
