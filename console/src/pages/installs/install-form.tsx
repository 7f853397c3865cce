/** Installing a package: version pin, region and initial values (checked by the server against the schema). */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call, newIdempotencyKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';

export function InstallForm({ packageId }: { packageId: string }) {
  const navigate = useNavigate();
  const [pin, setPin] = useState('');
  const [region, setRegion] = useState('local');
  const [values, setValues] = useState('{}');
  const create = useMutation({
    mutationFn: async () => {
      let initial: Record<string, unknown>;
      try {
        initial = JSON.parse(values || '{}');
      } catch (e) {
        throw new Error(`Initial values are not JSON: ${(e as Error).message}`);
      }
      return call(
        api.POST('/v1/installs', {
          params: { header: { 'idempotency-key': newIdempotencyKey() } },
          body: {
            package_id: packageId,
            package_version_pin: pin ? { kind: 'pinned', version: pin } : { kind: 'latest' },
            region_id: region,
            initial_values: initial,
          },
        }),
      );
    },
    onSuccess: (op) => navigate(`/installs/${op.owner_id}`),
  });
  return (
    <form
      className="stack install-form"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <div className="row">
        <label>
          Version{' '}
          <input value={pin} onChange={(e) => setPin(e.target.value)} placeholder="latest" size={12} />
        </label>
        <label>
          Region <input value={region} onChange={(e) => setRegion(e.target.value)} size={12} />
        </label>
      </div>
      <label className="stack">
        Initial values (JSON)
        <textarea rows={4} value={values} onChange={(e) => setValues(e.target.value)} spellCheck={false} />
      </label>
      {create.isError ? <ErrorBox error={create.error} /> : null}
      <div>
        <button className="primary" type="submit" disabled={create.isPending}>
          {create.isPending ? 'Installing…' : 'Install'}
        </button>
      </div>
    </form>
  );
}
