/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with, served at
 * GET /v1/openapi.json; and a readable reference page rendered from it at GET /docs. Both are public
 * and built once, on first request.
 */
import type { ApiApp } from './context.ts';
import { renderDocsPage } from './docs-page.ts';

export type OpenApiInfo = { version: string; publicUrl: string };

export function registerOpenApi(app: ApiApp, info: OpenApiInfo): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'BearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A workspace API token (sk_…) or an OAuth2 JWT; a JWT picks its workspace with the akua-context header.',
  });
  let document: string | undefined;
  let page: string | undefined;
  const build = () => {
    const doc = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Atoll API',
        version: info.version,
        description:
          'Self-hostable control plane for agents and automation. Akua-family endpoints use Unix-second timestamps, `{data, has_more, next_cursor}` lists and the `{success:false, errors, result}` envelope; agent deployments use ISO-8601 timestamps, `{items, next_cursor}` and `{error:{…}}`.',
      },
      servers: [{ url: info.publicUrl }],
    });
    return doc;
  };
  app.get('/v1/openapi.json', (c) => {
    document ??= JSON.stringify(build());
    return c.body(document, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  app.get('/docs', (c) => {
    page ??= renderDocsPage(build() as unknown as Parameters<typeof renderDocsPage>[0]);
    return c.html(page);
  });
}
