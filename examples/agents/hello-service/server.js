// hello-service: GET /health answers 200 (the readiness probe), GET / a JSON greeting. It binds to
// 0.0.0.0 so the sandbox's port can be reached from outside its network namespace.
import http from 'node:http';

const port = 8000;
const greeting = process.env.GREETING ?? 'Hello';

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (req.method === 'GET' && url.pathname === '/') {
    const name = url.searchParams.get('name') ?? 'world';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `${greeting}, ${name}!` }) + '\n');
  } else {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}\n');
  }
});

server.listen(port, '0.0.0.0', () => console.log(`hello-service listening on 0.0.0.0:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
