/**
 * Installs: create (a 202 install.create operation that performs the first render), get, list and
 * delete (a 202 install.delete operation; the install is `deleted` at once, its repositories are purged
 * by a job that runs after the install's queued renders). Values are checked against the version's
 * input schema when the install is created, so a typo is a 422 rather than a failed render.
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { failedPrecondition, invalid, notFound } from '../http/errors.ts';
import { assertIfMatch } from '../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import type { Operation } from '../operations/schemas.ts';
import { toOperation } from '../operations/resources.ts';
import { findOperationById, insertOperation, setOperationJob } from '../operations/store.ts';
import { LOCAL_REGION } from '../platform/regions/schemas.ts';
import { findRegion } from '../platform/regions/store.ts';
import {
  findPackage,
  findVersionBySemver,
  findVersionById,
  type PackageVersionRow,
} from './packages/store.ts';
import { checkChartValues } from './engine/helm.ts';
import { validateValues } from './engine/inputs.ts';
import { deleteJob } from './jobs.ts';
import { renderSteps, renderSerialKey, startRender } from './renders/start.ts';
import { LOCAL_CLUSTER, type CreateInstallBody, type Install } from './schemas.ts';
import { insertRepository } from './repositories/store.ts';
import type { Actor, InstallChange } from './actor.ts';
import * as store from './store.ts';
import { installView, installViews, type InstallView } from './views.ts';
import { toInstall } from './resources.ts';

export type InstallServiceDeps = { db: Kysely<DB>; publicUrl: string };

export type InstallService = ReturnType<typeof createInstallService>;

/**
 * 422 naming the first value that breaks the version's input schema; a Helm version's values are
 * checked merged over its base values (the chart's values.yaml and the source's values), as they render.
 */
export function assertValues(
  version: Pick<PackageVersionRow, 'input_schema' | 'base_values'>,
  values: Record<string, unknown>,
  field: string,
): void {
  const checked =
    version.base_values !== null
      ? checkChartValues(version.input_schema, version.base_values, values)
      : validateValues(version.input_schema, values);
  if (!checked.ok) {
    const [first, ...more] = checked.problems;
    throw invalid(['body', field, ...first!.path], first!.message, {
      more: more.map((p) => ({ message: p.message, path: ['body', field, ...p.path] })),
    });
  }
}

export function createInstallService({ db, publicUrl }: InstallServiceDeps) {
  const wire = (row: InstallView) => toInstall(row, publicUrl, row.repository_id);

  async function load(workspaceId: string, id: string): Promise<InstallView> {
    const row = await installView(db, await store.findInstall(db, workspaceId, id));
    if (!row) throw notFound('install', id);
    return row;
  }

  async function chooseVersion(workspaceId: string, body: CreateInstallBody): Promise<PackageVersionRow> {
    if (body.product_id !== undefined) {
      throw invalid(
        ['body', 'product_id'],
        'Atoll has no products; install a package directly with package_id and package_version_pin',
      );
    }
    if (body.package_id === undefined) throw invalid(['body', 'package_id'], 'package_id is required');
    if (body.package_version_pin === undefined) {
      throw invalid(
        ['body', 'package_version_pin'],
        'package_version_pin is required: {"kind": "latest"} or {"kind": "pinned", "version": "1.2.3"}',
      );
    }
    const pkg = await findPackage(db, workspaceId, body.package_id);
    if (!pkg) throw invalid(['body', 'package_id'], `package ${body.package_id} not found in this workspace`);
    const pin = body.package_version_pin;
    const version =
      pin.kind === 'latest'
        ? await findVersionById(db, pkg.latest_version_id!)
        : await findVersionBySemver(db, pkg.id, pin.version);
    if (!version) {
      throw invalid(
        ['body', 'package_version_pin', 'version'],
        `package ${pkg.name} has no version ${pin.kind === 'pinned' ? pin.version : ''}`.trim(),
      );
    }
    return version;
  }

  return {
    async create(
      workspaceId: string,
      caller: Caller,
      body: CreateInstallBody,
      idempotencyKey: string | undefined,
    ): Promise<Operation> {
      if (!(await findRegion(db, workspaceId, body.region_id))) {
        throw invalid(
          ['body', 'region_id'],
          `region "${body.region_id}" not found in this workspace; GET /v1/regions lists its regions (every workspace has "${LOCAL_REGION}")`,
        );
      }
      if (body.cluster_id !== undefined && body.cluster_id !== LOCAL_CLUSTER) {
        throw invalid(
          ['body', 'cluster_id'],
          `unknown cluster "${body.cluster_id}"; every region has one target, "${LOCAL_CLUSTER}", the install's git repository (omit cluster_id)`,
        );
      }
      const version = await chooseVersion(workspaceId, body);
      const values = body.initial_values ?? {};
      assertValues(version, values, 'initial_values');
      const op = await db.transaction().execute(async (trx) => {
        const installId = newId('inst');
        const repositoryId = newId('repo');
        await insertRepository(trx, {
          id: repositoryId,
          workspace_id: workspaceId,
          name: installId,
          purpose: 'deploy',
          storage: repositoryId,
          install_id: installId,
          cluster_id: LOCAL_CLUSTER,
        });
        await store.insertInstall(trx, {
          id: installId,
          workspace_id: workspaceId,
          package_id: version.package_id,
          version_pin: JSON.stringify(body.package_version_pin),
          package_version_id: version.id,
          region_id: body.region_id,
          cluster_id: LOCAL_CLUSTER,
          input_values: JSON.stringify(values),
          require_review: body.require_review ?? false,
          repository_id: repositoryId,
          created_by: caller.subject,
        });
        const operation = await insertOperation(trx, {
          workspaceId,
          ownerType: 'install',
          ownerId: installId,
          state: 'RUNNING',
          metadata: {
            type: 'install.create',
            idempotency_key: idempotencyKey ?? '',
            workspace_id: workspaceId,
          },
          steps: renderSteps(new Date()),
        });
        await startRender(trx, {
          workspaceId,
          installId,
          createdBy: caller.subject,
          packageVersionId: version.id,
          inputValues: values,
          message: `Install ${version.semver}`,
          skipUnchanged: true,
          extraAnnotations: {},
          operationId: operation.id,
        });
        return (await findOperationById(trx, operation.id))!;
      });
      return toOperation(op, publicUrl);
    },

    async get(workspaceId: string, id: string): Promise<Install> {
      return wire(await load(workspaceId, id));
    },

    async list(workspaceId: string, page: PageRequest): Promise<Page<Install>> {
      const rows = await store.listInstalls(db, workspaceId, page);
      return toPage(await installViews(db, workspaceId, rows), page, wire);
    },

    /** Marks the install deleted and queues the purge of its repositories (after its queued renders). */
    async delete(
      { workspaceId, caller }: Actor,
      { installId: id, ifMatch }: InstallChange,
    ): Promise<Operation> {
      const op = await db.transaction().execute(async (trx) => {
        const install = await store.lockInstall(trx, id);
        if (!install || install.workspace_id !== workspaceId) throw notFound('install', id);
        assertIfMatch('install', ifMatch, install.version);
        if (install.state === 'deleted') throw failedPrecondition(`install ${id} is deleted already`);
        await store.markInstallDeleted(trx, id);
        const operation = await insertOperation(trx, {
          workspaceId,
          ownerType: 'install',
          ownerId: id,
          state: 'RUNNING',
          metadata: { type: 'install.delete', install_id: id },
          steps: [],
        });
        const job = await deleteJob.enqueue(
          trx,
          { install_id: id, operation_id: operation.id, deleted_by: caller.subject },
          { workspaceId, serialKey: renderSerialKey(id) },
        );
        await setOperationJob(trx, operation.id, job.id);
        return { ...operation, job_id: job.id };
      });
      return toOperation(op, publicUrl);
    },
  };
}
