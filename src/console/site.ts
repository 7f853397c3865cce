/**
 * Serves the built console: `/assets/*` (content-hashed names, cached for a year, gzip when accepted)
 * and, for any other GET a browser makes outside the API's own paths, `index.html`, so that every
 * console URL (and every `html_url` the API returns) opens its page. Files are read into memory once per
 * build and reloaded when a new build lands. With no build, the page says how to make one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type { ApiApp, AppEnv } from '../http/context.ts';
import { builtHash, CONSOLE_DIST } from './build.ts';

/** Paths the console never answers: the API, git, the reference and health. */
const RESERVED = /^\/(v1|git)(\/|$)|^\/(docs|healthz|readyz)$/;

type Asset = { body: Buffer; gzip: Buffer | undefined; type: string };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export type ConsoleSiteOptions = {
  /** The built console (default console/dist). */
  dist?: string;
  /** What the page says while no build exists (e.g. that one is in progress). */
  pending?: () => string | undefined;
};

export function createConsoleSite(options: ConsoleSiteOptions = {}) {
  const dist = options.dist ?? CONSOLE_DIST;
  let loaded: { hash: string; files: Map<string, Asset> } | undefined;
  let checkedAt = 0;

  const load = (): Map<string, Asset> | undefined => {
    const now = Date.now();
    if (loaded && now - checkedAt < 1000) return loaded.files;
    checkedAt = now;
    const hash = builtHash(dist);
    if (!hash) return (loaded = undefined);
    if (loaded?.hash === hash) return loaded.files;
    const files = new Map<string, Asset>();
    const read = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) read(file);
        else {
          const body = fs.readFileSync(file);
          const ext = path.extname(entry.name);
          const type = TYPES[ext] ?? 'application/octet-stream';
          const compressible = /^(text|application\/json|image\/svg)/.test(type) && body.length > 1024;
          files.set(`/${path.relative(dist, file).split(path.sep).join('/')}`, {
            body,
            gzip: compressible ? gzipSync(body, { level: 9 }) : undefined,
            type,
          });
        }
      }
    };
    try {
      read(dist);
    } catch {
      return (loaded = undefined); // a build swapped in while reading: the next request reloads
    }
    loaded = { hash, files };
    return files;
  };

  const send = (c: Context<AppEnv>, asset: Asset, cache: string) => {
    const gzip = asset.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': cache,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    };
    if (gzip) headers['content-encoding'] = 'gzip';
    return c.body(new Uint8Array(gzip ? asset.gzip! : asset.body), 200, headers);
  };

  return {
    register(app: ApiApp): void {
      app.get('*', async (c, next) => {
        const pathname = c.req.path;
        if (RESERVED.test(pathname)) return next();
        const accept = c.req.header('accept') ?? '';
        // An API client asking for JSON gets the API's JSON 404, not a page.
        if (/application\/json/.test(accept) && !/text\/html/.test(accept)) return next();
        const files = load();
        if (!files) return c.html(notBuiltPage(options.pending?.()), 503, { 'cache-control': 'no-store' });
        const asset = files.get(pathname);
        if (asset && pathname.startsWith('/assets/')) {
          return send(c, asset, 'public, max-age=31536000, immutable');
        }
        if (asset && pathname !== '/index.html' && !pathname.endsWith('.build-hash')) {
          return send(c, asset, 'public, max-age=300');
        }
        if (pathname.startsWith('/assets/')) return next(); // a stale asset name: a plain 404
        return send(c, files.get('/index.html')!, 'no-cache');
      });
    },
  };
}

function notBuiltPage(pending: string | undefined): string {
  const message =
    pending ??
    'The console has not been built in this checkout. Run <code>npm install</code> (which builds it) or <code>npm run console:build</code>, then reload.';
  const refresh = pending ? '<meta http-equiv="refresh" content="3">' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Atoll</title>${refresh}<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style></head><body><h1>Atoll</h1><p>${message}</p><p>The API is up: <a href="/docs">/docs</a>.</p></body></html>`;
}
