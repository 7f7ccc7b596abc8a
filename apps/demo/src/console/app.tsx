import { useEffect, useMemo, useState } from 'preact/hooks';
import { StudioContext, type Studio } from './context.js';
import { LiveFeed } from './lib/live-feed.js';
import { hrefOf, parseRoute, type Route } from './lib/route.js';
import { forgetSession, restoreSession, type Session } from './lib/session.js';
import { CollectionPage } from './pages/collection.js';
import { LoginPage } from './pages/login.js';
import { OverviewPage } from './pages/overview.js';
import { QueryPage } from './pages/query.js';
import { StoragePage } from './pages/storage.js';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = (): void => { setRoute(parseRoute(window.location.hash)); };
    window.addEventListener('hashchange', update);
    return () => { window.removeEventListener('hashchange', update); };
  }, []);
  return route;
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(restoreSession);
  const [notice, setNotice] = useState<string>();
  const route = useRoute();

  const studio = useMemo<Studio | undefined>(() => {
    if (session === undefined) return undefined;
    return {
      client: session.client,
      user: session.user,
      feed: new LiveFeed(session.client),
      authLost: (message) => {
        forgetSession();
        setNotice(message);
        setSession(undefined);
      },
    };
  }, [session]);

  useEffect(() => {
    if (studio === undefined) return undefined;
    studio.feed.start();
    return () => { studio.feed.stop(); };
  }, [studio]);

  useEffect(() => {
    document.title = `${titleOf(route)} · KilnDB Studio`;
  }, [route]);

  if (studio === undefined) {
    return (
      <LoginPage
        notice={notice}
        onLogin={(next) => {
          setNotice(undefined);
          setSession(next);
        }}
      />
    );
  }

  return (
    <StudioContext.Provider value={studio}>
      <a class="skip" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">KilnDB Studio</span>
        <nav aria-label="Pages">
          <NavLink route={{ page: 'overview' }} current={route} label="Overview" />
          <NavLink route={{ page: 'query', collection: undefined }} current={route} label="Query" />
          <NavLink route={{ page: 'storage' }} current={route} label="Storage" />
        </nav>
        <span class="who">
          {studio.user}{' '}
          <button
            type="button"
            class="link"
            onClick={() => {
              studio.authLost('Logged out.');
            }}
          >
            Log out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </StudioContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'collection':
      return <CollectionPage key={route.name} name={route.name} />;
    case 'query':
      return <QueryPage initialCollection={route.collection} />;
    case 'storage':
      return <StoragePage />;
  }
}

function NavLink({ route, current, label }: { route: Route; current: Route; label: string }) {
  const active = route.page === current.page || (route.page === 'overview' && current.page === 'collection');
  return (
    <a href={hrefOf(route)} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
}

function titleOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return 'Overview';
    case 'collection':
      return route.name;
    case 'query':
      return 'Query';
    case 'storage':
      return 'Storage';
  }
}
