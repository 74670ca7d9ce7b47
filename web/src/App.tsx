import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ConnectCasesClient } from '@aws-sdk/client-connectcases';
import { createClient, errorMessage, getSession, signOut, type SessionInfo } from './api';
import { Link, useRoute } from './router';
import { SignIn } from './SignIn';
import { DomainPicker } from './DomainPicker';
import { CaseList } from './CaseList';
import { CasePage } from './CasePage';
import { NewCase } from './NewCase';
import { Admin } from './Admin';

export interface Workspace {
  client: ConnectCasesClient;
  session: SessionInfo;
  userArn: string;
}

const WorkspaceContext = createContext<Workspace | null>(null);

export function useWorkspace(): Workspace {
  const ws = useContext(WorkspaceContext);
  if (!ws) throw new Error('useWorkspace outside the signed-in app');
  return ws;
}

export function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    getSession().then(setSession, (e) => setError(errorMessage(e)));
  }, []);
  const client = useMemo(
    () => (session?.user ? createClient(session.region, () => setSession((s) => (s ? { ...s, user: null } : s))) : null),
    [session],
  );

  if (error) return <p role="alert" className="error">Cannot reach the server: {error}</p>;
  if (!session) return <p className="loading">Loading…</p>;
  if (!session.user || !client) return <SignIn onSignedIn={setSession} />;
  const ws: Workspace = { client, session, userArn: session.user.userArn };
  return (
    <WorkspaceContext.Provider value={ws}>
      <Shell onSignedOut={() => signOut().then(setSession)} />
    </WorkspaceContext.Provider>
  );
}

function Shell({ onSignedOut }: { onSignedOut: () => void }) {
  const { session } = useWorkspace();
  const { path, query } = useRoute();
  const m = /^\/d\/([^/]+)(?:\/(cases|admin)(?:\/([^/]+))?(?:\/([^/]+))?)?\/?$/.exec(path);
  const domainId = m ? decodeURIComponent(m[1]) : undefined;
  let page;
  let title;
  if (!domainId) [page, title] = [<DomainPicker />, 'Domains'];
  else if (m![2] === 'admin') [page, title] = [<Admin domainId={domainId} section={m![3] ?? 'fields'} />, 'Admin'];
  else if (m![3] === 'new') [page, title] = [<NewCase domainId={domainId} templateId={query.get('template') ?? undefined} />, 'New case'];
  else if (m![3]) [page, title] = [<CasePage key={m![3]} domainId={domainId} caseId={decodeURIComponent(m![3])} />, 'Case'];
  else [page, title] = [<CaseList domainId={domainId} query={query} />, 'Cases'];
  useEffect(() => {
    document.title = `${title} · opencases`;
  }, [title]);
  return (
    <>
      <a href="#main" className="skip-link">Skip to content</a>
      <header className="topbar">
        <Link href="/" className="brand">opencases</Link>
        {domainId && (
          <nav aria-label="Main">
            <Link href={`/d/${encodeURIComponent(domainId)}/cases`}>Cases</Link>
            <Link href={`/d/${encodeURIComponent(domainId)}/cases/new`}>New case</Link>
            <Link href={`/d/${encodeURIComponent(domainId)}/admin/fields`}>Admin</Link>
          </nav>
        )}
        <span className="who" title={session.user!.userArn}>
          {session.user!.username}
          {session.mode === 'dev' && <em> (dev mode)</em>}
        </span>
        {session.mode === 'strict' && (
          <button type="button" onClick={onSignedOut}>Sign out</button>
        )}
      </header>
      <main id="main" tabIndex={-1}>{page}</main>
    </>
  );
}
