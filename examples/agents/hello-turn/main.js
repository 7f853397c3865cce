// hello-turn: the runtime of an agent. Atoll starts one run per turn with the input
// {turn_id, session_id, message}; the run replies by emitting a message into its turn through the API
// socket, authenticated with its turn token, and exits 0, which completes the turn.
import fs from 'node:fs';
import http from 'node:http';

const inputFile = process.env.ATOLL_RUN_INPUT;
const input = inputFile ? JSON.parse(fs.readFileSync(inputFile, 'utf8')) : {};
const message = typeof input.message === 'string' ? input.message : '';
const reply = `Hello! You said: ${JSON.stringify(message.slice(0, 1000))}`;

/** POSTs a JSON body to the Atoll API over the run's unix socket. */
function post(path, body, idempotencyKey) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: process.env.ATOLL_API_SOCKET,
        method: 'POST',
        path,
        headers: {
          authorization: `Bearer ${process.env.ATOLL_TURN_TOKEN}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

if (!process.env.ATOLL_TURN_TOKEN || !process.env.ATOLL_API_SOCKET || !input.turn_id) {
  // Not a turn (a plain run, or a local try): just show the reply.
  console.log(reply);
} else {
  const res = await post(
    `/v1/agent_turns/${input.turn_id}:emit`,
    { type: 'message', data: { role: 'assistant', content: reply } },
    `${process.env.ATOLL_RUN_ID}-reply`,
  );
  if (res.status !== 201) {
    console.error(`emitting the reply failed: ${res.status} ${res.text}`);
    process.exit(1);
  }
  console.log(`replied to turn ${input.turn_id}`);
}
