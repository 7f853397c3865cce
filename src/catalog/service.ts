/**
 * Reading the catalogue: skills as visible to the workspace a request acts in, templates as curated,
 * with their deployment's deploy command. An id not in the catalogue is 404.
 */
import { notFound } from '../http/errors.ts';
import type { Page } from '../http/pagination.ts';
import type { Catalog, Curated } from './catalog.ts';
import { catalogPage } from './page.ts';
import type { AgentSkill, AgentTemplate, SkillEntry, TemplateEntry } from './schemas.ts';

type PageQuery = { cursor?: string | undefined; limit: number };

function toSkill(entry: Curated<SkillEntry>, workspaceId: string): AgentSkill {
  return { ...entry, workspace_id: workspaceId };
}

function toTemplate(entry: Curated<TemplateEntry>): AgentTemplate {
  return {
    ...entry,
    deployment: { ...entry.deployment, deploy_command: `atoll agent deploy ${entry.deployment.source}` },
  };
}

export function createCatalogService(catalog: Catalog) {
  return {
    listSkills(workspaceId: string, query: PageQuery): Page<AgentSkill> {
      return catalogPage(catalog.skills, query, (e) => toSkill(e, workspaceId));
    },
    getSkill(workspaceId: string, id: string): AgentSkill {
      const entry = catalog.skills.find((e) => e.id === id);
      if (!entry) throw notFound('agent skill', id);
      return toSkill(entry, workspaceId);
    },
    listTemplates(query: PageQuery): Page<AgentTemplate> {
      return catalogPage(catalog.templates, query, toTemplate);
    },
    getTemplate(id: string): AgentTemplate {
      const entry = catalog.templates.find((e) => e.id === id);
      if (!entry) throw notFound('agent template', id);
      return toTemplate(entry);
    },
  };
}
export type CatalogService = ReturnType<typeof createCatalogService>;
