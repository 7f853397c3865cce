/**
 * OAuth2 JWT verification with jose: an HS256 shared secret or a remote JWKS, with the configured
 * issuer and audience. A verified JWT yields its subject, the workspaces its claim grants and the
 * workspace its default-workspace claim names.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { JwtConfig } from '../config.ts';
import { unauthenticated } from '../http/errors.ts';

export type VerifiedJwt = {
  subject: string;
  workspaces: readonly string[] | '*';
  /** The workspace the default-workspace claim names, if it names one. */
  defaultWorkspace: string | undefined;
};

export type JwtVerifier = (token: string) => Promise<VerifiedJwt>;

export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  const key: Uint8Array | JWTVerifyGetKey = config.secret
    ? new TextEncoder().encode(config.secret)
    : createRemoteJWKSet(new URL(config.jwksUrl!));
  const algorithms = config.secret
    ? ['HS256']
    : ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];
  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        ...(config.issuer ? { issuer: config.issuer } : {}),
        ...(config.audience ? { audience: config.audience } : {}),
      }));
    } catch (error) {
      const reason =
        (error as { code?: string }).code === 'ERR_JWT_EXPIRED'
          ? 'the JWT has expired'
          : 'the JWT is not valid';
      throw unauthenticated(`${reason} (${(error as Error).message})`);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw unauthenticated('the JWT has no "sub" claim');
    const claim = payload[config.workspacesClaim];
    let workspaces: readonly string[] | '*' = [];
    if (claim === '*') workspaces = '*';
    else if (Array.isArray(claim)) workspaces = claim.filter((w): w is string => typeof w === 'string');
    else if (typeof claim === 'string') workspaces = claim.split(/[\s,]+/).filter(Boolean);
    const named = payload[config.defaultWorkspaceClaim];
    const defaultWorkspace = typeof named === 'string' && named !== '' ? named : undefined;
    return { subject: payload.sub, workspaces, defaultWorkspace };
  };
}
