// Hash routes (#/grid, #/household/ID, #/issues?state=reported): the app is
// served as static files, so the hash is the only state that survives a reload.

export type Screen =
  | 'today' | 'grid' | 'household' | 'issues' | 'issue' | 'issue-new'
  | 'wishes' | 'wish' | 'wish-new' | 'me' | 'visits' | 'visit' | 'dashboard' | 'refused'
  | 'cases' | 'case' | 'case-new'
  | 'topics' | 'topic' | 'topic-new';

export interface Route {
  screen: Screen;
  /** The record id for household, issue, wish, case, topic and visit. */
  id?: string;
  params: Record<string, string>;
}

/** Which bottom tab (or sidebar item) a screen belongs to. */
export type Tab = 'today' | 'grid' | 'issues' | 'cases' | 'topics' | 'wishes' | 'me' | 'dashboard';

const simple: Record<string, Screen> = {
  '': 'today',
  today: 'today',
  grid: 'grid',
  issues: 'issues',
  'issues/new': 'issue-new',
  wishes: 'wishes',
  'wishes/new': 'wish-new',
  cases: 'cases',
  'cases/new': 'case-new',
  topics: 'topics',
  'topics/new': 'topic-new',
  me: 'me',
  visits: 'visits',
  dashboard: 'dashboard',
  refused: 'refused',
};

const withId: Record<string, Screen> = {
  household: 'household',
  issue: 'issue',
  wish: 'wish',
  case: 'case',
  topic: 'topic',
  visit: 'visit',
};

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '').replace(/^\/+/, '');
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw).replace(/\/+$/, '');
  const params: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) params[k] = v;
  }
  if (path in simple) return { screen: simple[path], params };
  const slash = path.indexOf('/');
  if (slash > 0) {
    const head = path.slice(0, slash);
    const id = decodeURIComponent(path.slice(slash + 1));
    if (head in withId && id !== '' && !id.includes('/')) return { screen: withId[head], id, params };
  }
  return { screen: 'today', params: {} };
}

/** Builds a hash for a screen; empty and undefined params are left out. */
export function href(
  screen: Screen,
  id?: string | null,
  params: Record<string, string | number | boolean | null | undefined> = {},
): string {
  let path: string;
  if (screen === 'household' || screen === 'issue' || screen === 'wish' || screen === 'case' || screen === 'topic' || screen === 'visit') {
    path = `${screen}/${encodeURIComponent(id ?? '')}`;
  } else if (screen === 'issue-new') {
    path = 'issues/new';
  } else if (screen === 'wish-new') {
    path = 'wishes/new';
  } else if (screen === 'case-new') {
    path = 'cases/new';
  } else if (screen === 'topic-new') {
    path = 'topics/new';
  } else {
    path = screen;
  }
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '' || v === false) continue;
    search.set(k, v === true ? '1' : String(v));
  }
  const qs = search.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

export function tabOf(screen: Screen): Tab {
  switch (screen) {
    case 'grid':
    case 'household':
      return 'grid';
    case 'issues':
    case 'issue':
    case 'issue-new':
      return 'issues';
    case 'wishes':
    case 'wish':
    case 'wish-new':
      return 'wishes';
    case 'cases':
    case 'case':
    case 'case-new':
      return 'cases';
    case 'topics':
    case 'topic':
    case 'topic-new':
      return 'topics';
    case 'me':
    case 'refused':
      return 'me';
    case 'visits':
      return 'today';
    case 'visit':
      return 'grid';
    case 'dashboard':
      return 'dashboard';
    default:
      return 'today';
  }
}
