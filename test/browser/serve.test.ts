// `patchlab serve`: its first stdout line is the URL, every response carries
// the isolation headers and the right MIME type, nothing outside the page's
// folder is served, and a bad port is refused in one line.

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectOneLineError } from '../util/cli.ts';

const CLI = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/cli.js');

describe('patchlab serve', () => {
  it('prints the URL first and serves the page with COOP/COEP and MIME types', async () => {
    const p = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let buf = '';
        p.stdout.on('data', (d) => {
          buf += String(d);
          if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
        });
        p.once('exit', (c) => reject(new Error(`serve exited with ${c}`)));
      });
      expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const get = (path: string) => fetch(new URL(path, first));
      const cases: [string, string][] = [
        ['', 'text/html; charset=utf-8'],
        ['page.js', 'text/javascript; charset=utf-8'],
        ['cpu-worker.js', 'text/javascript; charset=utf-8'],
        ['controller.js', 'text/javascript; charset=utf-8'],
        ['core.wasm', 'application/wasm'],
        ['kernel-pfe2.elf', 'application/octet-stream'],
      ];
      for (const [path, type] of cases) {
        const r = await get(path);
        expect(r.status, path).toBe(200);
        expect(r.headers.get('content-type'), path).toBe(type);
        expect(r.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
        expect(r.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
      }
      const wasm = new Uint8Array(await (await get('core.wasm')).arrayBuffer());
      expect([...wasm.slice(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
      for (const bad of ['nope.js', '..%2f..%2fpackage.json', '%2e%2e/cli.js', 'web']) expect((await get(bad)).status, bad).toBe(404);
      expect((await fetch(new URL('page.js', first), { method: 'POST' })).status).toBe(405);
    } finally {
      p.kill('SIGTERM');
    }
    const code = await new Promise((r) => p.once('exit', (c, s) => r(c ?? s)));
    expect(code).toBe(0);
  });

  it('refuses a bad port in one line', () => {
    for (const port of ['70000', 'x', '-1']) {
      expectOneLineError(spawnSync(process.execPath, [CLI, 'serve', '--port', port], { encoding: 'utf8', timeout: 20_000 }), /port/, port);
    }
  });
});
