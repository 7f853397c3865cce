/**
 * The templates as a client uses them: deploy the template's agent directory with the `atoll agent
 * deploy` code, create the agent from the template's published fields (naming the deployment as its
 * runtime when the template says so), and use it. Runs real sandboxes.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSession } from '../agents/test-fixtures.ts';
import { deploy } from '../cli/agent-deploy.ts';
import { readAgentToml } from '../deployments/bundles/agent-toml.ts';
import { buildBundle } from '../deployments/bundles/pack.ts';
import { key } from '../deployments/test-fixtures.ts';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

describe('agent templates, deployed and used', () => {
  let h: Harness;
  let url: string;
  before(async () => {
    h = await startHarness();
    url = await h.listen();
  });
  after(() => h.close());

  /** The template, its deployment (deployed as `atoll agent deploy` does) and an agent made from both. */
  async function fromTemplate(id: string): Promise<{ template: any; deploymentId: string; agent: any }> {
    const template = (await h.request('GET', `/v1/agent_templates/${id}`)).body;
    const dir = path.join(ROOT, template.deployment.source);
    const toml = await readAgentToml(dir);
    const bundle = await buildBundle(dir, toml.bundle, toml.config);
    const deployed = await deploy({ url, token: h.token, workspace: undefined }, toml, bundle);
    assert.equal(deployed.deployment_name, template.deployment.name);
    const res = await h.request('POST', '/v1/agents', {
      body: {
        name: template.name,
        description: template.description,
        instructions: template.instructions,
        capabilities: template.capabilities,
        ambient: template.ambient,
        model_policy: template.model_policy,
        runtime_deployment_id: template.deployment.runtime ? deployed.deployment_id : null,
      },
    });
    assert.equal(res.status, 201, res.text);
    return { template, deploymentId: deployed.deployment_id, agent: res.body };
  }

  async function runTurn(agentId: string, message: string): Promise<{ turn: any; events: any[] }> {
    const session = await createSession(h, { id: h.workspaceId, token: h.token }, { agent_id: agentId });
    const submitted = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: session.id, message },
    });
    assert.equal(submitted.status, 201, submitted.text);
    const turn = await eventually(
      async () => {
        const turn = (await h.request('GET', `/v1/agent_turns/${submitted.body.id}`)).body;
        assert.ok(TERMINAL.has(turn.state), `turn ${turn.id} stuck in ${turn.state}`);
        return turn;
      },
      { timeoutMs: 30_000, intervalMs: 25, message: 'the turn to end' },
    );
    const events = (await h.request('GET', `/v1/agent_events?turn=${turn.id}&limit=100`)).body.data;
    return { turn, events };
  }

  test('tpl_hello_turn: the agent answers each turn with a reply in the session, and completes it', async () => {
    const { agent } = await fromTemplate('tpl_hello_turn');
    const { turn, events } = await runTurn(agent.id, 'is the cluster healthy?');
    assert.equal(turn.state, 'COMPLETED', JSON.stringify(turn));
    const replies = events.filter((e) => e.type === 'message.created');
    assert.deepEqual(
      replies.map((e) => e.data),
      [{ role: 'assistant', content: 'Hello! You said: "is the cluster healthy?"' }],
    );
    assert.ok(events.some((e) => e.type === 'execution_environment.stopped'));
  });

  test('tpl_hello_job: each turn runs the job, whose greeting lands in its outputs', async () => {
    const { agent, deploymentId } = await fromTemplate('tpl_hello_job');
    const { turn } = await runTurn(agent.id, 'hello');
    assert.equal(turn.state, 'COMPLETED', JSON.stringify(turn));
    const runs = (await h.request('GET', `/v1/agent-deployments/${deploymentId}/runs`)).body.items;
    assert.equal(runs.length, 1);
    const outputs = await h.request(
      'GET',
      `/v1/agent-deployments/${deploymentId}/runs/${runs[0].id}/outputs`,
    );
    assert.deepEqual(outputs.body.outputs.map((o: any) => o.path).sort(), [
      'reports/summary.txt',
      'result.json',
    ]);
  });

  test('tpl_hello_service: the agent has no turn runtime; its deployment serves through the proxy', async () => {
    const { agent, deploymentId } = await fromTemplate('tpl_hello_service');
    assert.equal(agent.runtime_deployment_id, null);
    const base = `/v1/agent-deployments/${deploymentId}/services`;
    const started = await h.request('POST', base, { headers: { 'idempotency-key': key('svc') }, body: {} });
    assert.equal(started.status, 201, started.text);
    const service = await eventually(
      async () => {
        const service = (await h.request('GET', `${base}/${started.body.id}`)).body;
        assert.notEqual(service.status, 'starting', `service stuck: ${JSON.stringify(service)}`);
        return service;
      },
      { timeoutMs: 30_000, intervalMs: 25, message: 'the service to start' },
    );
    assert.equal(service.status, 'ready', JSON.stringify(service));
    const greeting = await h.request('GET', `${base}/${service.id}/proxy/?name=Ada`);
    assert.equal(greeting.status, 200, greeting.text);
    assert.deepEqual(greeting.body, { message: 'Hello, Ada!' });
    assert.equal((await h.request('POST', `${base}/${service.id}/stop`)).status, 200);
  });
});
