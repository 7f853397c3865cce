/**
 * The one shape every family's `module.ts` returns, so that the composition root (src/atoll.ts) is a list
 * it iterates rather than a set of names it must know:
 *
 * - `routes(app)` registers the family's HTTP routes (in list order: Hono takes the first match);
 * - `jobs` are its job handlers (src/jobs/registry.ts), by the runner that works them: `default` (renders,
 *   package jobs; ATOLL_WORKER_CONCURRENCY) or `sandbox` (agent runs and services, which hold a job for as
 *   long as their sandbox lives; ATOLL_SANDBOX_CAPACITY);
 * - `periodic` tasks are housekeeping run every `everyMs` by processes that run jobs (role all|worker);
 * - `start()` is worker start-up work, done before the sandbox runner starts (sandboxes a crash left);
 * - `close()` releases what the module holds, after the job runners have stopped.
 *
 * A module takes what it needs at construction (its deps object); nothing is filled in afterwards. What
 * a family offers other families (services, ports) sits beside these members on the same object.
 */
import type { Logger } from 'pino';
import type { ApiApp } from './http/context.ts';
import type { JobDefinition } from './jobs/registry.ts';

/** The job runners of a process: see `jobs` above. */
export type RunnerName = 'default' | 'sandbox';

/** Housekeeping run every `everyMs`; the task logs what it did, a failure is logged for it. */
export type PeriodicTask = { readonly name: string; readonly everyMs: number; run(): Promise<unknown> };

export type AtollModule = {
  readonly name: string;
  routes?(app: ApiApp): void;
  readonly jobs?: Partial<Record<RunnerName, readonly JobDefinition[]>>;
  readonly periodic?: readonly PeriodicTask[];
  start?(): Promise<void>;
  close?(): Promise<void>;
};

/** Checks a family's module against the shape, keeping its own members (services, ports) in its type. */
export function defineModule<M extends AtollModule>(module: M): M {
  return module;
}

/** The job definitions of `modules` for one runner, in module order. */
export function jobsFor(modules: readonly AtollModule[], runner: RunnerName): JobDefinition[] {
  return modules.flatMap((m) => m.jobs?.[runner] ?? []);
}

/** A module's periodic task by name (tests run one at once instead of waiting for its timer). */
export function periodicTask(module: AtollModule, name: string): PeriodicTask {
  const task = module.periodic?.find((t) => t.name === name);
  if (!task) throw new Error(`module ${module.name} has no periodic task "${name}"`);
  return task;
}

export type PeriodicTimers = { stop(): void };

/**
 * Runs each task every `everyMs` (first after one interval) on an unref'd timer, so the timers never keep
 * the process alive; a failure is logged as `<name> failed` and the task runs again at its next turn.
 */
export function startPeriodic(tasks: readonly PeriodicTask[], log: Logger): PeriodicTimers {
  const timers = tasks.map((task) =>
    setInterval(
      () => void task.run().catch((error: unknown) => log.warn({ err: error }, `${task.name} failed`)),
      task.everyMs,
    ).unref(),
  );
  return {
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
