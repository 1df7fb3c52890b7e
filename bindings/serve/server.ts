// The HTTP server of the browser page: serves the built page (dist/web/)
// with the headers cross-origin isolation needs (shared memory between the
// CPU workers): Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp, and each file's MIME type
// (application/wasm for the core, text/javascript for the module workers).
// Only files of that folder are served; everything else is 404.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export class ServeError extends Error {
  override name = 'ServeError';
  constructor(readonly code: 'no-page' | 'listen' | 'bad-option', message: string) {
    super(message);
  }
}

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.elf': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The headers every response carries. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** dist/web/ of the package: from bindings/serve/ in the sources, from dist/ (or any folder at the top) once bundled. */
export function pageDir(): string {
  for (const rel of ['../../dist/web/', '../dist/web/']) {
    const d = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(d, 'index.html'))) return d;
  }
  throw new ServeError('no-page', 'the built page (dist/web/index.html) is missing: run `npm run build`');
}

export interface ServeOptions {
  port?: number;
  host?: string;
  /** The folder to serve (default the built page). */
  dir?: string;
}

export interface Serving {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts serving; resolves with the page's URL once listening. ServeError when the port cannot be had. */
export function serve(options: ServeOptions = {}): Promise<Serving> {
  const dir = options.dir ?? pageDir();
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) return Promise.reject(new ServeError('bad-option', `port must be 0..65535, got ${port}`));
  const server = createServer((req, res) => {
    const send = (status: number, text: string) => {
      res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(400, 'bad path\n');
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(dir, path));
    if (!file.startsWith(normalize(dir + sep)) || path.includes('\0')) return send(404, 'not found\n');
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return send(404, 'not found\n');
      size = st.size;
    } catch {
      return send(404, 'not found\n');
    }
    res.writeHead(200, {
      ...ISOLATION_HEADERS,
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new ServeError('listen', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`)));
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        server,
        url: `http://${shown}:${a.port}/`,
        close: () => new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}
