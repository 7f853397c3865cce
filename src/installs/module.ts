/**
 * The installs domain wired together: packages and their versions, installs, renders (carried out by
 * the job queue), repositories served over git smart HTTP, and repository change requests. Its jobs
 * go to the process's default job runner and its periodic task (expiring change requests) to its
 * housekeeping; the composition root decides whether this process runs them (role all|worker).
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { lookupAgent } from '../agents/module.ts';
import type { DB } from '../db/schema.ts';
import { createGitHttpHandler } from '../git/http.ts';
import type { GitStore } from '../git/store.ts';
import type { ApiApp, Authenticator } from '../http/context.ts';
import type { Executor } from '../isolate/executor.ts';
import { defineModule } from '../module.ts';
import type { OperationsModule } from '../operations/module.ts';
import type { SandboxDriver } from '../sandbox/driver.ts';
import { createHelmTemplater, removeStaleSandboxes } from './charts/helm-template.ts';
import { createReviewOpener } from './change-requests/review.ts';
import { registerChangeRequestRoutes } from './change-requests/routes.ts';
import { createChangeRequestService } from './change-requests/service.ts';
import { createDeleteJobHandler } from './delete-job.ts';
import { createGitAccess } from './git-access.ts';
import { registerPackageRoutes } from './packages/routes.ts';
import { createPublishJobHandler } from './packages/publish-job.ts';
import { createPackageService } from './packages/service.ts';
import { createRenderCanceller } from './renders/cancel.ts';
import { registerRenderRoutes } from './renders/routes.ts';
import { createRenderService } from './renders/service.ts';
import { createRenderJobHandler } from './renders/worker.ts';
import { registerRegistryConnectionRoutes } from './registries/routes.ts';
import { createRegistryConnectionService } from './registries/service.ts';
import { registerRepositoryRoutes } from './repositories/routes.ts';
import { createRepositoryService } from './repositories/service.ts';
import { registerInstallRoutes } from './routes.ts';
import { createInstallService } from './service.ts';
import { registerInstallStatusRoutes } from './status-routes.ts';
import { createInstallStatusService } from './status.ts';
import { countRendersByState } from './store.ts';

/** The workspace's renders in a window, counted by state (dashboards' platform metrics). */
export function renderCounts(db: Kysely<DB>) {
  return (workspaceId: string, window: { from: Date; to: Date }) =>
    countRendersByState(db, workspaceId, window);
}

/** Where the git repositories are served, below the public URL. */
export const GIT_MOUNT = '/git';

/** How long pulling a chart from its registry may take (manifest and chart). */
const PULL_TIMEOUT_MS = 60_000;

/** How often change requests past their expiry are closed. */
const EXPIRY_INTERVAL_MS = 60_000;

export type InstallsModule = ReturnType<typeof installsModule>;

export function installsModule(deps: {
  db: Kysely<DB>;
  log: Logger;
  publicUrl: string;
  git: GitStore;
  executor: Executor;
  authenticator: Authenticator;
  operations: OperationsModule;
  renderLimits: { memoryMb: number; cpuMs: number; wallMs: number; resultBytes: number };
  /** Seals registry credentials at rest (src/lib/seal.ts). */
  envKey: Buffer;
  /** Helm packages: sandboxes `helm template` runs in, the binary, registries, limits. */
  helm: {
    driver: SandboxDriver;
    findHelm(): string | undefined;
    plainHttp: readonly string[];
    chartMaxBytes: number;
  };
}) {
  const { db, git, log, publicUrl, operations } = deps;
  const notifyOperation = (id: string) => operations.waiter.notify(id);
  const renders = createRenderService({ db, git });
  const registries = createRegistryConnectionService({ db, envKey: deps.envKey });
  const packages = createPackageService({
    db,
    publicUrl,
    executor: deps.executor,
    renderLimits: deps.renderLimits,
    onVersionPublished: renders.onVersionPublished,
    charts: {
      registries,
      plainHttp: new Set(deps.helm.plainHttp),
      chartMaxBytes: deps.helm.chartMaxBytes,
      timeoutMs: PULL_TIMEOUT_MS,
    },
  });
  const helmTemplate = createHelmTemplater({
    driver: deps.helm.driver,
    findHelm: deps.helm.findHelm,
    limits: {
      memoryMb: deps.renderLimits.memoryMb,
      wallMs: deps.renderLimits.wallMs,
      outputBytes: deps.renderLimits.resultBytes,
    },
  });
  const installs = createInstallService({ db, publicUrl });
  const status = createInstallStatusService({ db });
  const changeRequests = createChangeRequestService({
    db,
    git,
    publicUrl,
    notifyOperation,
    agentExists: lookupAgent(db),
  });
  const repositories = createRepositoryService({ db, git, publicUrl });
  const canceller = createRenderCanceller({ db, git, notifyOperation });
  for (const type of ['install.render', 'install.create', 'repository_change_request.accept']) {
    operations.registerCanceller(type, canceller);
  }
  const jobs = [
    createRenderJobHandler({
      db,
      git,
      executor: deps.executor,
      helmTemplate,
      limits: deps.renderLimits,
      log,
      notifyOperation,
      openReview: createReviewOpener({ db, git }),
    }),
    createDeleteJobHandler({ db, git, notifyOperation }),
    createPublishJobHandler({ db, git }),
  ];
  const gitHandler = createGitHttpHandler({
    store: git,
    mountPath: GIT_MOUNT,
    authorize: createGitAccess({ db, authenticator: deps.authenticator }),
    onError: (error, request) => log.error({ err: error, ...request }, 'git request failed'),
    onPushed: (repo) => changeRequests.onPushed(repo),
  });

  return defineModule({
    packages,
    installs,
    renders,
    changeRequests,
    repositories,
    git,
    name: 'installs',
    jobs: { default: jobs },
    // A crash can leave `helm template` sandboxes behind; no render outlives its time limit.
    async start() {
      await removeStaleSandboxes(deps.helm.driver, 2 * deps.renderLimits.wallMs + 60_000);
    },
    periodic: [
      {
        name: 'expiring change requests',
        everyMs: EXPIRY_INTERVAL_MS,
        async run() {
          const expired = await changeRequests.expireDue();
          if (expired > 0) log.info({ expired }, 'expired repository change requests');
          return expired;
        },
      },
    ],
    routes(app: ApiApp): void {
      registerPackageRoutes(app, packages);
      registerInstallRoutes(app, installs, renders);
      registerInstallStatusRoutes(app, status);
      registerRenderRoutes(app, renders);
      registerRepositoryRoutes(app, repositories);
      registerChangeRequestRoutes(app, changeRequests);
      registerRegistryConnectionRoutes(app, registries);
      app.all(`${GIT_MOUNT}/*`, gitHandler);
    },
  });
}
