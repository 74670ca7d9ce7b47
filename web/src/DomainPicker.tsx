import { useState, type FormEvent } from 'react';
import { CreateDomainCommand, ListDomainsCommand, type DomainSummary } from '@aws-sdk/client-connectcases';
import { errorMessage } from './api';
import { useWorkspace } from './App';
import { useLoad } from './meta';
import { Link, navigate } from './router';

export function DomainPicker() {
  const { client } = useWorkspace();
  const domains = useLoad(async () => {
    const all: DomainSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListDomainsCommand({ maxResults: 10, nextToken }));
      all.push(...(page.domains ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }, []);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      const d = await client.send(new CreateDomainCommand({ name }));
      navigate(`/d/${encodeURIComponent(d.domainId!)}/cases`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section className="domains">
      <h1>Cases domains</h1>
      {domains.error && <p role="alert" className="error">{domains.error}</p>}
      <ul>
        {(domains.data ?? []).map((d) => (
          <li key={d.domainId}>
            <Link href={`/d/${encodeURIComponent(d.domainId!)}/cases`}>{d.name}</Link> <code className="muted">{d.domainId}</code>
          </li>
        ))}
      </ul>
      {domains.data?.length === 0 && <p>No domain yet.</p>}
      <form onSubmit={create} className="inline-form">
        <label>
          New domain name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <button type="submit">Create domain</button>
        {error && <p role="alert" className="error">{error}</p>}
      </form>
    </section>
  );
}
