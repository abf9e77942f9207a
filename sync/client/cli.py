"""``python -m sync.client``: play a phone against a running server from the terminal.

模拟一部手机：离线新建和修改线索，然后推送、拉取、查看冲突。
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sync.client.core import DeviceRevoked, SyncClient, SyncError
from sync.client.store import LocalStore
from sync.client.transport import HttpTransport, NetworkError

DESCRIPTION = """\
Simulate a phone against a Gridwork server: edit offline, then push and pull.
模拟一部手机连接 Gridwork 服务器：离线编辑，然后推送和拉取。

Example 示例:
  python -m sync.client --server http://127.0.0.1:8000 --user assistant1 \\
      --password gridwork-demo --device my-phone login
  python -m sync.client ... create-lead --kind vehicle --description "三轮车在院里" \\
      --lon 108.305 --lat 35.405 --datum gcj02
  python -m sync.client ... sync
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sync.client", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", default="http://127.0.0.1:8000",
                   help="server base URL 服务器地址 (default %(default)s)")
    p.add_argument("--user", required=True, help="username 用户名")
    p.add_argument("--password", default=os.environ.get("GRIDWORK_PASSWORD"),
                   help="password, or set GRIDWORK_PASSWORD 密码（或环境变量 GRIDWORK_PASSWORD）")
    p.add_argument("--device", required=True, help="this phone's device id 设备编号")
    p.add_argument("--store", type=Path, default=None,
                   help="local SQLite file 本地数据库文件 "
                        "(default .gridwork-client/DEVICE.sqlite3)")
    p.add_argument("--schema-version", type=int, default=1, help="client schema version 客户端版本")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("login", help="sign in and register this device 登录并登记设备")
    sub.add_parser("status", help="records, outbox and cursor on this device 本机状态")
    lead = sub.add_parser("create-lead", help="report a lead offline 离线上报线索")
    lead.add_argument("--kind", required=True,
                      help="vehicle, real_estate, debtor_whereabouts, other… 线索类型")
    lead.add_argument("--description", default="", help="what you saw 描述")
    lead.add_argument("--debtor-text", default=None, help="who it is about 涉及的被执行人")
    lead.add_argument("--urgency", default=None, help="low, normal, high 紧急程度")
    lead.add_argument("--lon", type=float, default=None, help="longitude 经度")
    lead.add_argument("--lat", type=float, default=None, help="latitude 纬度")
    lead.add_argument("--datum", default="gcj02", help="wgs84, gcj02 or bd09 坐标系")
    edit = sub.add_parser("edit", help="change fields of a record offline 离线修改记录")
    edit.add_argument("id", help="record id 记录编号")
    edit.add_argument("--table", default="lead", help="synced table 表名 (default lead)")
    edit.add_argument("--set", dest="values", action="append", default=[], metavar="FIELD=VALUE",
                      required=True, help="a field to set (VALUE may be JSON) 要修改的字段")
    delete = sub.add_parser("delete", help="withdraw a record offline 离线撤回记录")
    delete.add_argument("id", help="record id 记录编号")
    delete.add_argument("--table", default="lead", help="synced table 表名 (default lead)")
    sub.add_parser("push", help="send the outbox 推送离线修改")
    sub.add_parser("pull", help="receive changes 拉取更新")
    sub.add_parser("sync", help="push, then pull 先推送后拉取")
    sub.add_parser("conflicts", help="conflicts the server reported 查看冲突")
    sub.add_parser("refused", help="records the server refused, still on this device; fix "
                   "them with edit, or discard 查看被拒记录（用 edit 修改后重发，或 discard 丢弃）")
    discard = sub.add_parser("discard", help="let a refused record go 丢弃被拒记录")
    discard.add_argument("table")
    discard.add_argument("id")
    return p


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _print(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _pull(client: SyncClient) -> dict[str, Any]:
    bootstrap = client.store.get("cursor") is None
    with tqdm(desc="pull 拉取", unit=" rows", disable=not bootstrap or not sys.stderr.isatty()
              ) as bar:
        stats = client.pull(progress=bar.update)
    return {"pages": stats.pages, "upserts": stats.upserts, "deletes": stats.deletes,
            "evictions": stats.evictions, "bootstrap": stats.bootstrap}


def _summary(results: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return counts


def _run(client: SyncClient, args: argparse.Namespace) -> Any:
    if args.command == "login":
        body = client.login()
        return {k: body[k] for k in ("user_id", "court_id", "role", "device_id")}
    if args.command == "status":
        records = client.store.records()
        return {"records": {t: len(r) for t, r in records.items()},
                "outbox": [m.to_json() for m in client.store.outbox()],
                "cursor": client.store.get("cursor"), "conflicts": len(client.store.conflicts()),
                "refused": len(client.store.refused())}
    if args.command == "create-lead":
        fields: dict[str, Any] = {"kind": args.kind, "description": args.description}
        for name in ("debtor_text", "urgency"):
            if getattr(args, name) is not None:
                fields[name] = getattr(args, name)
        if args.lon is not None and args.lat is not None:
            fields["point"] = {"lon": args.lon, "lat": args.lat, "datum": args.datum}
        return {"id": client.create("lead", fields), "queued": True}
    if args.command == "edit":
        values = dict(item.split("=", 1) for item in args.values)
        client.edit(args.table, args.id, {k: _value(v) for k, v in values.items()})
        return {"id": args.id, "queued": True}
    if args.command == "delete":
        client.delete(args.table, args.id)
        return {"id": args.id, "queued": True}
    if args.command == "push":
        results = client.push()
        return {"pushed": _summary(results), "results": results}
    if args.command == "pull":
        return _pull(client)
    if args.command == "sync":
        results = client.push()
        return {"pushed": _summary(results), "pulled": _pull(client)}
    if args.command == "refused":
        return {"local": client.store.refused(), "server": client.server_rejections()}
    if args.command == "discard":
        client.discard(args.table, args.id)
        return {"id": args.id, "discarded": True}
    return {"local": client.store.conflicts(), "server": client.server_conflicts()}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    store = LocalStore(args.store or Path(".gridwork-client") / f"{args.device}.sqlite3")
    transport = HttpTransport(args.server)
    client = SyncClient(store, transport, username=args.user, password=args.password,
                        device_id=args.device, schema_version=args.schema_version)
    try:
        _print(_run(client, args))
    except DeviceRevoked as exc:
        print(f"device revoked, local data wiped 设备已停用，本地数据已清除: {exc}",
              file=sys.stderr)
        return 3
    except (SyncError, NetworkError, KeyError) as exc:
        print(f"error 错误: {exc}", file=sys.stderr)
        return 1
    finally:
        transport.close()
        store.close()
    return 0
