/**
 * Test helper: a front for a real registry (oci-registry.ts) that speaks the Docker token protocol,
 * since docker-registry itself only verifies tokens signed by a certificate chain. It answers 401 with
 * a Bearer challenge, issues tokens at its /token realm for basic credentials (or anonymously), proxies
 * manifests to the registry, and redirects blob downloads to another host name (localhost instead of
 * 127.0.0.1), as registries redirect to object storage. `seen` records what clients sent.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { TestRegistry } from './oci-registry.ts';

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts the front on a free port of 127.0.0.1; `opts` are the credentials its realm accepts. */
export async function startTokenFront(
  registry: TestRegistry,
  opts: { username: string; password: string; anonymous: boolean; directToken?: string },
) {
  const seen = {
    /** Serve this path's manifest whatever manifest is asked for (a registry lying about a digest). */
    manifestFrom: undefined as string | undefined,
    tokenRequests: [] as string[],
    storageAuthorization: [] as (string | undefined)[],
    corrupt: false,
  };
  const issued = 'issued-token-' + Math.random().toString(36).slice(2);
  let port = 0;
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(502).end(String(error)));
  });
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    if (url.pathname === '/token') {
      seen.tokenRequests.push(url.search);
      const basic = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
      const ok = req.headers.authorization === basic || (!req.headers.authorization && opts.anonymous);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? JSON.stringify({ token: issued }) : '{"details":"bad credentials"}');
      return;
    }
    if (url.pathname.startsWith('/storage/')) {
      seen.storageAuthorization.push(req.headers.authorization);
      const upstream = await fetch(`${registry.url}${url.pathname.slice('/storage'.length)}`);
      const body = Buffer.from(await upstream.arrayBuffer());
      if (seen.corrupt) body[body.length - 1] = body[body.length - 1]! ^ 0xff;
      res.writeHead(upstream.status).end(body);
      return;
    }
    const allowed = [`Bearer ${issued}`, ...(opts.directToken ? [`Bearer ${opts.directToken}`] : [])];
    if (!allowed.includes(req.headers.authorization ?? '')) {
      const name = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="front",scope="repository:${name}:pull"`,
      });
      res.end();
      return;
    }
    if (url.pathname.includes('/blobs/')) {
      res.writeHead(307, { location: `http://localhost:${port}/storage${url.pathname}` }).end();
      return;
    }
    const upstream = await fetch(`${registry.url}${seen.manifestFrom ?? url.pathname}`, {
      headers: { accept: String(req.headers.accept ?? '*/*') },
    });
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'docker-content-digest']) {
      const value = upstream.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
  };
  port = await listen(server);
  return {
    host: `127.0.0.1:${port}`,
    seen,
    issued,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
