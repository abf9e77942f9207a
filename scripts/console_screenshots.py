"""Take the console's screenshots for docs/console.md (map, triage queue, a planned round).

Run it against a server with the demo county loaded (`make run` in another terminal):

    .venv/bin/python scripts/console_screenshots.py --base http://127.0.0.1:8000

It signs in as the demo judge, opens each screen in Debian's headless Chromium (no
internet: every host but 127.0.0.1 is unresolvable), creates and plans a round over the
first township it lists, and writes docs/img/console-{map,triage,round}.png.

为文档截取控制台的三张图（地图、线索分诊、已规划的集中执行批次）；需先用 `make run`
加载演示县并启动服务。
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import chromium  # noqa: E402

OUT = ROOT / "docs" / "img"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#main-map[data-loaded=true]", timeout=60_000)


def shoot(base: str, username: str, password: str, lang: str) -> list[Path]:
    args = [f for f in chromium.FLAGS if not f.startswith(("--headless", "--window-size"))]
    OUT.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium.CHROMIUM, args=args)
        context = browser.new_context(locale=lang, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(60_000)
        page = context.new_page()
        if lang == "en":
            page.goto(f"{base}/console/")
            page.click("#lang-switch")
        sign_in(page, base, username, password)
        shots.append(OUT / "console-map.png")
        page.screenshot(path=str(shots[-1]))

        page.goto(f"{base}/console/#triage")
        page.wait_for_selector("#triage-queue li[data-lead-id]")
        flagged = page.locator("#triage-queue li[data-lead-id]:has(.badge)")
        (flagged.first if flagged.count() else page.locator(
            "#triage-queue li[data-lead-id]").first).click()
        page.wait_for_selector("#triage-actions")
        page.wait_for_load_state("networkidle")
        shots.append(OUT / "console-triage.png")
        page.screenshot(path=str(shots[-1]))

        page.goto(f"{base}/console/#rounds")
        page.wait_for_selector("#round-map[data-villages]")
        page.wait_for_selector("#round-form")
        page.locator("#round-map path.leaflet-interactive").first.click(force=True)
        page.click("#create-round")
        page.wait_for_selector("#round-title[data-status=planned]", timeout=120_000)
        shots.append(OUT / "console-round.png")
        page.screenshot(path=str(shots[-1]))
        browser.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000",
                        help="the running server / 正在运行的服务地址")
    parser.add_argument("--username", default="judge1", help="demo judge / 演示法官账号")
    parser.add_argument("--password", default="gridwork-demo", help="password / 密码")
    parser.add_argument("--lang", default="zh-CN", choices=("zh-CN", "en"),
                        help="console language / 界面语言")
    options = parser.parse_args()
    for path in shoot(options.base.rstrip("/"), options.username, options.password,
                      options.lang):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
