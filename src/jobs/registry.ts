/**
 * Typed jobs, in the manner of Graphile Worker's task payload map. A job kind is a name and a zod schema
 * for its payload (`defineJobKind`); enqueueing through the kind checks the payload against the schema
 * before it is stored, and a handler defined against the kind (`defineJob`) receives the payload parsed
 * and typed. The payload is checked again when a runner hands a claimed job to its handler: a row written
 * by an older build, or by hand, that no longer fits fails its job for good with a message naming the
 * field, instead of reaching the handler (or crashing the runner). See docs/jobs.md.
 */
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../db/schema.ts';
import { InvalidJobError, PermanentJobError } from './errors.ts';
import { enqueue, type NewJob } from './queue.ts';
import type { JobContext, JobHandler, JobHandlers } from './runner.ts';
import type { JobRow } from './tables.ts';

/** Everything about a job but its kind and payload (the kind supplies both). */
export type EnqueueOptions = Omit<NewJob, 'kind' | 'payload'>;

/** A job kind: its name (what `jobs.kind` stores) and the schema of its payload. */
export type JobKind<S extends z.ZodType = z.ZodType> = {
  readonly name: string;
  readonly schema: S;
  /** Checks `payload` against the schema and enqueues it (see `enqueueJob`). */
  enqueue(db: Kysely<DB>, payload: z.input<S>, options: EnqueueOptions): Promise<JobRow>;
};

/** A claimed job whose payload has been checked against its kind's schema. */
export type Job<P> = Omit<JobRow, 'payload'> & { readonly payload: P };

/** What a handler of a kind does: `run` and `lost` as in `JobHandler`, with the payload typed. */
export type TypedJobHandler<P> = {
  run(job: Job<P>, ctx: JobContext): Promise<unknown>;
  lost?(job: Job<P>): Promise<'retry' | 'fail'>;
};

/** A handler bound to its kind, ready for a runner: `handler` checks the payload before the typed code. */
export type JobDefinition = { readonly kind: string; readonly handler: JobHandler };

/** Declares a job kind: `defineJobKind('install.render', z.object({ render_id: z.string() }))`. */
export function defineJobKind<S extends z.ZodType>(name: string, schema: S): JobKind<S> {
  const kind: JobKind<S> = {
    name,
    schema,
    enqueue: (db, payload, options) => enqueueJob(db, kind, payload, options),
  };
  return kind;
}

/**
 * Checks `payload` against the kind's schema (InvalidJobError naming the field when it does not fit) and
 * enqueues it as `enqueue` does, in the caller's transaction when given one. The payload is stored as
 * given, not as parsed, so what a caller writes is what the row holds.
 */
export async function enqueueJob<S extends z.ZodType>(
  db: Kysely<DB>,
  kind: JobKind<S>,
  payload: z.input<S>,
  options: EnqueueOptions,
): Promise<JobRow> {
  const parsed = kind.schema.safeParse(payload);
  if (!parsed.success) throw new InvalidJobError(invalidPayload(kind.name, parsed.error));
  return enqueue(db, { ...options, kind: kind.name, payload });
}

/**
 * Binds a typed handler to its kind. The runner's handler parses the claimed payload first: one that
 * fails the schema fails the job at once (PermanentJobError), and a lost job with such a payload is
 * failed rather than retried.
 */
export function defineJob<S extends z.ZodType>(
  kind: JobKind<S>,
  handler: TypedJobHandler<z.output<S>>,
): JobDefinition {
  const typed = (job: JobRow): Job<z.output<S>> | string => {
    const parsed = kind.schema.safeParse(job.payload);
    return parsed.success ? { ...job, payload: parsed.data } : invalidPayload(kind.name, parsed.error);
  };
  const lost = handler.lost;
  return {
    kind: kind.name,
    handler: {
      run(job, ctx) {
        const checked = typed(job);
        if (typeof checked === 'string') return Promise.reject(new PermanentJobError(checked));
        return handler.run(checked, ctx);
      },
      ...(lost
        ? {
            lost(job: JobRow) {
              const checked = typed(job);
              return typeof checked === 'string' ? Promise.resolve('fail' as const) : lost(checked);
            },
          }
        : {}),
    },
  };
}

/** The runner's handler map of `definitions`; a kind defined twice is a programming error. */
export function jobHandlers(definitions: readonly JobDefinition[]): JobHandlers {
  const handlers: JobHandlers = {};
  for (const { kind, handler } of definitions) {
    if (Object.hasOwn(handlers, kind)) throw new Error(`job kind ${kind} has two handlers`);
    handlers[kind] = handler;
  }
  return handlers;
}

/** `invalid payload for a install.render job: render_id: Invalid input: expected string, received undefined` */
function invalidPayload(kind: string, error: z.ZodError): string {
  const issues = error.issues.map(
    (i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`,
  );
  return `invalid payload for a ${kind} job: ${issues.join('; ')}`;
}
