"""Everything a phone's browser holds in IndexedDB for the app's origin, read the way anyone
holding the phone could read it: every database (``indexedDB.databases()``), every object
store, every key and value, with strings, ArrayBuffers, typed arrays and Blobs serialised as
bytes. Used to prove that what the vault seals shows none of its plain bytes (issue 27)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

DUMP = r"""
async () => {
  const utf8 = new TextEncoder();
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  // A string is kept as its UTF-8 bytes and, when every code unit fits in a byte, as the
  // bytes it spells (a "binary string" of a file).
  const walk = (value, parts, blobs) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'string') {
      parts.push(utf8.encode(value));
      if (!/[^\u0000-\u00ff]/.test(value)) {
        parts.push(Uint8Array.from(value, (c) => c.charCodeAt(0)));
      }
    } else if (typeof value !== 'object') {
      parts.push(utf8.encode(String(value)));
    } else if (value instanceof ArrayBuffer) {
      parts.push(new Uint8Array(value));
    } else if (ArrayBuffer.isView(value)) {
      parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    } else if (value instanceof Blob) {
      blobs.push(value);
    } else if (value instanceof Map) {
      for (const [k, v] of value) { walk(k, parts, blobs); walk(v, parts, blobs); }
    } else if (value instanceof Set || Array.isArray(value)) {
      for (const v of value) walk(v, parts, blobs);
    } else {
      for (const [k, v] of Object.entries(value)) { walk(k, parts, blobs); walk(v, parts, blobs); }
    }
  };
  const toBase64 = (bytes) => {
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  };
  const out = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await request(indexedDB.open(name));
    for (const storeName of db.objectStoreNames) {
      const parts = [];
      const blobs = [];
      let records = 0;
      await new Promise((resolve, reject) => {
        const tx = db.transaction(storeName, 'readonly');
        const cursor = tx.objectStore(storeName).openCursor();
        cursor.onsuccess = () => {
          const at = cursor.result;
          if (!at) return;
          records += 1;
          walk(at.primaryKey, parts, blobs);
          walk(at.value, parts, blobs);
          at.continue();
        };
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      for (const blob of blobs) parts.push(new Uint8Array(await blob.arrayBuffer()));
      const size = parts.reduce((n, p) => n + p.length, 0);
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const p of parts) { bytes.set(p, at); at += p.length; }
      out.push({ database: name, store: storeName, records, bytes: toBase64(bytes) });
    }
    db.close();
  }
  return out;
}
"""

JPEG_HEADER = re.compile(rb"\xff\xd8\xff[\xe0\xe1]..(?:JFIF|Exif)\x00", re.DOTALL)
"""A JPEG's start of image followed by its APP0 (JFIF) or APP1 (Exif) segment."""


@dataclass
class Store:
    database: str
    store: str
    records: int
    data: bytes


def indexeddb_dump(page: Any) -> list[Store]:
    """Every object store of every IndexedDB database of the page's origin, as bytes."""
    return [Store(s["database"], s["store"], s["records"], base64.b64decode(s["bytes"]))
            for s in page.evaluate(DUMP)]


def shared_run(secret: bytes, data: bytes, length: int = 64) -> int | None:
    """Where ``data`` holds some ``length`` consecutive bytes of ``secret`` (or None)."""
    windows = {secret[i:i + length] for i in range(len(secret) - length + 1)}
    for i in range(len(data) - length + 1):
        if data[i:i + length] in windows:
            return i
    return None
