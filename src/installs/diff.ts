/**
 * Diffs as the installs API serves them (Atoll extensions: a render's commit against its first parent, a
 * change request's fork against its base): the schema of a changed file, the fields every diff answer
 * shares, and reading one from the git store. docs/installs.md "Diffs".
 */
import { z } from '@hono/zod-openapi';
import { RepoNotFoundError } from '../git/errors.ts';
import { DEFAULT_DIFF_LIMITS, type GitStore } from '../git/store.ts';
import { failedPrecondition } from '../http/errors.ts';

export const DiffFile = z
  .object({
    path: z.string().openapi({ description: 'Atoll: the path from the repository root.' }),
    status: z.enum(['added', 'modified', 'deleted']).openapi({
      description:
        'Atoll: renames are not detected (a deletion and an addition); a change of file type or mode is `modified`.',
    }),
    additions: z.number().int().min(0).openapi({ description: 'Atoll: lines added (0 when binary).' }),
    deletions: z.number().int().min(0).openapi({ description: 'Atoll: lines deleted (0 when binary).' }),
    binary: z.boolean().openapi({
      description: 'Atoll: git found the content binary; the patch says only that the files differ.',
    }),
    patch: z.string().openapi({
      description: `Atoll: the file's part of \`git diff\` output, headers included (\`diff --git a/… b/…\`), UTF-8 (invalid bytes replaced); at most ${DEFAULT_DIFF_LIMITS.maxPatchBytes} bytes, cut at a line end, and empty once all patches together reach ${DEFAULT_DIFF_LIMITS.maxTotalBytes} bytes.`,
    }),
    truncated: z
      .boolean()
      .openapi({ description: 'Atoll: `patch` was cut short or left empty by the byte caps.' }),
  })
  .openapi('RepositoryDiffFile');
export type DiffFile = z.infer<typeof DiffFile>;

/** The fields of every diff answer. */
export const DiffFields = {
  files: z.array(DiffFile).openapi({
    description: `Atoll: the changed files in path order, at most ${DEFAULT_DIFF_LIMITS.maxFiles}.`,
  }),
  total_files: z
    .number()
    .int()
    .min(0)
    .openapi({ description: 'Atoll: how many files changed in all (more than listed when capped).' }),
  truncated: z
    .boolean()
    .openapi({ description: 'Atoll: some file was left out or some patch was cut short.' }),
};

export type DiffBody = { files: DiffFile[]; total_files: number; truncated: boolean };

export const NO_CHANGES: DiffBody = { files: [], total_files: 0, truncated: false };

/**
 * The diff from `fromSha` (null: the empty tree) to `toSha` in `storage`, with the default caps. A
 * repository purged meanwhile (deleted install, closed fork) is 409 with `gone` as the message.
 */
export async function diffCommits(
  git: GitStore,
  storage: string,
  fromSha: string | null,
  toSha: string,
  gone: string,
): Promise<DiffBody> {
  try {
    const diff = await git.diff(storage, fromSha, toSha);
    return { files: diff.files, total_files: diff.totalFiles, truncated: diff.truncated };
  } catch (error) {
    if (error instanceof RepoNotFoundError) throw failedPrecondition(gone);
    throw error;
  }
}

/** The first parent of a commit (null for a root commit), read from the repository. */
export async function firstParent(git: GitStore, storage: string, sha: string, gone: string) {
  try {
    const [commit] = await git.log(storage, sha, 1);
    return commit?.parents[0] ?? null;
  } catch (error) {
    if (error instanceof RepoNotFoundError) throw failedPrecondition(gone);
    throw error;
  }
}
