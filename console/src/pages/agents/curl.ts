/** The curl commands the empty states show: the next call a newcomer makes, against this server. */
const origin = () => globalThis.location?.origin ?? 'http://127.0.0.1:8787';

export function curlPost(path: string, body: object): string {
  return [
    `curl -X POST ${origin()}${path} \\`,
    `  -H "authorization: Bearer $ATOLL_TOKEN" -H 'content-type: application/json' \\`,
    `  -d '${JSON.stringify(body)}'`,
  ].join('\n');
}
