import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { AgentTomlError, parseAgentToml, readAgentToml } from './agent-toml.ts';
import { tempDir } from './tar-fixtures.ts';

function problems(text: string): string[] {
  try {
    parseAgentToml(text);
  } catch (error) {
    assert.ok(error instanceof AgentTomlError, String(error));
    return error.message.split('\n');
  }
  assert.fail('expected the TOML to be refused');
}

const FULL = `
name = "repo-review-agent"
mode = "service"
template = "base"
workdir = "/workspace/project"
install = "npm ci"
entrypoint = "node server.js"
[env]
required = ["OPENAI_API_KEY"]
optional = ["SERPER_API_KEY"]
[bundle]
include = ["**"]
exclude = ["*.log"]
[outputs]
paths = ["result.json", "reports"]
[service]
port = 8000
[service.readiness]
path = "/health"
timeout_seconds = 60
type = "http"
[resources]
vcpus = 2
memory_mb = 2048
disk_mb = 8192
timeout_seconds = 1800
[debug]
retain_on_failure = true
retain_seconds = 3600
[permissions]
internet_access = true
allow_out = ["0.0.0.0/0"]
public_url = false
`;

describe('agent TOML', () => {
  test('every key of the Nullspace file is read into the config, and [bundle] kept apart', () => {
    const { config, bundle } = parseAgentToml(FULL);
    assert.deepEqual(bundle, { include: ['**'], exclude: ['*.log'] });
    assert.equal('bundle' in config, false);
    assert.deepEqual(config.service, {
      port: 8000,
      readiness: { path: '/health', timeout_seconds: 60, type: 'http' },
    });
    assert.deepEqual(config.resources, { vcpus: 2, memory_mb: 2048, disk_mb: 8192, timeout_seconds: 1800 });
    assert.equal(config.install, 'npm ci');
    assert.deepEqual(config.env, { required: ['OPENAI_API_KEY'], optional: ['SERPER_API_KEY'] });
  });

  test('a minimal file gets the documented defaults', () => {
    const { config, bundle } = parseAgentToml('entrypoint = "node main.js"');
    assert.equal(config.mode, 'job');
    assert.equal(config.workdir, '/workspace/project');
    assert.equal(config.install, null);
    assert.deepEqual(bundle, { include: [], exclude: [] });
  });

  test('a value that breaks a rule is reported with its TOML key', () => {
    assert.deepEqual(problems('entrypoint = "x"\n[resources]\nmemory_mb = 10'), [
      'atoll.agent.toml: resources.memory_mb: Too small: expected number to be >=64',
    ]);
    assert.match(
      problems('entrypoint = "x"\n[service]\nport = 8000\n[service.readiness]\ntype = "grpc"').join(),
      /^atoll.agent.toml: service.readiness.type: /,
    );
    assert.deepEqual(problems('name = "x"'), ['atoll.agent.toml: entrypoint: is required']);
    assert.match(
      problems('entrypoint = "x"\n[bundle]\nexclude = ["../up"]').join(),
      /bundle.exclude\[0\]: pattern has a "\.\." segment/,
    );
    assert.match(
      problems('entrypoint = "x"\nmode = "service"').join(),
      /service: a service-mode agent needs \[service\] with a port/,
    );
  });

  test('unknown keys are refused at every level, naming the allowed ones', () => {
    assert.deepEqual(problems('entrypoint = "x"\nentry_point = "y"'), [
      'atoll.agent.toml: entry_point: unknown key (top-level keys are name, mode, template, workdir, install, entrypoint, env, bundle, outputs, service, resources, debug, permissions)',
    ]);
    assert.deepEqual(problems('entrypoint = "x"\n[resources]\nmemory = 512'), [
      'atoll.agent.toml: resources.memory: unknown key ([resources] keys are vcpus, memory_mb, disk_mb, timeout_seconds)',
    ]);
    assert.match(
      problems('entrypoint = "x"\n[service]\nport = 1\n[service.readiness]\ninterval = 5').join(),
      /service.readiness.interval: unknown key/,
    );
    assert.match(problems('entrypoint = "x"\n[bundle]\nfiles = []').join(), /bundle.files: unknown key/);
  });

  test('a TOML syntax error gives the line and column', () => {
    assert.match(problems('entrypoint = "x"\nname = ').join(), /^atoll.agent.toml:2:\d+: /);
  });

  test('nullspace.agent.toml is read when there is no atoll.agent.toml', async () => {
    const dir = tempDir();
    await assert.rejects(readAgentToml(dir), /atoll.agent.toml: not found/);
    fs.writeFileSync(
      path.join(dir, 'nullspace.agent.toml'),
      'name = "ns"\nentrypoint = "x"\n[resources]\ncpu = 1',
    );
    await assert.rejects(readAgentToml(dir), /nullspace.agent.toml: resources.cpu: unknown key/);
    fs.writeFileSync(path.join(dir, 'atoll.agent.toml'), 'name = "atoll"\nentrypoint = "x"');
    assert.equal((await readAgentToml(dir)).config.name, 'atoll');
  });
});
