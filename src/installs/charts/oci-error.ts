/**
 * The one error the OCI pull client throws: a closed set of codes the caller maps to an API status
 * (a bad reference is the user's input, an unreachable registry is not), and a message written for the
 * user that says what to fix. Messages never hold credentials.
 */

export type OciErrorCode =
  /** The repo_url, chart or target_revision is malformed (`field` says which). */
  | 'invalid_reference'
  /** No connection to the registry (DNS, refused, TLS, timeout). */
  | 'unreachable'
  /** The registry wants credentials we do not have, or refused the ones we sent. */
  | 'unauthorized'
  /** The credentials are valid but may not pull this repository. */
  | 'forbidden'
  /** No such repository, tag or manifest. */
  | 'not_found'
  /** The artifact is not a Helm chart (an image, an index, another artifact type). */
  | 'not_a_chart'
  /** The chart (or its manifest) is larger than allowed. */
  | 'too_large'
  /** What the registry sent does not hash to the digest that addresses it. */
  | 'digest_mismatch'
  /** The registry answered with an error or something that breaks the distribution protocol. */
  | 'registry_error';

export type OciErrorField = 'repo_url' | 'chart' | 'target_revision';

export class OciError extends Error {
  override name = 'OciError';
  readonly code: OciErrorCode;
  readonly field: OciErrorField | undefined;
  constructor(code: OciErrorCode, message: string, field?: OciErrorField) {
    super(message);
    this.code = code;
    this.field = field;
  }
}
