/**
 * A diff as the installs API serves it (a render's commit, a change request's fork): per file its path,
 * status and +/- counts, then the unified patch with old and new line numbers, added and removed lines
 * colored. Big files start collapsed; binary and truncated patches say so.
 */
import { useState } from 'react';
import type { Schema } from '@atoll/client';

export type DiffFile = Schema<'RepositoryDiffFile'>;

/** The fields every diff answer shares. */
export type Diff = { files: DiffFile[]; total_files: number; truncated: boolean };

/** Files with more changed lines than this start collapsed. */
const BIG = 150;

type Line = { kind: 'add' | 'del' | 'ctx' | 'hunk' | 'note'; text: string; old?: number; new?: number };

/** The lines of one file's `git diff` output, headers dropped, numbered from its hunk headers. */
export function parsePatch(patch: string): Line[] {
  const out: Line[] = [];
  let oldNo = 0;
  let newNo = 0;
  let inHunk = false;
  const lines = patch.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const text of lines) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (hunk) {
      oldNo = Number(hunk[1]);
      newNo = Number(hunk[2]);
      inHunk = true;
      out.push({ kind: 'hunk', text });
    } else if (!inHunk) {
      continue;
    } else if (text.startsWith('+')) {
      out.push({ kind: 'add', text: text.slice(1), new: newNo++ });
    } else if (text.startsWith('-')) {
      out.push({ kind: 'del', text: text.slice(1), old: oldNo++ });
    } else if (text.startsWith('\\')) {
      out.push({ kind: 'note', text });
    } else {
      out.push({ kind: 'ctx', text: text.slice(1), old: oldNo++, new: newNo++ });
    }
  }
  return out;
}

export function DiffView({ diff, label }: { diff: Diff; label: string }) {
  if (diff.files.length === 0) return <p className="muted">No files changed.</p>;
  const adds = diff.files.reduce((n, f) => n + f.additions, 0);
  const dels = diff.files.reduce((n, f) => n + f.deletions, 0);
  return (
    <div className="diff" aria-label={label}>
      <p className="diff-summary">
        {diff.total_files} file{diff.total_files === 1 ? '' : 's'} changed,{' '}
        <span className="plus">+{adds}</span> <span className="minus">−{dels}</span>
        {diff.truncated ? (
          <span className="muted">
            {' '}
            — the diff was cut at the server's caps
            {diff.total_files > diff.files.length ? ` (${diff.files.length} files shown)` : ''}
          </span>
        ) : null}
      </p>
      {diff.files.map((f) => (
        <FileDiff key={f.path} file={f} />
      ))}
    </div>
  );
}

function FileDiff({ file }: { file: DiffFile }) {
  const [open, setOpen] = useState(file.additions + file.deletions <= BIG);
  return (
    <section className="diff-file" aria-label={file.path}>
      <header className="diff-file-head">
        <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'} <code>{file.path}</code>
        </button>
        <span className={`badge diff-${file.status}`}>{file.status}</span>
        <span className="plus">+{file.additions}</span>
        <span className="minus">−{file.deletions}</span>
        {file.truncated ? <span className="muted">patch cut short</span> : null}
      </header>
      {open ? <Patch file={file} /> : null}
    </section>
  );
}

function Patch({ file }: { file: DiffFile }) {
  if (file.binary) return <p className="muted diff-note">Binary file: the contents differ.</p>;
  if (!file.patch)
    return <p className="muted diff-note">Patch not shown: the diff reached the server's size cap.</p>;
  const lines = parsePatch(file.patch);
  return (
    <table className="diff-lines">
      <tbody>
        {lines.map((l, i) => (
          <tr key={i} className={`diff-${l.kind}`}>
            <td className="ln">{l.old ?? ''}</td>
            <td className="ln">{l.new ?? ''}</td>
            <td className="sign">{l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ''}</td>
            <td className="code">{l.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
