import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { noBrowser, startConsole, type ConsoleFixture } from './fixture.ts';

describe('the agents console in a real browser', { skip: noBrowser }, () => {
  let f: ConsoleFixture;
  let keys = 0;
  before(async () => {
    f = await startConsole();
  });
  after(() => f?.close());

  const api = async (method: string, path: string, body?: object, headers?: Record<string, string>) => {
    const res = await f.h.request(method, path, {
      ...(body ? { body } : {}),
      ...(headers ? { headers } : {}),
    });
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const emit = (turn: string, body: object) =>
    api('POST', `/v1/agent_turns/${turn}:emit`, body, { 'idempotency-key': `e2e-${++keys}` });
  const message = (turn: string, content: string) => emit(turn, { type: 'message', data: { content } });
  const sequences = (page: Page) =>
    page
      .locator('[data-event-id]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-sequence'))));

  async function sessionWithTurn(title: string) {
    const agent = await api('POST', '/v1/agents', {
      name: `Agent of ${title}`,
      instructions: 'Keep the clusters healthy.',
      capabilities: ['CHAT'],
    });
    const session = await api('POST', '/v1/agent_sessions', { agent_id: agent.id, title });
    const turn = await api('POST', '/v1/agent_turns', {
      session_id: session.id,
      message: 'Why is the install degraded?',
    });
    return { agent, session, turn };
  }

  test('an agent is created from the list, and a session is started from its page', async () => {
    const page = await f.signedIn('/agents');
    await page.getByRole('heading', { name: 'No agents yet' }).waitFor();
    assert.match(await page.locator('pre.command').innerText(), /curl -X POST http:\/\/.+\/v1\/agents/);

    await page.getByRole('button', { name: 'New agent' }).click();
    await page.getByLabel('Name').fill('Cluster doctor');
    await page.getByLabel('Description').fill('Diagnoses degraded installs.');
    await page.getByLabel('Instructions').fill('Look at the install, explain, propose a fix.');
    await page.getByRole('checkbox', { name: /CODING/ }).check();
    await f.shot(page, 'agents-new');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/agents\/agt_/);
    const agentId = page.url().split('/').pop()!;
    const agent = await api('GET', `/v1/agents/${agentId}`);
    assert.equal(agent.name, 'Cluster doctor');
    assert.deepEqual(agent.capabilities, ['CHAT', 'CODING']);
    await page.getByRole('heading', { name: 'Cluster doctor' }).waitFor();
    await page.getByRole('heading', { name: 'No sessions yet' }).waitFor();

    await page.getByLabel('Title').fill('Install inst_42 is degraded');
    await page.getByRole('button', { name: 'Start session' }).click();
    await page.waitForURL(/\/sessions\/ags_/);
    const sessionId = page.url().split('/').pop()!;
    const session = await api('GET', `/v1/agent_sessions/${sessionId}`);
    assert.equal(session.agent_id, agentId);
    assert.equal(session.title, 'Install inst_42 is degraded');

    await api('POST', '/v1/agent_sessions', {
      agent_id: agentId,
      title: 'Weekly review',
      agent_role: 'reviewer',
    });
    // A session made elsewhere shows when the page is opened (the breadcrumb leads there).
    assert.equal(
      await page
        .getByRole('navigation', { name: 'Breadcrumbs' })
        .getByRole('link', { name: 'Cluster doctor' })
        .getAttribute('href'),
      `/agents/${agentId}`,
    );
    await page.goto(`${f.base}/agents/${agentId}`);
    const sessions = page.getByRole('table').getByRole('link');
    await sessions.nth(1).waitFor();
    assert.deepEqual(await sessions.allInnerTexts(), ['Weekly review', 'Install inst_42 is degraded']);
    await f.shot(page, 'agents-agent');

    await api('POST', '/v1/agents', {
      name: 'Release notes writer',
      instructions: 'Write.',
      capabilities: ['CHAT'],
    });
    await page.goto(`${f.base}/agents`);
    await page.getByRole('link', { name: 'Release notes writer' }).waitFor();
    assert.deepEqual(await page.getByRole('table').getByRole('link').allInnerTexts(), [
      'Release notes writer',
      'Cluster doctor',
    ]);
    await f.shot(page, 'agents-list');
    await page.close();
  });

  test('an agent is edited from its page with its etag; a change made meanwhile is a 409 with the server’s message', async () => {
    const agent = await api('POST', '/v1/agents', {
      name: 'Triage bot',
      description: 'Sorts incoming alerts.',
      instructions: 'Label every alert.',
      capabilities: ['CHAT'],
    });
    const page = await f.signedIn(`/agents/${agent.id}`);
    await page.getByRole('heading', { name: 'Triage bot' }).waitFor();
    await page.getByRole('button', { name: 'Edit agent' }).click();
    const form = page.getByRole('form', { name: 'Edit agent' });
    assert.equal(await form.getByLabel('Name').inputValue(), 'Triage bot');
    assert.equal(await form.getByRole('button', { name: 'Save changes' }).isDisabled(), true);
    await form.getByLabel('Name').fill('Incident triage');

    // Someone else changes the agent while the form is open: saving is refused, not an overwrite.
    await api(
      'PATCH',
      `/v1/agents/${agent.id}`,
      { instructions: 'Label and route every alert.' },
      {
        'if-match': agent.etag,
      },
    );
    await form.getByRole('button', { name: 'Save changes' }).click();
    const refused = form.getByRole('alert');
    await refused.waitFor();
    assert.match(
      await refused.innerText(),
      /Not saved: .*agent was changed since the etag you sent was read.*HTTP 409/,
    );
    await f.shot(page, 'agents-edit-conflict');
    assert.equal((await api('GET', `/v1/agents/${agent.id}`)).name, 'Triage bot');
    await form.getByRole('button', { name: /Reload the agent/ }).click();
    await page.getByText('Label and route every alert.').waitFor();

    await page.getByRole('button', { name: 'Edit agent' }).click();
    assert.equal(await form.getByLabel('Instructions').inputValue(), 'Label and route every alert.');
    await form.getByLabel('Name').fill('Incident triage');
    await form.getByLabel('Description').fill('Sorts and routes incoming alerts.');
    await form.getByLabel('Instructions').fill('Label every alert, then route it to its owner.');
    await form.getByRole('checkbox', { name: /CODING/ }).check();
    await f.shot(page, 'agents-edit');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Incident triage' }).waitFor();
    await form.waitFor({ state: 'detached' });
    await page.getByText('Label every alert, then route it to its owner.').waitFor();
    const saved = await api('GET', `/v1/agents/${agent.id}`);
    assert.equal(saved.name, 'Incident triage');
    assert.equal(saved.description, 'Sorts and routes incoming alerts.');
    assert.equal(saved.instructions, 'Label every alert, then route it to its owner.');
    assert.deepEqual(saved.capabilities, ['CHAT', 'CODING']);
    assert.equal(Number(saved.etag), Number(agent.etag) + 2, 'two writes: the other client’s and ours');

    // An archived agent cannot be changed: the page offers no edit.
    await page.getByRole('button', { name: 'Archive agent' }).click();
    await page.getByText('Enable the agent to edit it').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit agent' }).count(), 0);
    await page.close();
  });

  test('the session page shows events live, in order, once each, also across dropped connections', async () => {
    const { session, turn } = await sessionWithTurn('Live log');
    await message(turn.id, 'Looking at the install.');
    const page = await f.signedIn(`/sessions/${session.id}`);
    await page.getByRole('status', { name: 'Event stream: Live' }).waitFor();
    await page.locator('[data-sequence="1"]').waitFor();
    // The user's message opens the turn.
    assert.match(
      await page.locator(`[data-turn-id="${turn.id}"]`).innerText(),
      /Why is the install degraded\?/,
    );

    for (const text of ['Two pods are crash-looping.', 'The image tag does not exist.'])
      await message(turn.id, text);
    await page.locator('[data-sequence="3"]').waitFor();
    assert.deepEqual(await sequences(page), [1, 2, 3]);
    assert.match(await page.locator('[data-sequence="3"]').innerText(), /The image tag does not exist\./);

    f.h.dropConnections();
    // The indicator says so while the client waits to reconnect (a second, by the stream's retry).
    await page.getByRole('status', { name: 'Event stream: Reconnecting…' }).waitFor();
    await message(turn.id, 'Checking the registry.');
    await message(turn.id, 'The tag was deleted yesterday.');
    await page.locator('[data-sequence="5"]').waitFor();
    // Anything a reconnect replayed would arrive before a later event: after the sixth, the log is final.
    f.h.dropConnections();
    await message(turn.id, 'Proposing a rollback.');
    await page.locator('[data-sequence="6"]').waitFor();
    assert.deepEqual(await sequences(page), [1, 2, 3, 4, 5, 6]);
    const texts = await page.locator('[data-event-id] .message-text').allInnerTexts();
    assert.deepEqual(texts, [
      'Looking at the install.',
      'Two pods are crash-looping.',
      'The image tag does not exist.',
      'Checking the registry.',
      'The tag was deleted yesterday.',
      'Proposing a rollback.',
    ]);
    await page.getByRole('status', { name: 'Event stream: Live' }).waitFor();

    // Cancelling the turn from its header: the turn.cancelled event arrives live, the turn says cancelled.
    await page.getByRole('button', { name: 'Cancel turn' }).click();
    await page.locator('[data-sequence="7"]').getByText('Turn cancelled').waitFor();
    assert.equal((await api('GET', `/v1/agent_turns/${turn.id}`)).state, 'CANCELLED');
    await page.locator(`[data-turn-id="${turn.id}"]`).getByText('cancelled', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel turn' }).count(), 0);
    await page.close();
  });

  test('every kind of event is rendered; Approve and Deny resolve approval requests with their etag', async () => {
    const { session, turn } = await sessionWithTurn('Every kind');
    const child = await api('POST', '/v1/agent_sessions', { agent_id: session.agent_id, title: 'Rollback' });
    const page = await f.signedIn(`/sessions/${session.id}`);
    await page.getByRole('status', { name: 'Event stream: Live' }).waitFor();

    await emit(turn.id, {
      type: 'execution_environment',
      data: { state: 'STARTED', message: 'sandbox up', sandbox_id: 'sbx_1' },
    });
    await emit(turn.id, {
      type: 'progress',
      data: { state: 'RUNNING', message: 'Reading the install events' },
    });
    await message(turn.id, 'The image tag **v2.3.1** was deleted from the registry.');
    await emit(turn.id, { type: 'message', data: { role: 'system', content: 'Context: install inst_42' } });
    await emit(turn.id, {
      type: 'widget',
      data: {
        widget_type: 'status_card',
        schema_version: 1,
        title: 'Install health',
        summary: '2 of 3 pods ready',
        resource_refs: [{ resource: 'install', id: 'inst_42' }],
      },
    });
    await emit(turn.id, {
      type: 'artifact',
      data: {
        artifact_type: 'diff',
        title: 'Pin the image to v2.3.0',
        resource_refs: [{ resource: 'file', id: 'values.yaml' }],
      },
    });
    await emit(turn.id, {
      type: 'handoff_summary',
      data: {
        child_session_id: child.id,
        summary: 'The rollback continues in its own session.',
        decision_points: ['Roll back rather than rebuild'],
      },
    });
    const first = await emit(turn.id, {
      type: 'approval_request',
      data: { title: 'Roll back inst_42', summary: 'Sets the image to v2.3.0 and restarts the pods.' },
    });
    const second = await emit(turn.id, {
      type: 'approval_request',
      data: { title: 'Delete the broken tag', summary: 'Removes v2.3.1 from the registry.' },
    });
    await page.locator('[data-sequence="9"]').waitFor();
    assert.deepEqual(await sequences(page), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const log = page.getByRole('log', { name: 'Session events' });
    for (const text of [
      'sandbox up',
      'Reading the install events',
      'Context: install inst_42',
      'Install health',
      'Pin the image to v2.3.0',
      'The rollback continues in its own session.',
      'Roll back inst_42',
    ])
      await log.getByText(text).first().waitFor();
    await log.getByRole('link', { name: child.id }).waitFor();

    const approve = page.getByRole('button', { name: 'Approve Roll back inst_42' });
    await approve.waitFor();
    await f.shot(page, 'agents-session');
    await approve.click();
    const firstCard = page.locator(`[data-sequence="${first.sequence}"]`);
    await firstCard.getByText('approved', { exact: true }).waitFor();
    const approvals = async () =>
      new Map<string, any>(
        (await api('GET', `/v1/approval_requests?session=${session.id}`)).data.map((a: any) => [a.id, a]),
      );
    let state = await approvals();
    assert.equal(state.get(first.data.approval_request_id).state, 'APPROVED');
    assert.equal(state.get(second.data.approval_request_id).state, 'PENDING');

    const secondCard = page.locator(`[data-sequence="${second.sequence}"]`);
    await secondCard.getByLabel('Reason for Delete the broken tag').fill('Keep it for the post-mortem.');
    await secondCard.getByRole('button', { name: 'Deny Delete the broken tag' }).click();
    await secondCard.getByText('rejected', { exact: true }).waitFor();
    state = await approvals();
    assert.equal(state.get(second.data.approval_request_id).state, 'REJECTED');
    assert.equal(state.get(second.data.approval_request_id).reason, 'Keep it for the post-mortem.');
    await secondCard.getByText('Keep it for the post-mortem.').waitFor();

    // A message from the composer is a new turn, shown at once, before the agent answers.
    await page.getByLabel('Message').fill('Also check the other installs.');
    await page.getByRole('button', { name: 'Send' }).click();
    await log.getByText('Also check the other installs.').waitFor();
    const turns = (await api('GET', `/v1/agent_turns?session=${session.id}`)).data;
    assert.equal(turns[0].input.content, 'Also check the other installs.');
    assert.equal(turns.length, 2);
    await f.shot(page, 'agents-session-resolved');
    await page.close();
  });

  test('the approvals page lists pending requests across sessions, links to each, and resolves them', async () => {
    const a = await sessionWithTurn('Approvals one');
    const b = await sessionWithTurn('Approvals two');
    await emit(a.turn.id, {
      type: 'approval_request',
      data: { title: 'Scale to 5', summary: 'Adds two replicas.' },
    });
    const denied = await emit(b.turn.id, {
      type: 'approval_request',
      data: {
        title: 'Drop the cache',
        summary: 'Empties the Redis cache.',
        actions: [{ kind: 'exec', command: 'FLUSHALL' }],
      },
    });
    const page = await f.signedIn('/approvals');
    const scale = page.getByRole('listitem', { name: 'Scale to 5' });
    await scale.waitFor();
    await page.getByRole('listitem', { name: 'Drop the cache' }).waitFor();
    await f.shot(page, 'agents-approvals');

    await page.getByLabel('Reason for Drop the cache').fill('Not during business hours');
    await page.getByRole('button', { name: 'Deny Drop the cache' }).click();
    await page.getByRole('listitem', { name: 'Drop the cache' }).waitFor({ state: 'detached' });
    const list = (await api('GET', `/v1/approval_requests?session=${b.session.id}`)).data;
    const resolved = list.find((x: any) => x.id === denied.data.approval_request_id);
    assert.equal(resolved.state, 'REJECTED');
    assert.equal(resolved.reason, 'Not during business hours');

    await page.getByLabel('State').selectOption('REJECTED');
    await page
      .getByRole('listitem', { name: 'Drop the cache' })
      .getByText('Not during business hours')
      .waitFor();
    await page.getByLabel('State').selectOption('PENDING');
    await scale.getByRole('link', { name: a.session.id }).click();
    await page.waitForURL(new RegExp(`/sessions/${a.session.id}$`));
    await page.getByRole('button', { name: 'Approve Scale to 5' }).waitFor();
    await page.close();
  });
});
