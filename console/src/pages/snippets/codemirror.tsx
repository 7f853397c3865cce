/**
 * CodeMirror 6 behind a small React component; its own chunk (loaded through code-editor.tsx), so pages
 * that never show an editor never download it. The editor owns its document: `value` seeds it, and a new
 * `value` from outside (a reload, a save) replaces the text only when it differs from what is shown.
 */
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { EditorState } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'react';
import type { CodeEditorProps } from './code-editor.tsx';

export function CodeMirrorEditor({ value, onChange, language, label, readOnly, minLines }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          language === 'json' ? json() : javascript(),
          EditorView.lineWrapping,
          EditorState.readOnly.of(readOnly ?? false),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', role: 'textbox' }),
          EditorView.theme({ '.cm-content, .cm-gutter': { minHeight: `${(minLines ?? 8) * 1.4}em` } }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once per language and mode; later values flow in through the effect below.
  }, [language, readOnly, label]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const shown = editor.state.doc.toString();
    if (shown !== value) editor.dispatch({ changes: { from: 0, to: shown.length, insert: value } });
  }, [value]);

  return <div className="code-editor" ref={host} />;
}
