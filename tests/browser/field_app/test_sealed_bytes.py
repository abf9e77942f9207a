"""``app/src/vault.js``'s ``sealBytes`` / ``openBytes``, which the photos module stores every
photo through: AES-GCM with a key derived from the phone's data key. Run in Node (WebCrypto,
the same module the bundle holds): a sealed photo holds none of its bytes, two seals of one
photo differ, the password opens them again after a lock, a wrong one or a changed byte
opens nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.app_bundle import app_built  # noqa: F401 (a fixture)

APP = Path(__file__).resolve().parents[3] / "app"

SCRIPT = r"""
globalThis.localStorage = new (class {
  constructor() { this.items = new Map(); }
  get length() { return this.items.size; }
  key(i) { return [...this.items.keys()][i] ?? null; }
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
  removeItem(k) { this.items.delete(k); }
})();
const vault = await import('./src/vault.js');
const photo = new Uint8Array(200_000);
for (let i = 0; i < photo.length; i += 65536) crypto.getRandomValues(photo.subarray(i, i + 65536));
photo.set([0xff, 0xd8, 0xff, 0xe0], 0);
await vault.createVault('assistant', 'right password');
const once = await vault.sealBytes(photo);
const twice = await vault.sealBytes(photo);
const hex = (b) => Buffer.from(b).toString('hex');
const out = {
  sealedLength: once.length, photoLength: photo.length,
  differs: hex(once) !== hex(twice),
  holdsPlain: hex(once).includes(hex(photo.subarray(1000, 1032))),
  startsLikeJpeg: once[0] === 0xff && once[1] === 0xd8,
  opened: hex(await vault.openBytes(once)) === hex(photo),
};
vault.lock();
const refusedWith = (promise, kind) => promise.then(() => false, (e) => e instanceof kind);
out.lockedRefuses = await refusedWith(vault.sealBytes(photo), vault.Locked);
out.wrongPassword = await refusedWith(vault.unlock('wrong password'), vault.WrongPassword);
await vault.unlock('right password');
out.reopened = hex(await vault.openBytes(twice)) === hex(photo);
const changed = once.slice(); changed[500] ^= 1;
out.tamperedRefused = await vault.openBytes(changed).then(() => false, () => true);
vault.destroyVault();
out.destroyed = !vault.hasVault() && !vault.isUnlocked();
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(not shutil.which("node"), reason="Node.js is installed by `make app`")
def test_photos_are_sealed_with_aes_gcm_and_open_only_with_the_password(
        app_built: Path) -> None:  # noqa: F811
    done = subprocess.run(["node", "--input-type=module", "-e", SCRIPT], cwd=APP,
                          capture_output=True, text=True, timeout=120, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["sealedLength"] == out["photoLength"] + 12 + 16  # IV and GCM tag
    assert out["differs"] and not out["holdsPlain"] and not out["startsLikeJpeg"]
    assert out["opened"] and out["reopened"]
    assert out["lockedRefuses"] and out["wrongPassword"] and out["tamperedRefused"]
    assert out["destroyed"]
