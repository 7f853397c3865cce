/**
 * A code editor (JavaScript or JSON) that loads CodeMirror lazily, in its own chunk. While it loads, a
 * read-only copy of the text holds the editor's place at the same height, so nothing jumps.
 */
import { lazy, Suspense } from 'react';

export type CodeEditorProps = {
  value: string;
  onChange?: (value: string) => void;
  language: 'javascript' | 'json';
  /** The accessible name of the editable area (e.g. "Code"). */
  label: string;
  readOnly?: boolean;
  /** The editor's minimum height, in lines. */
  minLines?: number;
};

const Loaded = lazy(async () => ({ default: (await import('./codemirror.tsx')).CodeMirrorEditor }));

export function CodeEditor(props: CodeEditorProps) {
  return (
    <Suspense
      fallback={
        <pre
          className="code-editor-placeholder"
          style={{ minHeight: `${(props.minLines ?? 8) * 1.4 + 0.6}em` }}
        >
          {props.value}
        </pre>
      }
    >
      <Loaded {...props} />
    </Suspense>
  );
}
