/** The fields of an agent, shared by the create and edit forms: name, description, instructions, capabilities, runtime. */
import type { Schema } from '@atoll/client';

export type Capability = Schema<'CreateAgentBody'>['capabilities'][number];
/** The capabilities an agent may have, with what each lets it do. */
export const CAPABILITIES: { value: Capability; hint: string }[] = [
  { value: 'CHAT', hint: 'answers in a session' },
  { value: 'CODING', hint: 'changes repositories' },
  { value: 'AMBIENT', hint: 'acts on triggers, configured through the API (PATCH /v1/agents/{id}, ambient)' },
];

export type AgentForm = {
  name: string;
  description: string;
  instructions: string;
  capabilities: Capability[];
  /** The runtime deployment id, '' for none. */
  runtime: string;
};

/** `capabilities` with `value` toggled, in the canonical order (so toggling back and forth is no change). */
function toggled(capabilities: Capability[], value: Capability): Capability[] {
  return CAPABILITIES.map((c) => c.value).filter((c) =>
    c === value ? !capabilities.includes(c) : capabilities.includes(c),
  );
}

export function AgentFields({
  form,
  onChange,
  editing = false,
}: {
  form: AgentForm;
  onChange: (next: AgentForm) => void;
  /** The edit form: the name takes the focus, and emptying an optional field removes it. */
  editing?: boolean;
}) {
  const set = (patch: Partial<AgentForm>) => onChange({ ...form, ...patch });
  const removes = editing ? '; empty removes it' : '';
  return (
    <>
      <label>
        Name
        <input
          value={form.name}
          onChange={(e) => set({ name: e.target.value })}
          required
          maxLength={120}
          autoFocus={editing}
        />
      </label>
      <label>
        <span>
          Description <span className="muted">(optional{removes})</span>
        </span>
        <input
          value={form.description}
          onChange={(e) => set({ description: e.target.value })}
          maxLength={500}
        />
      </label>
      <label>
        Instructions
        <textarea
          value={form.instructions}
          onChange={(e) => set({ instructions: e.target.value })}
          required
          rows={editing ? 8 : 5}
          maxLength={20000}
        />
      </label>
      <fieldset>
        <legend>Capabilities</legend>
        {CAPABILITIES.map((c) => (
          <label key={c.value} className="check">
            <input
              type="checkbox"
              checked={form.capabilities.includes(c.value)}
              onChange={() => set({ capabilities: toggled(form.capabilities, c.value) })}
            />
            {c.value} <span className="muted">— {c.hint}</span>
          </label>
        ))}
      </fieldset>
      <label>
        <span>
          Runtime deployment{' '}
          <span className="muted">(optional: a job-mode agent deployment, adpl_…{removes})</span>
        </span>
        <input
          value={form.runtime}
          onChange={(e) => set({ runtime: e.target.value.trim() })}
          placeholder="adpl_…"
        />
      </label>
    </>
  );
}
