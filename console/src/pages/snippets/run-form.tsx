/**
 * Run a snippet: a form generated from its input descriptors (or its inputs as JSON), POST
 * /v1/snippets/{id}/runs, and the recorded run shown below. Inputs left empty take their defaults on the
 * server, which also checks them (a 422 names each bad one).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';
import { CodeEditor } from './code-editor.tsx';
import { RunView } from './run-view.tsx';
import type { InputDescriptor, Snippet } from './types.ts';

type Values = Record<string, string | boolean>;

export function RunForm({ snippet, dirty }: { snippet: Snippet; dirty: boolean }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [values, setValues] = useState<Values>(() => initial(snippet.inputs));
  const [jsonText, setJsonText] = useState('{}');
  const [problem, setProblem] = useState<string>();
  const run = useMutation({
    mutationFn: (inputs: Record<string, unknown>) =>
      call(api.POST('/v1/snippets/{id}/runs', { params: { path: { id: snippet.id } }, body: { inputs } })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: [ws, 'snippet-runs', snippet.id] }),
        queryClient.invalidateQueries({ queryKey: [ws, 'snippet-usage', snippet.id] }),
      ]),
  });
  const archived = snippet.archived_at !== null;

  const submit = () => {
    setProblem(undefined);
    if (mode === 'form') return run.mutate(toInputs(snippet.inputs, values));
    try {
      const parsed: unknown = JSON.parse(jsonText || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return setProblem('Inputs must be a JSON object keyed by input key.');
      run.mutate(parsed as Record<string, unknown>);
    } catch (e) {
      setProblem(`Inputs are not JSON: ${(e as Error).message}`);
    }
  };

  return (
    <form
      className="stack"
      aria-label="Run snippet"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="row">
        <span className="muted">Inputs as</span>
        <div className="tabs small" role="tablist" aria-label="Inputs as">
          <button type="button" role="tab" aria-selected={mode === 'form'} onClick={() => setMode('form')}>
            Form
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'json'}
            onClick={() => {
              setJsonText(JSON.stringify(toInputs(snippet.inputs, values), null, 2));
              setMode('json');
            }}
          >
            JSON
          </button>
        </div>
      </div>
      {mode === 'form' ? (
        snippet.inputs.length === 0 ? (
          <p className="muted">This snippet declares no inputs (its input schema is empty).</p>
        ) : (
          <div className="input-grid">
            {snippet.inputs.map((d) => (
              <InputField
                key={d.key}
                descriptor={d}
                value={values[d.key] ?? ''}
                onChange={(v) => setValues((old) => ({ ...old, [d.key]: v }))}
              />
            ))}
          </div>
        )
      ) : (
        <CodeEditor
          label="Inputs (JSON)"
          language="json"
          value={jsonText}
          onChange={setJsonText}
          minLines={4}
        />
      )}
      {problem ? <ErrorBox error={problem} /> : null}
      {run.isError ? <ErrorBox error={run.error} title="Not run" /> : null}
      <div className="row">
        <button className="primary" type="submit" disabled={run.isPending || archived}>
          {run.isPending ? 'Running…' : 'Run'}
        </button>
        {archived ? <span className="muted">An archived snippet cannot run.</span> : null}
        {dirty && !archived ? (
          <span className="notice">Runs use the saved code: save your changes to run them.</span>
        ) : null}
      </div>
      {run.data ? (
        <div className="section last-run" aria-live="polite">
          <RunView run={run.data} link />
        </div>
      ) : null}
    </form>
  );
}

function InputField({
  descriptor: d,
  value,
  onChange,
}: {
  descriptor: InputDescriptor;
  value: string | boolean;
  onChange: (v: string | boolean) => void;
}) {
  const id = useId();
  const hint = [d.description, d.required ? 'required' : 'optional', defaultText(d)]
    .filter(Boolean)
    .join(' · ');
  const label = (
    <label htmlFor={id}>
      {d.label} <code className="id">{d.key}</code>
    </label>
  );
  const text = String(value);
  let control;
  switch (d.kind) {
    case 'boolean':
      control = (
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
      );
      break;
    case 'enum':
      control = (
        <select id={id} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">{d.default !== undefined ? `(default: ${d.default})` : '(none)'}</option>
          {d.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'number':
      control = (
        <input
          id={id}
          type="number"
          value={text}
          min={d.min}
          max={d.max}
          step="any"
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'text':
      control = (
        <input
          id={id}
          value={text}
          maxLength={d.max_length ?? 500}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'resource':
      control = (
        <input
          id={id}
          value={text}
          placeholder={d.multiple ? `${d.resource} ids, comma-separated` : `${d.resource} id`}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'time_range':
      control = (
        <input
          id={id}
          value={text}
          placeholder="from,to (Unix seconds)"
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    default:
      return exhaustive(d);
  }
  return (
    <div className="input-field">
      {label}
      {control}
      {hint ? <span className="muted hint">{hint}</span> : null}
    </div>
  );
}

function exhaustive(d: never): never {
  throw new Error(`unknown input kind ${JSON.stringify(d)}`);
}

function defaultText(d: InputDescriptor): string | undefined {
  if (d.default === undefined) return undefined;
  return `default ${typeof d.default === 'object' ? JSON.stringify(d.default) : String(d.default)}`;
}

function initial(descriptors: InputDescriptor[]): Values {
  const values: Values = {};
  for (const d of descriptors) if (d.kind === 'boolean') values[d.key] = d.default ?? false;
  return values;
}

/** The run's inputs from the form: empty fields are left out (the server applies defaults). */
function toInputs(descriptors: InputDescriptor[], values: Values): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const d of descriptors) {
    const v = values[d.key];
    if (d.kind === 'boolean') {
      if (typeof v === 'boolean') inputs[d.key] = v;
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (text === '') continue;
    switch (d.kind) {
      case 'number':
        inputs[d.key] = Number(text);
        break;
      case 'resource':
        inputs[d.key] = d.multiple
          ? text
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : text;
        break;
      case 'time_range': {
        const [from, to] = text.split(',').map((s) => Number(s.trim()));
        inputs[d.key] = { from, to };
        break;
      }
      case 'enum':
      case 'text':
        inputs[d.key] = text;
        break;
      default:
        exhaustive(d);
    }
  }
  return inputs;
}
