"""``sunshine catalog``: export the public catalog as JSON or Excel, and import such a file back.

Exit codes of ``import``: 0 every row imported, 1 some rows rejected (the others are imported), 2 the file
cannot be read at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import click

from engine.catalog.export import export_json, export_xlsx
from engine.catalog.importer import ImportReport, ThroughReview, import_catalog
from engine.catalog.publish import Approval
from engine.db import transaction


def _fail(text: str, code: int = 2) -> NoReturn:
    """A clear message and exit ``code``, never a traceback."""
    click.secho(f"错误：{text}", fg="red", err=True)
    raise click.exceptions.Exit(code)


@click.group("catalog")
def catalog() -> None:
    """行政职权目录：导出（JSON / Excel）与导入。"""


@catalog.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True,
              help="导出格式。")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写入此文件（JSON 缺省时输出到标准输出；Excel 必须指定）。")
@click.pass_obj
def export_cmd(obj: Any, fmt: str, output: Path | None) -> None:
    """导出已发布、已暂停的非涉密事项及其全部公开字段和流程图。"""
    if fmt == "xlsx" and output is None:
        _fail("导出 Excel 需用 --output 指定文件名，例如 --output 目录.xlsx。")
    with obj["sessions"]() as session:
        data = export_json(session) if fmt == "json" else export_xlsx(session)
    if output is None:
        click.echo(data)  # bytes go to the binary stream as they are: UTF-8 whatever the terminal's locale
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        _fail(f"无法写入 {output}：{exc.strerror or exc}")
    click.echo(f"已导出到 {output}（{len(data)} 字节）。", err=True)


def print_report(report: ImportReport, lang: str) -> None:
    """One line per accepted row, one per rejected row with all its reasons, then the totals (all on stdout)."""
    en = lang == "en"
    approval = report.migration
    if approval is not None:
        click.echo(f"Migration import, published without review on {approval.document} (approved by "
                   f"{approval.approver})." if en else
                   f"迁移导入：未经审核流程直接公布，批准文件 {approval.document}，批准人 {approval.approver}。")
    else:
        click.echo("Imported as adjustment requests: each row goes through the review process before it is "
                   "published." if en else "作为调整申请导入：每行已建调整申请并启动审核流程，公布前不生效。")
    for row in report.accepted:
        where = f"row {row.row}" if en else f"第 {row.row} 行"
        click.echo(f"{where}  {row.action_label(lang)}  {row.code}  {row.name}")
    for row in report.rejected:
        reasons = ("; " if en else "；").join(row.reasons)
        if en:
            click.secho(f"row {row.row} {row.name} not imported: {reasons}", fg="red")
        else:
            label = f"「{row.name}」" if row.name else ""
            click.secho(f"第 {row.row} 行{label}未导入：{reasons}", fg="red")
    total, ok, bad = len(report.accepted) + len(report.rejected), len(report.accepted), len(report.rejected)
    click.echo(f"{total} rows: {ok} imported, {bad} rejected." if en
               else f"共 {total} 行：导入 {ok} 行，拒绝 {bad} 行。")


@catalog.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--actor", default="cli", show_default=True, help="记入调整申请与审计日志的操作人。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="理由的语言。")
@click.option("--migration", "approval_document", default=None, metavar="批准文件文号",
              help="迁移导入：不经审核流程直接公布，须写明批准文件文号（并用 --approved-by 写明批准人）。")
@click.option("--approved-by", default=None, metavar="批准人", help="迁移导入的批准人。")
@click.pass_obj
def import_cmd(obj: Any, file: Path, actor: str, lang: str, approval_document: str | None,
               approved_by: str | None) -> None:
    """导入 JSON 或 Excel（.xlsx）目录文件：逐行校验，每行建立调整申请并启动审核流程；--migration 则直接公布。"""
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"无法读取 {file}：{exc.strerror or exc}")
    runtime = obj["runtime"]
    route: ThroughReview | Approval = ThroughReview(runtime)
    if approval_document is not None or approved_by is not None:
        route = Approval(approval_document or "", approved_by or "")
    with transaction(runtime.sessions) as session:
        report = import_catalog(session, data, file.name, actor=actor, forms=runtime.forms, route=route, lang=lang)
    if report.error:
        _fail(f"{file}：{report.error}")
    print_report(report, lang)
    raise click.exceptions.Exit(1 if report.rejected else 0)
