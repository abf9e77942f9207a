"""``flask seed demo``: load the demo county (正宁县) into the database.

Register with ``app.cli.add_command(seed)``. The command finds the engine at
``current_app.extensions["gridwork"].db.engine``.
"""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from seed.load import DemoRefused, LoadReport, load_demo

seed = AppGroup(
    "seed",
    help="Demo data for trying Gridwork out.\n\n演示数据：用于试用 Gridwork 的示例县。",
)
seed_cli = seed
"""The same group under a name that does not shadow the ``seed`` package."""


@seed.command(
    "demo",
    help=(
        "Load the demo county: Zhengning (正宁县), Gansu, with its court, 10 township grids, "
        "~100 village grids, 235 grid assistants, ~2,000 cases and two years of leads, "
        "rounds, mediation and supervision. All demo users sign in with the password "
        "'gridwork-demo'. Safe to run twice (the second run does nothing); refuses a "
        "database that holds real (non-demo) courts.\n\n"
        "加载演示县（甘肃省正宁县）：法院、10 个乡镇网格、约 100 个村网格、235 名网格协执员、"
        "约 2000 件执行案件，以及线索、集中执行、调解和代表监督等数据。所有演示账号的密码均为 "
        "gridwork-demo。重复运行不会重复加载；数据库中已有正式（非演示）法院时拒绝加载。"
    ),
)
@click.option(
    "--scale", type=click.IntRange(min=1), default=1, show_default=True,
    help="Multiply assistants, cases and field records by N (for load tests). "
         "按倍数放大协执员、案件和现场数据（用于压力测试）。",
)
@click.option(
    "--seed", "seed_value", type=int, default=2024, show_default=True,
    help="Random seed; the same seed gives the same county. 随机种子，相同种子生成相同数据。",
)
@click.option(
    "--quiet", is_flag=True,
    help="No progress bar and no per-table counts. 不显示进度条和分表统计。",
)
def demo(scale: int, seed_value: int, quiet: bool) -> None:
    from flask import current_app

    engine = current_app.extensions["gridwork"].db.engine
    started = time.perf_counter()
    try:
        report = load_demo(engine, scale=scale, seed=seed_value, progress=not quiet)
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from None
    elapsed = time.perf_counter() - started
    if report.already_loaded:
        click.echo(
            f"The demo court is already loaded (court {report.court_id}); nothing to do.\n"
            "演示法院已加载，无需重复加载。"
        )
        return
    _summary(report, elapsed, quiet)


def _summary(report: LoadReport, elapsed: float, quiet: bool) -> None:
    click.echo(
        f"Loaded the demo county (scale {report.scale}, seed {report.seed}): "
        f"{report.total_rows:,} rows in {elapsed:.1f} s "
        f"(generate {report.generate_seconds:.1f} s, write {report.load_seconds:.1f} s).\n"
        f"演示数据加载完成：共 {report.total_rows:,} 行，用时 {elapsed:.1f} 秒。"
    )
    if not quiet:
        click.echo("")
        width = max(len(name) for name in report.counts)
        for name, count in report.counts.items():
            click.echo(f"  {name:<{width}}  {count:>8,}")
    click.echo("")
    click.echo("Demo logins / 演示账号:")
    rows = [("username", "role", "password", "name", "who")] + [
        (login.username, login.role.value, report.password, login.display_name, login.note)
        for login in report.logins
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(4)]
        click.echo("  " + "  ".join(cells) + "  " + row[4])


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
