/** Loading, error and empty states, shared by every page. */
import type { ReactNode } from 'react';
import { AtollApiError } from '@atoll/client';

export function Loading({ what }: { what?: string }) {
  return (
    <div className="state loading" role="status" aria-live="polite">
      Loading{what ? ` ${what}` : ''}…
    </div>
  );
}

/** The server's message (from either error envelope), with the status; never a bare "error". */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  const message =
    error instanceof AtollApiError
      ? `${error.message} (HTTP ${error.status}${error.code !== undefined ? `, ${error.code}` : ''})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div className="state error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {message}
    </div>
  );
}

/** What a newcomer sees where a list is empty: what this is, and the next command to run. */
export function Empty({
  title,
  children,
  command,
}: {
  title: string;
  children?: ReactNode;
  command?: string;
}) {
  return (
    <div className="state empty">
      <h3>{title}</h3>
      {children ? <p>{children}</p> : null}
      {command ? (
        <pre className="command">
          <code>{command}</code>
        </pre>
      ) : null}
    </div>
  );
}
