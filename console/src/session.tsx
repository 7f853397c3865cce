/**
 * Who the console acts as: the credentials a person signed in with (API tokens and OAuth2 JWTs), kept in
 * the browser's sessionStorage only (gone when the tab closes), and the workspace the console shows. A
 * workspace token acts in its workspace; a JWT acts in any workspace it may, picked with akua-context.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type Credential = {
  token: string;
  kind: 'token' | 'jwt';
  /** The workspaces this credential may act in, as the server listed them at sign-in. */
  workspaces: Array<{ id: string; name: string }>;
};

export type SessionState = {
  credentials: Credential[];
  /** The workspace shown: its id and the credential that acts in it. */
  active: { workspaceId: string; token: string } | undefined;
};

const KEY = 'atoll.session';

function load(): SessionState {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) return JSON.parse(raw) as SessionState;
  } catch {}
  return { credentials: [], active: undefined };
}

/** The session read at request time by the API client (outside React). */
let current: SessionState = load();
export const currentSession = () => current;

type SessionApi = {
  session: SessionState;
  /** Adds (or refreshes) a credential and switches to `workspaceId` (default its first workspace). */
  signIn(credential: Credential, workspaceId?: string): void;
  switchWorkspace(workspaceId: string): void;
  /** Records a workspace's new name (after a rename) wherever the session lists it. */
  renameWorkspace(workspaceId: string, name: string): void;
  signOut(): void;
};

const Context = createContext<SessionApi | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>(current);
  const save = useCallback((next: SessionState) => {
    current = next;
    sessionStorage.setItem(KEY, JSON.stringify(next));
    setSession(next);
  }, []);
  const api = useMemo<SessionApi>(
    () => ({
      session,
      signIn(credential, workspaceId) {
        const others = current.credentials.filter((c) => c.token !== credential.token);
        const target = workspaceId ?? credential.workspaces[0]?.id;
        save({
          credentials: [...others, credential],
          active: target ? { workspaceId: target, token: credential.token } : current.active,
        });
      },
      switchWorkspace(workspaceId) {
        const credential =
          current.credentials.find(
            (c) => c.kind === 'token' && c.workspaces.some((w) => w.id === workspaceId),
          ) ?? current.credentials.find((c) => c.workspaces.some((w) => w.id === workspaceId));
        if (credential) save({ ...current, active: { workspaceId, token: credential.token } });
      },
      renameWorkspace(workspaceId, name) {
        save({
          ...current,
          credentials: current.credentials.map((c) => ({
            ...c,
            workspaces: c.workspaces.map((w) => (w.id === workspaceId ? { ...w, name } : w)),
          })),
        });
      },
      signOut() {
        save({ credentials: [], active: undefined });
      },
    }),
    [session, save],
  );
  return <Context.Provider value={api}>{children}</Context.Provider>;
}

export function useSession(): SessionApi {
  const api = useContext(Context);
  if (!api) throw new Error('useSession outside SessionProvider');
  return api;
}

/** Every workspace the signed-in credentials may act in, once each. */
export function knownWorkspaces(session: SessionState): Array<{ id: string; name: string }> {
  const seen = new Map<string, { id: string; name: string }>();
  for (const c of session.credentials) for (const w of c.workspaces) if (!seen.has(w.id)) seen.set(w.id, w);
  return [...seen.values()];
}
