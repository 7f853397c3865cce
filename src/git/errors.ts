/**
 * The git layer's typed errors. Callers (the installs domain, the smart-HTTP handler) tell an expected
 * outcome (a branch that moved, an unknown revision, a bad name) from a broken git by class, never by
 * parsing messages. None of these know HTTP; the caller maps them to its own envelope.
 */

/** git itself failed: a non-zero exit, a signal or a spawn failure. Carries the command and its stderr. */
export class GitError extends Error {
  override name = 'GitError';
  /** The arguments git was run with (never file contents: those go through stdin). */
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;

  constructor(
    args: readonly string[],
    result: { exitCode: number | null; signal: NodeJS.Signals | null; stderr: string },
    options?: { cause?: unknown },
  ) {
    const how = result.signal ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
    const detail = result.stderr.trim().split('\n').slice(-3).join(' | ');
    super(`git ${args.join(' ')} failed (${how})${detail ? `: ${detail}` : ''}`, options);
    this.args = args;
    this.exitCode = result.exitCode;
    this.signal = result.signal;
    this.stderr = result.stderr;
  }

  /** The command line, for logs. */
  get command(): string {
    return `git ${this.args.join(' ')}`;
  }
}

/**
 * A compare-and-swap on a branch lost: the branch was not at `expectedHead` (null = expected absent).
 * The branch was left untouched; `currentHead` is where it is now (null = it does not exist).
 */
export class StaleHeadError extends Error {
  override name = 'StaleHeadError';
  readonly repo: string;
  readonly branch: string;
  readonly expectedHead: string | null;
  readonly currentHead: string | null;

  constructor(repo: string, branch: string, expectedHead: string | null, currentHead: string | null) {
    super(
      `branch ${branch} of ${repo} is ${currentHead ? `at ${currentHead}` : 'absent'}, expected ${
        expectedHead ? `it at ${expectedHead}` : 'it absent'
      }`,
    );
    this.repo = repo;
    this.branch = branch;
    this.expectedHead = expectedHead;
    this.currentHead = currentHead;
  }
}

/** What a {@link GitInputError} is about. */
export type GitInputField = 'repo' | 'branch' | 'path' | 'sha' | 'rev' | 'identity' | 'message' | 'date';

/** An argument refused before git ran: a repo name, branch, path, sha… that is not allowed. */
export class GitInputError extends Error {
  override name = 'GitInputError';
  readonly field: GitInputField;
  readonly value: string;

  constructor(field: GitInputField, value: string, reason: string) {
    super(
      `invalid ${field} ${JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value)}: ${reason}`,
    );
    this.field = field;
    this.value = value;
  }
}

/** A revision (branch, ref or sha) that does not name a commit in the repository. */
export class RevisionNotFoundError extends Error {
  override name = 'RevisionNotFoundError';
  readonly repo: string;
  readonly rev: string;

  constructor(repo: string, rev: string) {
    super(`revision ${rev} does not name a commit in ${repo}`);
    this.repo = repo;
    this.rev = rev;
  }
}

/** The repository does not exist under the store's root. */
export class RepoNotFoundError extends Error {
  override name = 'RepoNotFoundError';
  readonly repo: string;

  constructor(repo: string) {
    super(`repository ${repo} does not exist`);
    this.repo = repo;
  }
}
