/** Sends a message to the session: `POST /v1/agent_turns` submits it as a new turn. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';

export function Composer({ sessionId, onSent }: { sessionId: string; onSent: () => void }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState('');
  const send = useMutation({
    mutationFn: (text: string) =>
      call(
        api.POST('/v1/agent_turns', { body: { session_id: sessionId, message: text, runtime_hint: 'AUTO' } }),
      ),
    onSuccess: async () => {
      setMessage('');
      await queryClient.invalidateQueries({ queryKey: [ws, 'turns', { session: sessionId }] });
      void queryClient.invalidateQueries({ queryKey: [ws, 'session', sessionId] });
      onSent();
    },
  });
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (message.trim() && !send.isPending) send.mutate(message);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
  };
  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="composer-message" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-message"
        value={message}
        rows={2}
        maxLength={50000}
        placeholder="Message the agent (Ctrl+Enter to send): starts a new turn"
        onChange={(e) => setMessage(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="primary" disabled={send.isPending || !message.trim()}>
        {send.isPending ? 'Sending…' : 'Send'}
      </button>
      {send.isError ? <ErrorBox error={send.error} title="Not sent" /> : null}
    </form>
  );
}
