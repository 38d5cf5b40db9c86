#!/usr/bin/env node
// Render the SVG figures that `lmtransfer reproduce` wrote to PNG with headless Chromium, so that a
// person can look at them (and check they are legible) without a browser session.
//
//   npm run figures:png                  # results/*.svg → results/*.png
//   node scripts/figures-png.mjs DIR     # DIR/*.svg → DIR/*.png
//
// Needs Debian's `chromium` (apt-get install chromium) or CHROMIUM=/path/to/chrome. The flags below
// keep Chromium headless, offline and free of profile state: a fresh --user-data-dir per figure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';

const dir = resolve(process.argv[2] ?? 'results');
const browser = process.env.CHROMIUM ?? 'chromium';

if (!existsSync(dir)) {
  process.stderr.write(`figures:png: directory '${dir}' does not exist; run 'npm run reproduce' first\n`);
  process.exit(2);
}
const svgs = readdirSync(dir).filter((f) => f.endsWith('.svg')).sort();
if (svgs.length === 0) {
  process.stderr.write(`figures:png: no .svg files in '${dir}'; run 'npm run reproduce' first\n`);
  process.exit(2);
}

for (const f of svgs) {
  const file = join(dir, f);
  const head = readFileSync(file, 'utf8').slice(0, 400);
  // The window is the SVG's own size, read from its root element, so the screenshot has no margins.
  const w = Number(/\bwidth="(\d+(?:\.\d+)?)"/.exec(head)?.[1] ?? 1000);
  const h = Number(/\bheight="(\d+(?:\.\d+)?)"/.exec(head)?.[1] ?? 600);
  const out = file.replace(/\.svg$/, '.png');
  const profile = mkdtempSync(join(tmpdir(), 'lmtransfer-chromium-'));
  try {
    execFileSync(
      browser,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        `--screenshot=${out}`,
        `--window-size=${Math.ceil(w)},${Math.ceil(h)}`,
        `file://${file}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (e) {
    const err = /** @type {NodeJS.ErrnoException & { stderr?: Buffer }} */ (e);
    if (err.code === 'ENOENT') {
      process.stderr.write(`figures:png: '${browser}' not found; install Debian's chromium (apt-get install -y chromium) or set CHROMIUM\n`);
      process.exit(2);
    }
    process.stderr.write(`figures:png: chromium failed on ${f}: ${String(err.stderr ?? err.message).split('\n').slice(-3).join(' ')}\n`);
    process.exit(1);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(`${out}\n`);
}
