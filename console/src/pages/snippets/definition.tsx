/**
 * A snippet's definition as a form: name, description, display type, code (CodeMirror, JavaScript) and
 * input descriptors (CodeMirror, JSON). Used to create a snippet and to edit one.
 */
import { useId } from 'react';
import { CodeEditor } from './code-editor.tsx';
import { DISPLAY_TYPES, type DisplayType, type InputDescriptor, type Snippet } from './types.ts';

export type Draft = {
  name: string;
  description: string;
  display_type: DisplayType;
  code: string;
  /** The input descriptors as JSON text, parsed on save. */
  inputs: string;
};

export const NEW_DRAFT: Draft = {
  name: '',
  description: '',
  display_type: 'json',
  code: `async (inputs) => {
  console.log('called with', inputs);
  const r = await platform.request({ method: 'GET', path: '/v1/snippets', query: { limit: 5 } });
  return r.body.data.map((s) => ({ id: s.id, name: s.name }));
}`,
  inputs: '[]',
};

export function toDraft(s: Snippet): Draft {
  return {
    name: s.name,
    description: s.description ?? '',
    display_type: s.display_type,
    code: s.code,
    inputs: JSON.stringify(s.inputs, null, 2),
  };
}

/** The input descriptors of a draft, or the reason its JSON is not a list. */
export function parseInputs(text: string): { inputs: InputDescriptor[] } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch (e) {
    return { problem: `Input schema is not JSON: ${(e as Error).message}` };
  }
  if (!Array.isArray(value)) return { problem: 'Input schema must be a JSON list of input descriptors.' };
  return { inputs: value as InputDescriptor[] };
}

export function DefinitionFields({
  draft,
  onChange,
  readOnly,
}: {
  draft: Draft;
  onChange: (next: Draft) => void;
  readOnly?: boolean;
}) {
  const id = useId();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => onChange({ ...draft, [key]: value });
  return (
    <div className="definition">
      <div className="definition-meta">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={draft.name}
          maxLength={100}
          required
          readOnly={readOnly}
          onChange={(e) => set('name', e.target.value)}
        />
        <label htmlFor={`${id}-description`}>Description</label>
        <input
          id={`${id}-description`}
          value={draft.description}
          maxLength={500}
          readOnly={readOnly}
          onChange={(e) => set('description', e.target.value)}
        />
        <label htmlFor={`${id}-display`}>Display type</label>
        <select
          id={`${id}-display`}
          value={draft.display_type}
          disabled={readOnly}
          onChange={(e) => set('display_type', e.target.value as DisplayType)}
        >
          {DISPLAY_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <div className="stack">
        <span className="field-label">
          Code{' '}
          <span className="muted">
            — an async function called with the inputs; its return value is the output
          </span>
        </span>
        <CodeEditor
          label="Code"
          language="javascript"
          value={draft.code}
          onChange={(code) => set('code', code)}
          readOnly={readOnly}
          minLines={14}
        />
      </div>
      <div className="stack">
        <span className="field-label">
          Input schema{' '}
          <span className="muted">
            — a JSON list of descriptors: key, label, kind (text, number, boolean, enum, resource,
            time_range), required, default…
          </span>
        </span>
        <CodeEditor
          label="Input schema"
          language="json"
          value={draft.inputs}
          onChange={(inputs) => set('inputs', inputs)}
          readOnly={readOnly}
          minLines={4}
        />
      </div>
    </div>
  );
}
