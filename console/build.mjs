// Bundle the console into dist/: one script, one style sheet (Leaflet's included), index.html.
// Run by `make console` (or `npm run build`); dist/ is not committed.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

const out = 'dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
await esbuild.build({
  entryPoints: { console: 'src/main.js' },
  bundle: true,
  outdir: out,
  format: 'esm',
  minify: true,
  sourcemap: true,
  target: ['chrome100', 'firefox100', 'safari15'],
  loader: { '.png': 'file', '.svg': 'file' },
  assetNames: 'assets/[name]-[hash]',
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync('src/index.html', `${out}/index.html`);
