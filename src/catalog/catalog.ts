/**
 * The curated catalogue that ships with Atoll: one JSON file per skill (src/catalog/skills/) and per
 * template (src/catalog/templates/), read and validated once when the server starts. A file that breaks
 * a rule stops start-up with a message naming the file and the field, so a bad entry never reaches a
 * client. Entries are served in id order; their etag is a digest of the file's entry, so it changes
 * exactly when the entry does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from '@hono/zod-openapi';
import { sha256Hex } from '../lib/digest.ts';
import { SkillEntry, TemplateEntry } from './schemas.ts';

export type Curated<T> = T & { etag: string };

export type Catalog = {
  skills: ReadonlyArray<Curated<SkillEntry>>;
  templates: ReadonlyArray<Curated<TemplateEntry>>;
};

export const CATALOG_DIR = import.meta.dirname;

function readEntries<S extends z.ZodType<{ id: string }>>(
  dir: string,
  schema: S,
): Array<Curated<z.infer<S>>> {
  const entries = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const where = path.relative(process.cwd(), path.join(dir, file));
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new Error(`catalogue entry ${where} is not JSON: ${(error as Error).message}`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Error(`catalogue entry ${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      if (`${parsed.data.id}.json` !== file)
        throw new Error(`catalogue entry ${where}: its id ${parsed.data.id} must be its file name`);
      const etag = sha256Hex(JSON.stringify(json)).slice(0, 16);
      return { ...parsed.data, etag };
    });
  return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Reads and checks every catalogue file under `dir` (default: the one beside this module). */
export function loadCatalog(dir: string = CATALOG_DIR): Catalog {
  return {
    skills: readEntries(path.join(dir, 'skills'), SkillEntry),
    templates: readEntries(path.join(dir, 'templates'), TemplateEntry),
  };
}
