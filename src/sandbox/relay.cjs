// The port relay, run inside a sandbox next to a service (by /opt/atoll/bin/node, plain CommonJS, no
// dependencies): it reaches the service's TCP port on the sandbox's own loopback on behalf of the host.
// The host listens on a unix socket bound read-only into the sandbox, and the relay only ever connects
// out to it, so the host never connects to a path the sandbox could swap for a link to something else.
// Protocol: the relay opens a control connection and sends 'C'; for each 16-byte token the host writes
// there, it connects to the port and opens a data connection sending 'D', the token and a status byte
// (1 = connected, then bytes flow both ways; 0 = refused, then it closes).
// Usage: node relay.cjs <socket> <port>
'use strict';
const net = require('node:net');

const [socketPath, portArg] = process.argv.slice(2);
const port = Number(portArg);
const TOKEN_BYTES = 16;

function header(token, status) {
  return Buffer.concat([Buffer.from('D'), token, Buffer.from([status])]);
}

/** Connects to the port on 127.0.0.1, else ::1 (a server bound to "localhost" may be on either). */
function reachPort(callback) {
  const hosts = ['127.0.0.1', '::1'];
  const attempt = () => {
    const host = hosts.shift();
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      callback(socket);
    });
    socket.once('error', () => (hosts.length > 0 ? attempt() : callback(undefined)));
  };
  attempt();
}

function forward(token) {
  reachPort((inner) => {
    const outer = net.connect(socketPath);
    outer.on('error', () => inner && inner.destroy());
    if (!inner) {
      outer.end(header(token, 0));
      return;
    }
    outer.write(header(token, 1));
    inner.on('error', () => outer.destroy());
    inner.pipe(outer);
    outer.pipe(inner);
    inner.on('close', () => outer.destroy());
    outer.on('close', () => inner.destroy());
  });
}

function control(attempt) {
  const socket = net.connect(socketPath);
  let connected = false;
  let pending = Buffer.alloc(0);
  socket.once('connect', () => {
    connected = true;
    socket.write('C');
  });
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= TOKEN_BYTES) {
      forward(pending.subarray(0, TOKEN_BYTES));
      pending = pending.subarray(TOKEN_BYTES);
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    // Once connected, the host closing the control connection ends the relay. Before, the host's
    // socket may not be there yet on a slow start: retry for ~2 s.
    if (connected || attempt >= 100) process.exit(0);
    setTimeout(() => control(attempt + 1), 20);
  });
}

control(0);
