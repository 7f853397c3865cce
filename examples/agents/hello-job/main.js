// hello-job: reads the run input (JSON) from the file named by ATOLL_RUN_INPUT, greets whoever it
// names, and writes result.json and reports/summary.txt into the workdir, the declared outputs.
import fs from 'node:fs';

const inputFile = process.env.ATOLL_RUN_INPUT ?? process.env.NULLSPACE_RUN_INPUT;
const runId = process.env.ATOLL_RUN_ID ?? process.env.NULLSPACE_RUN_ID ?? 'local';
const input = inputFile ? JSON.parse(fs.readFileSync(inputFile, 'utf8')) : {};
const greeting = process.env.GREETING ?? 'Hello';
const name = typeof input.name === 'string' ? input.name : 'world';

console.log(`run ${runId} starting in ${process.cwd()}`);
console.log(`input: ${JSON.stringify(input)}`);
console.error('this line goes to stderr');

const message = `${greeting}, ${name}!`;
console.log(message);

fs.writeFileSync('result.json', JSON.stringify({ run_id: runId, message, input }, null, 2) + '\n');
fs.mkdirSync('reports', { recursive: true });
fs.writeFileSync('reports/summary.txt', `run ${runId}\n${message}\n`);
console.log('wrote result.json and reports/summary.txt');
