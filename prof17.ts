import { sql } from 'kysely';
import { openDatabase } from './src/db/database.ts';
import { migrate } from './src/db/migrate.ts';
import { recordRun } from './src/snippets/store.ts';
const database = await openDatabase({ kind: 'pglite', dataDir: undefined });
await migrate(database);
const db = database.db;
await sql`insert into workspaces (id, name, slug, created_by) values ('ws_a', 'a', 'a', 'x')`.execute(db);
await sql`insert into snippets (id, workspace_id, name, code, display_type, created_by) values ('snp_a', 'ws_a', 'n', 'c', 'json', 'x')`.execute(db);
const run = { workspace_id: 'ws_a', snippet_id: 'snp_a', source: 'manual' as const, snippet_name: 'n', snippet_etag: '1', dashboard_id: null, dashboard_name: null, widget_id: null, widget_title: null, run_by: 'tok_x', agent_session_id: null, agent_turn_id: null, state: 'succeeded' as const, inputs: {}, overrides: {}, output: 1, error: null, duration_ms: 1.2, stats: { cpu_time_ms: 0.4, wall_time_ms: 1.2, heap_used_bytes: 600000 }, logs: [], logs_dropped: 0, result_contract_version: null, result_type: null, default_visualization: null };
async function b(label: string, fn: () => Promise<unknown>) { for (let i = 0; i < 100; i++) await fn(); const N = 1000; const t = performance.now(); for (let i = 0; i < N; i++) await fn(); console.log(label.padEnd(36), ((performance.now() - t) / N * 1000).toFixed(0), 'µs'); }
await b('recordRun (returning *)', () => recordRun(db, run));
await b('select snippet', () => sql`select * from snippets where workspace_id = ${'ws_a'} and id = ${'snp_a'}`.execute(db));
await sql`alter table snippet_runs drop constraint snippet_runs_snippet_id_fkey`.execute(db);
await b('recordRun without snippet FK', () => recordRun(db, run));
await sql`alter table snippet_runs drop constraint snippet_runs_workspace_id_fkey`.execute(db);
await b('recordRun without any FK', () => recordRun(db, run));
