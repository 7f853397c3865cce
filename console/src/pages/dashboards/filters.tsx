/**
 * The dashboard's filters as inputs. A filter left unset is not sent, so the server applies the
 * dashboard's default_filter_values (else the snippet input's default; a metric's window, the last 24 hours).
 * Time windows are picked as "last …" presets and fixed to the minute when picked, so a result cached
 * for that window is served again until the user picks or refreshes.
 */
import { useState } from 'react';
import type { FilterDefinition } from './types.ts';

export type FilterState = { choices: Record<string, string>; values: Record<string, unknown> };
export const NO_FILTERS: FilterState = { choices: {}, values: {} };

const WINDOWS: Record<string, { label: string; seconds: number }> = {
  '1h': { label: 'Last hour', seconds: 3600 },
  '24h': { label: 'Last 24 hours', seconds: 86400 },
  '7d': { label: 'Last 7 days', seconds: 7 * 86400 },
  '30d': { label: 'Last 30 days', seconds: 30 * 86400 },
};

function windowOf(choice: string): { from: number; to: number } | undefined {
  const w = WINDOWS[choice];
  if (!w) return undefined;
  const to = Math.floor(Date.now() / 60_000) * 60;
  return { from: to - w.seconds, to };
}

type Control =
  { type: 'window' } | { type: 'select'; options: string[] } | { type: 'text'; numeric?: boolean };

function controlOf(def: FilterDefinition): { label: string; control: Control } {
  switch (def.kind) {
    case 'time':
      return { label: def.label, control: { type: 'window' } };
    case 'status':
      return { label: def.label, control: { type: 'select', options: def.options } };
    case 'comparison':
    case 'resource':
      return { label: def.label, control: { type: 'text' } };
    case 'variable': {
      const input = def.input;
      switch (input.kind) {
        case 'time_range':
          return { label: input.label, control: { type: 'window' } };
        case 'enum':
          return { label: input.label, control: { type: 'select', options: input.options } };
        case 'boolean':
          return { label: input.label, control: { type: 'select', options: ['true', 'false'] } };
        case 'number':
          return { label: input.label, control: { type: 'text', numeric: true } };
        case 'text':
        case 'resource':
          return { label: input.label, control: { type: 'text' } };
        default: {
          const never: never = input;
          return never;
        }
      }
    }
    default: {
      const never: never = def;
      return never;
    }
  }
}

/** The value a choice stands for, sent as the filter's value (undefined: not sent). */
function valueOf(def: FilterDefinition, choice: string): unknown {
  if (choice === '') return undefined;
  const { control } = controlOf(def);
  if (control.type === 'window') return windowOf(choice);
  if (def.kind === 'variable' && def.input.kind === 'boolean') return choice === 'true';
  if (control.type === 'text' && control.numeric) return Number(choice);
  if (def.kind === 'variable' && def.input.kind === 'resource' && def.input.multiple) {
    return choice
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return choice;
}

export function FilterBar({
  definitions,
  defaults,
  state,
  onChange,
}: {
  definitions: FilterDefinition[];
  /** The dashboard's default_filter_values: what a filter left unset takes. */
  defaults: Record<string, unknown>;
  state: FilterState;
  onChange(next: FilterState): void;
}) {
  if (definitions.length === 0) return null;
  const set = (def: FilterDefinition, choice: string) => {
    const value = valueOf(def, choice);
    const values = { ...state.values };
    if (value === undefined) delete values[def.key];
    else values[def.key] = value;
    onChange({ choices: { ...state.choices, [def.key]: choice }, values });
  };
  return (
    <div className="filter-bar" role="group" aria-label="Filters">
      {definitions.map((def) => {
        const { label, control } = controlOf(def);
        const choice = state.choices[def.key] ?? '';
        const unset = def.key in defaults ? 'Dashboard default' : 'Not set';
        return (
          <label key={def.key} className="filter">
            <span>{label}</span>
            {control.type === 'window' ? (
              <select value={choice} onChange={(e) => set(def, e.target.value)}>
                <option value="">{unset}</option>
                {Object.entries(WINDOWS).map(([k, w]) => (
                  <option key={k} value={k}>
                    {w.label}
                  </option>
                ))}
              </select>
            ) : control.type === 'select' ? (
              <select value={choice} onChange={(e) => set(def, e.target.value)}>
                <option value="">{unset}</option>
                {control.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : (
              <TextFilter
                value={choice}
                placeholder={unset}
                numeric={control.numeric ?? false}
                onCommit={(v) => set(def, v)}
              />
            )}
          </label>
        );
      })}
    </div>
  );
}

/** A free-text filter, applied on Enter or when focus leaves it (not per keystroke: each apply resolves every widget). */
function TextFilter({
  value,
  placeholder,
  numeric,
  onCommit,
}: {
  value: string;
  placeholder: string;
  numeric: boolean;
  onCommit(v: string): void;
}) {
  const [draft, setDraft] = useState(value);
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim());
  };
  return (
    <input
      type={numeric ? 'number' : 'text'}
      value={draft}
      placeholder={placeholder}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}
