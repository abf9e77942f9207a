// Bundle the field app into dist/: app.js (WatermelonDB included), app.css, index.html, the
// web app manifest, its icon and the service worker, which lists every file of this build
// under a cache named by their hash (a new build is a new cache; the old one is dropped).
// Run by `make app` (or `npm run build`); dist/ is not committed.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const out = 'dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  outdir: out,
  format: 'esm',
  minify: true,
  sourcemap: true,
  target: ['chrome100', 'firefox100', 'safari15'],
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const file of ['index.html', 'manifest.webmanifest', 'icon.svg']) {
  copyFileSync(`src/${file}`, `${out}/${file}`);
}
const shell = readdirSync(out).filter((f) => !f.endsWith('.map')).sort();
const hash = createHash('sha256');
for (const file of shell) hash.update(file).update(readFileSync(`${out}/${file}`));
const worker = readFileSync('src/sw.js', 'utf8')
  .replace("'__VERSION__'", JSON.stringify(hash.digest('hex').slice(0, 12)))
  .replace("['__SHELL__']", JSON.stringify(['./', ...shell.filter((f) => f !== 'index.html')]));
writeFileSync(`${out}/sw.js`, worker);
