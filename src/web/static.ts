/** Serves the built workspace (web/dist) to browsers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  // Everything the workspace needs comes from this server; nothing is loaded from elsewhere.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** web/dist beside src/ (running from sources) or beside dist/src/ (running the build). */
export function defaultWebRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const rel of ['../../web/dist', '../../../web/dist']) {
    const dir = resolve(here, rel);
    if (existsSync(resolve(dir, 'index.html'))) return dir;
  }
  return resolve(here, '../../web/dist');
}

async function fileAt(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.map', '.txt']);

export class StaticFiles {
  /** Gzipped files by path, compressed once per version of the file (the app is a few hundred kB of text). */
  private readonly gzipped = new Map<string, { mtimeMs: number; body: Buffer }>();

  constructor(private readonly root: string) {}

  /**
   * Answers a GET with a built file, or with the app's index.html when a browser navigates to any other page of
   * the app (it asks for text/html). Returns the status sent, or undefined when the request is not the app's
   * (an API client's GET of an unknown path keeps getting the API's own 404).
   */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<number | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    const target = resolve(this.root, `.${decoded}`);
    const inside = target === this.root || target.startsWith(this.root + sep);
    let file = inside && !decoded.endsWith('/') ? await fileAt(target) : undefined;
    const navigation = String(req.headers.accept ?? '').includes('text/html');
    if (!file && navigation) file = await fileAt(resolve(this.root, 'index.html'));
    if (!file) {
      if (!navigation) return undefined;
      const page = '<!doctype html><title>opencases</title><p>The workspace is not built. Run <code>npm run build</code> and reload.</p>';
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS });
      res.end(page);
      return 503;
    }
    const gzip = COMPRESSIBLE.has(extname(file)) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? await this.gzippedBody(file) : await readFile(file);
    // Vite names built assets by content hash, so they never change; index.html must always be fresh.
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...SECURITY_HEADERS,
    });
    res.end(body);
    return 200;
  }

  private async gzippedBody(file: string): Promise<Buffer> {
    const { mtimeMs } = await stat(file);
    const hit = this.gzipped.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.body;
    const body = gzipSync(await readFile(file));
    this.gzipped.set(file, { mtimeMs, body });
    return body;
  }
}
