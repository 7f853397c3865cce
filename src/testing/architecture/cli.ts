/**
 * `npm run architecture [-- --root DIR] [-- --top N] [-- --json]` prints the analysis of a checkout;
 * `npm run architecture -- --map` rewrites the generated part of `<root>/docs/architecture.md`.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyze } from './analyze.ts';
import { writeMap } from './map.ts';
import { renderReport } from './report.ts';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: path.resolve(import.meta.dirname, '../../..') },
    map: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    top: { type: 'string', default: '10' },
  },
});

const root = path.resolve(values.root);
const analysis = analyze(root);
if (values.map) {
  const changed = writeMap(root, analysis);
  console.log(
    changed ? 'docs/architecture.md: map regenerated' : 'docs/architecture.md: map already current',
  );
} else if (values.json) {
  const { files: _files, owners, ...rest } = analysis;
  console.log(JSON.stringify({ ...rest, owners: Object.fromEntries(owners) }, null, 2));
} else {
  console.log(renderReport(analysis, Number(values.top)));
}
