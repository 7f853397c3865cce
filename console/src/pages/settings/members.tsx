/**
 * /settings/members: the people (OAuth2 JWT subjects) who are members of the workspace, with their roles.
 * The server decides who may list them; when it refuses (e.g. for a workspace API token) its message is
 * shown with what to do.
 */
import { useQuery } from '@tanstack/react-query';
import { AtollApiError } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Time } from '../../ui/format.tsx';
import { Section } from '../../ui/page.tsx';
import { Empty, ErrorBox, Loading } from '../../ui/states.tsx';
import { SettingsPage } from './settings-page.tsx';

export function MembersPage() {
  const ws = useWorkspaceKey();
  const members = useQuery({
    queryKey: [ws, 'members'],
    queryFn: () => call(api.GET('/v1/workspaces/{id}/members', { params: { path: { id: ws } } })),
    retry: (count, error) => !(error instanceof AtollApiError && error.status < 500) && count < 2,
  });
  return (
    <SettingsPage>
      <Section title="Members">
        <p className="muted section-lead">
          Members are people who sign in with OAuth2 (their JWT subject), each with a role: owner, admin or
          member. API tokens are not members; they act in the workspace they were created in.
        </p>
        {members.isPending ? (
          <Loading what="members" />
        ) : members.isError ? (
          <>
            <ErrorBox error={members.error} title="The server did not list the members" />
            {members.error instanceof AtollApiError && members.error.status === 403 ? (
              <p className="muted">
                The credential this console uses may not list members. Sign in with an OAuth2 token (JWT) of a
                member of this workspace to see them.
              </p>
            ) : null}
          </>
        ) : members.data.data.length === 0 ? (
          <Empty
            title="No members"
            command={`curl -s -X POST ${location.origin}/v1/workspaces/${ws}/members \\
  -H "Authorization: Bearer $JWT" -H 'Content-Type: application/json' \\
  -d '{"user_id":"<subject>","role":"member"}'`}
          >
            This workspace has no OAuth2 members yet; an owner or admin adds one with:
          </Empty>
        ) : (
          <table className="table" aria-label="Members">
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th>Joined</th>
              </tr>
            </thead>
            <tbody>
              {members.data.data.map((m) => (
                <tr key={m.id}>
                  <td>
                    <code>{m.user_id}</code>
                  </td>
                  <td>
                    <span className="badge">{m.role}</span>
                  </td>
                  <td>
                    <Time value={m.joined_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </SettingsPage>
  );
}
