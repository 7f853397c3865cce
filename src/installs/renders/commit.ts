/**
 * Committing a render to a branch exactly once. Every render commit carries an `Atoll-Render: rnd_…`
 * trailer; before committing, the branch's recent history is searched for it, so a job retried after
 * its worker died between the commit and the database write adopts its commit instead of making a
 * second one. The branch moves by compare-and-swap; a stale head (someone else moved it) is re-read.
 */
import type { GitStore, TreeFile } from '../../git/store.ts';
import { StaleHeadError } from '../../git/errors.ts';

const RECENT = 50;
const CAS_ATTEMPTS = 5;

export function renderTrailer(renderId: string): string {
  return `Atoll-Render: ${renderId}`;
}

/** The commit message: the subject the caller chose, then Atoll's trailers. */
export function commitMessage(subject: string, trailers: Record<string, string>): string {
  const lines = Object.entries(trailers).map(([k, v]) => `${k}: ${v}`);
  return `${subject.trim() || 'Render'}\n\n${lines.join('\n')}\n`;
}

/** The newest of the branch's last `limit` commits whose message has the line `trailer`, if any. */
export async function findTrailerCommit(
  git: GitStore,
  storage: string,
  branch: string,
  trailer: string,
  limit = RECENT,
): Promise<string | undefined> {
  const head = await git.head(storage, branch);
  if (!head) return undefined;
  const recent = await git.log(storage, head, limit);
  return recent.find((c) => c.message.split('\n').some((line) => line.trim() === trailer))?.sha;
}

/** The commit of `renderId` among the branch's recent commits, if it was made already. */
export function findRenderCommit(
  git: GitStore,
  storage: string,
  branch: string,
  renderId: string,
): Promise<string | undefined> {
  return findTrailerCommit(git, storage, branch, renderTrailer(renderId));
}

/** Commits `files` on top of the branch (and `mergeParents`), unless this render's commit is there. */
export async function commitRender(
  git: GitStore,
  storage: string,
  input: {
    branch: string;
    renderId: string;
    files: TreeFile[];
    message: string;
    mergeParents: string[];
    /** Whether an earlier attempt of this render may have committed already (its worker died). */
    resumed: boolean;
  },
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    // Only a resumed render can find its commit there: a lost compare-and-swap below wrote nothing.
    if (input.resumed && attempt === 1) {
      const made = await findRenderCommit(git, storage, input.branch, input.renderId);
      if (made) return made;
    }
    const head = await git.head(storage, input.branch);
    try {
      return await git.commit(storage, {
        branch: input.branch,
        files: input.files,
        message: input.message,
        expectedHead: head,
        parents: [...(head ? [head] : []), ...input.mergeParents],
      });
    } catch (error) {
      if (!(error instanceof StaleHeadError) || attempt >= CAS_ATTEMPTS) throw error;
    }
  }
}
