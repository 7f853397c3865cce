/**
 * Helm values, merged as Helm merges them: maps merge key by key at every depth, anything else (a
 * list, a string, a number) is replaced whole, and `null` over a default removes that key. An install's
 * values go over its version's source values, which go over the chart's values.yaml.
 *
 * Two merges: `overlay` keeps the nulls (what helm gets with `--values`, so that helm itself removes
 * the chart's defaults they name), `coalesce` applies them (the values the templates will see, which
 * are validated against the version's input schema before anything is written).
 */

type Values = Record<string, unknown>;

function isMap(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `over` on top of `base`, nulls kept (a null in `over` replaces whatever `base` had). */
export function overlay(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = out[key];
    out[key] = isMap(value) && isMap(below) ? overlay(below, value) : value;
  }
  return out;
}

/** `over` on top of `base`, with a null in `over` removing the key (Helm's coalescing of values). */
export function coalesce(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = out[key];
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(below)) out[key] = coalesce(below, value);
    else out[key] = isMap(value) ? coalesce({}, value) : value;
  }
  return out;
}
