/** The analysis as plain-text tables for `npm run architecture`. */
import type { Analysis } from './analyze.ts';

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

function section(title: string, body: string): string {
  return `\n${title}\n${body || '(none)'}\n`;
}

export function renderReport(analysis: Analysis, top = 10): string {
  const fam = analysis.families;
  const totals = fam.reduce(
    (t, f) => [
      t[0]! + f.files,
      t[1]! + f.lines,
      t[2]! + f.sqlOutsideStores,
      t[3]! + f.foreignAccesses,
      t[4]! + f.payloadCasts,
      t[5]! + f.bigFiles,
    ],
    [0, 0, 0, 0, 0, 0],
  );
  const out = [
    table(
      ['family', 'files', 'lines', 'sql outside stores', 'foreign tables', 'payload casts', 'files > 500'],
      [
        ...fam.map((f) => [
          f.family,
          f.files,
          f.lines,
          f.sqlOutsideStores,
          f.foreignAccesses,
          f.payloadCasts,
          f.bigFiles,
        ]),
        ['total', ...totals],
      ],
    ),
  ];
  const byFile = new Map<string, number>();
  for (const s of analysis.sqlOutsideStores) byFile.set(s.file, (byFile.get(s.file) ?? 0) + 1);
  out.push(
    section(
      'SQL statements outside store files',
      [...byFile].map(([f, n]) => `  ${n.toString().padStart(3)}  ${f}`).join('\n'),
    ),
  );
  out.push(
    section(
      'Tables of another family',
      analysis.foreignAccesses
        .map((a) => `  ${a.file}:${a.line}  ${a.table} (owned by ${a.owner})`)
        .join('\n'),
    ),
  );
  out.push(
    section(
      'Import cycles between families',
      analysis.familyCycles.map((c) => `  ${c.join(' ↔ ')}`).join('\n'),
    ),
  );
  out.push(
    section(
      'Import cycles between folders',
      analysis.folderCycles.map((c) => `  ${c.join(' ↔ ')}`).join('\n'),
    ),
  );
  out.push(
    section('Import cycles between files', analysis.fileCycles.map((c) => `  ${c.join(' ↔ ')}`).join('\n')),
  );
  out.push(
    section(
      `Longest functions (top ${top})`,
      table(
        ['lines', 'function', 'where'],
        analysis.functions.slice(0, top).map((f) => [f.lines, f.name, `${f.file}:${f.line}`]),
      ).replace(/^/gm, '  '),
    ),
  );
  // A create*/register* factory is as long as the closures it returns; the next list shows the work itself.
  const work = analysis.functions.filter((f) => !/^(create|register)[A-Z]/.test(f.name));
  out.push(
    section(
      `Longest functions that are not create*/register* factories (top ${top})`,
      table(
        ['lines', 'function', 'where'],
        work.slice(0, top).map((f) => [f.lines, f.name, `${f.file}:${f.line}`]),
      ).replace(/^/gm, '  '),
    ),
  );
  out.push(
    section(
      '`.payload as X` casts',
      analysis.payloadCasts.map((c) => `  ${c.file}:${c.line}  ${c.text}`).join('\n'),
    ),
  );
  out.push(
    section(
      'Files over 500 lines',
      analysis.bigFiles.map((b) => `  ${b.lines}  ${b.file}${b.test ? ' (test)' : ''}`).join('\n'),
    ),
  );
  return out.join('\n');
}
