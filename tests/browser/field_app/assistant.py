"""Helpers shared by the assistant's field-app tests: camera photos made here (Pillow), the
court's view of a record through the API, the file the court stored, and a recorder of the
bytes a phone uploads (so a test can hash exactly what left the phone)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import factories
from tests.browser.field_app.conftest import EXPECTED, HOME


def camera_jpeg(width: int, height: int, *, noise: bool = False,
                taken: str | None = None) -> bytes:
    """A JPEG as a phone camera hands it over: a gradient (small) or noise (a few MB, the
    worst case for a slow link), with EXIF DateTimeOriginal ``YYYY:MM:DD HH:MM:SS``."""
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def photo_file(data: bytes, name: str = "IMG_0001.jpg") -> dict[str, Any]:
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def api_get(live_server: str, user: Any, path: str) -> Any:
    """GET an API path as ``user`` (signed in from a device of the test's own)."""
    token = requests.post(f"{live_server}/api/v1/auth/login", json={
        "username": user.username, "password": factories.PASSWORD,
        "device_id": "api-check"}, timeout=30).json()["access_token"]
    response = requests.get(f"{live_server}/api/v1{path}", headers={
        "Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def stored_file(app: Any, court_id: str, sha256: str) -> bytes:
    """The bytes the court stored under this SHA-256 (ATTACHMENTS_DIR/<court>/<aa>/<sha>)."""
    return (Path(app.config["ATTACHMENTS_DIR"]) / court_id / sha256[:2] / sha256).read_bytes()


@dataclass
class Uploads:
    """Records every upload request the phone makes (tus POST/PATCH bodies at their offsets);
    ``cut_after_patches`` drops the link at that PATCH and keeps it down until ``restore``."""

    cut_after_patches: int | None = None
    requests: list[tuple[str, int, int]] = field(default_factory=list)
    chunks: list[tuple[int, bytes]] = field(default_factory=list)
    patches: int = 0
    down: bool = False

    def install(self, context: Any) -> None:
        context.route("**/api/v1/attachments**", self._handle)

    def restore(self) -> None:
        self.down = False

    def _handle(self, route: Any, request: Any) -> None:
        offset = int(request.headers.get("upload-offset", "0"))
        if request.method == "PATCH":
            self.patches += 1
            if self.patches == self.cut_after_patches:
                self.down = True
        if self.down:
            self.requests.append((request.method, offset, -1))
            route.abort("internetdisconnected")
            return
        body = request.post_data_buffer if request.method in ("POST", "PATCH") else None
        self.requests.append((request.method, offset, len(body or b"")))
        if body:
            self.chunks.append((offset, body))
        route.continue_()

    def sent_bytes(self) -> bytes:
        """The file as the phone sent it, chunk by chunk at each chunk's offset."""
        out = bytearray()
        for offset, body in sorted(self.chunks, key=lambda c: c[0]):
            out[offset:offset + len(body)] = body
        return bytes(out)

    def sent_sha256(self) -> str:
        return hashlib.sha256(self.sent_bytes()).hexdigest()


@contextmanager
def another_phone(browser: Any, live_server: str) -> Iterator[Any]:
    """A second phone (its own storage and device id), set up as the ``phone`` fixture's:
    390×844, Chinese, at HOME; its pages' warnings and errors land in ``.problems``."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        geolocation={"longitude": HOME[0], "latitude": HOME[1], "accuracy": 15},
        permissions=["geolocation"], base_url=live_server)
    context.set_default_timeout(20_000)
    context.problems = []

    def watch(page: Any) -> None:
        page.on("console", lambda m: m.type in ("warning", "error")
                and not any(s in m.text for s in EXPECTED)
                and context.problems.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: context.problems.append(f"pageerror: {e}"))

    context.on("page", watch)
    try:
        yield context
    finally:
        context.close()


def sync_until(page: Any, selector: str, rounds: int = 40) -> None:
    """Press 同步 until ``selector`` shows: the server hands out a change once every older
    transaction (in the whole cluster) has ended, so on a busy machine it may come a pull
    later (docs/sync.md, "Never skips")."""
    for _ in range(rounds):
        if page.locator(selector).count():
            return
        page.click("nav [aria-selected=true]")  # redraw: what the last sync brought
        page.wait_for_selector("#sync:not([disabled])")
        page.click("#sync")
        try:
            page.wait_for_selector(selector, timeout=1000)
            return
        except PlaywrightTimeout:  # not there yet: sync again
            continue
    raise AssertionError(f"never showed: {selector}")
