"""``flask geo import`` and ``flask geo export``: township and village boundaries.

Register with ``app.cli.add_command(geo_cli)``. Commands call use cases and print; a bad
file ends with a one-line error and exit status 1, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from tqdm import tqdm

from api.smorest import db
from enforcement.errors import DomainError
from enforcement.grids import maps as grid_maps
from enforcement.grids.boundary_import import (
    GridImportReport,
    GridLevel,
    SourceOptions,
    import_grids,
)

geo_cli = AppGroup(
    "geo", help="Township and village grid boundaries.\n\n乡镇和村网格边界。")

LEVEL = click.option(
    "--level", type=click.Choice([lv.value for lv in GridLevel]), required=True,
    help="township (乡镇) or village (村网格).")
COURT = click.option(
    "--court", "court_code", default=None,
    help="Court code; may be left out when there is only one court. "
         "法院代码；只有一个法院时可省略。")


@geo_cli.command("import", help=(
    "Import boundaries from a Shapefile (.shp, or a .zip holding one), GeoJSON, "
    "GeoPackage or KML/KMZ (docs/boundaries.md). Reprojects to WGS-84, repairs invalid "
    "polygons, updates grids in place by code, "
    "links each village to the township holding most of it, reports overlaps and gaps "
    "(m²), and re-assigns every lead, sighting, visit, task answer, case address and "
    "debtor home to its grid. All or nothing: a bad file changes nothing.\n\n"
    "从 Shapefile（.shp 或 .zip）、GeoJSON、GeoPackage 或 KML/KMZ 导入边界："
    "转换为 WGS-84 坐标，修复无效多边形，"
    "按编码原地更新网格，将每个村归入覆盖其大部分面积的乡镇，报告重叠和缝隙（平方米），"
    "并把所有线索、现场发现、走访、任务回复、案件地址和被执行人住址重新分配到网格。"
    "文件有误时不做任何修改。"))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@LEVEL
@click.option("--name-field", default=None,
              help="Field holding the name (default: name, 名称, XZQMC…). 名称字段。")
@click.option("--code-field", default=None,
              help="Field holding the unique code (default: code, 编码, XZQDM…). 编码字段。")
@click.option("--encoding", default=None,
              help="Encoding of the attribute table when the file does not say or says "
                   "wrongly, e.g. GBK. 属性表编码，如 GBK。")
@click.option("--crs", default=None,
              help="Coordinate system when the file has none (no .prj) or a wrong one, "
                   "e.g. EPSG:4545. 坐标系，如 EPSG:4545。")
@click.option("--layer", default=None,
              help="Layer to read from a file holding several (GeoPackage). 图层名。")
@COURT
@click.option("--quiet", is_flag=True, help="No progress bar. 不显示进度条。")
def import_command(file: Path, level: str, name_field: str | None, code_field: str | None,
                   encoding: str | None, crs: str | None, layer: str | None,
                   court_code: str | None, quiet: bool) -> None:
    database = db()
    with tqdm(desc="import", unit="step", disable=quiet, leave=False) as bar:
        def progress(advance: int, total: int, label: str) -> None:
            bar.total = total
            bar.set_postfix_str(label, refresh=False)
            bar.update(advance)

        try:
            options = SourceOptions(name_field, code_field, encoding, crs, layer)
            report = import_grids(database, file, GridLevel(level), court_code=court_code,
                                  options=options, progress=progress)
        except DomainError as exc:
            raise click.ClickException(f"{exc.code}: {exc.detail or exc.code}") from None
    summarise(report, file)


@geo_cli.command("export", help=(
    "Write a court's township or village grids to a GeoJSON file (WGS-84).\n\n"
    "将法院的乡镇或村网格导出为 GeoJSON 文件（WGS-84）。"))
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@LEVEL
@COURT
def export_command(file: Path, level: str, court_code: str | None) -> None:
    database = db()
    try:
        body, count = grid_maps.export_layer(database, GridLevel(level), court_code)
    except DomainError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail or exc.code}") from None
    file.write_text(body, encoding="utf-8")
    click.echo(f"Wrote {count} {level} grids to {file}. 已导出 {count} 个网格。")


def summarise(report: GridImportReport, file: Path) -> None:
    """The summary table: what the import did, what is wrong with the layer, who moved."""
    crs = (f"{report.source_crs} → EPSG:4326" if report.reprojected else report.source_crs)
    click.echo(f"Imported {report.features} {report.level.value} boundaries from {file.name} "
               f"({crs}, text {report.encoding}) in {report.seconds:.1f} s.\n"
               f"已导入 {report.features} 个{_level_zh(report)}边界，"
               f"用时 {report.seconds:.1f} 秒。")
    for note in report.notes:
        click.echo(f"Note / 注意: {note}")
    _rows([("created / 新建", len(report.created), ""),
           ("updated / 更新", len(report.updated), ""),
           ("unchanged / 未变", len(report.unchanged), ""),
           ("repaired / 已修复", len(report.repaired), _codes(report.repaired)),
           ("stored grids repaired / 已存网格修复", len(report.stored_repaired),
            _codes(report.stored_repaired)),
           ("villages relinked / 村重新归属", len(report.relinked), _codes(report.relinked)),
           ("villages in no township / 无所属乡镇", len(report.orphans),
            _codes(report.orphans))])
    click.echo(f"\nOverlaps / 重叠: {len(report.overlaps)}")
    for overlap in report.overlaps:
        click.echo(f"  {' × '.join(overlap.codes):<30} {overlap.area_m2:>14,.1f} m²")
    click.echo(f"Gaps / 缝隙: {len(report.gaps)}")
    for gap in report.gaps:
        click.echo(f"  {_codes(list(gap.neighbours), 2):<30} {gap.area_m2:>14,.1f} m²"
                   f"  at {gap.lon:.5f}, {gap.lat:.5f}")
    click.echo("\nRe-assigned records / 记录重新分配:")
    click.echo(f"  {'table':<20} {'changed':>8} {'moved between grids / 换网格':>12}")
    for row in report.reassigned:
        click.echo(f"  {row.table:<20} {row.updated:>8,} {row.moved:>12,}")
    click.echo(f"  {'total':<20} {sum(r.updated for r in report.reassigned):>8,} "
               f"{report.moved:>12,}")


def _rows(rows: list[tuple[str, int, str]]) -> None:
    for label, count, detail in rows:
        click.echo(f"  {label:<36} {count:>6,}  {detail}".rstrip())


def _codes(codes: list[str], limit: int = 8) -> str:
    more = f" … (+{len(codes) - limit})" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more


def _level_zh(report: GridImportReport) -> str:
    return "乡镇" if report.level is GridLevel.TOWNSHIP else "村网格"
