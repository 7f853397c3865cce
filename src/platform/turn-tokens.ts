/**
 * Turn tokens: short-lived bearer credentials a deployment runtime's run gets (ATOLL_TURN_TOKEN) so
 * that the agent can emit events into its turn, and nothing else. Stateless and never stored:
 * `atoll_turn_` + base64url(JSON claims) + `.` + base64url(HMAC-SHA256). The key is derived from the
 * server's env key, which every process sharing the database already shares, so any API process can
 * verify a token a worker minted. The authenticator also requires the run to be still active, so a
 * token dies with its run even before it expires (docs/agents.md "Deployment runtimes").
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const TURN_TOKEN_PREFIX = 'atoll_turn_';

/** What a turn token grants: emitting into `turnId` of `workspaceId` while `runId` is active. */
export type TurnClaims = { workspaceId: string; turnId: string; runId: string; expiresAt: Date };

export type TurnTokens = {
  mint(claims: TurnClaims): string;
  /** The claims of a well-formed, correctly signed token (expired ones included), else undefined. */
  read(token: string): TurnClaims | undefined;
};

type Wire = { w: string; t: string; r: string; e: number };

/** The signing key for turn tokens, derived from the env key (never the env key itself). */
export function turnTokenKey(envKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', envKey, '', 'atoll turn token', 32));
}

export function createTurnTokens(key: Buffer): TurnTokens {
  const sign = (body: string) =>
    createHmac('sha256', key)
      .update(TURN_TOKEN_PREFIX + body)
      .digest();
  return {
    mint(claims) {
      const wire: Wire = {
        w: claims.workspaceId,
        t: claims.turnId,
        r: claims.runId,
        e: Math.floor(claims.expiresAt.getTime() / 1000),
      };
      const body = Buffer.from(JSON.stringify(wire)).toString('base64url');
      return `${TURN_TOKEN_PREFIX}${body}.${sign(body).toString('base64url')}`;
    },
    read(token) {
      if (!token.startsWith(TURN_TOKEN_PREFIX)) return undefined;
      const [body, signature, ...rest] = token.slice(TURN_TOKEN_PREFIX.length).split('.');
      if (body === undefined || signature === undefined || rest.length > 0) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      let wire: Partial<Wire>;
      try {
        wire = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Wire>;
      } catch {
        return undefined;
      }
      const { w, t, r, e } = wire;
      if (typeof w !== 'string' || typeof t !== 'string' || typeof r !== 'string' || typeof e !== 'number')
        return undefined;
      return { workspaceId: w, turnId: t, runId: r, expiresAt: new Date(e * 1000) };
    },
  };
}
