// The columns of each desk table (lib/table.ts): what a household, issue or
// wish row shows on a wide window, in the words its phone card uses.
import { app, dict, t, term } from './app.svelte';
import { formatDate, formatDeadline } from './format';
import type { Column } from './table';
import type { HouseholdRow, IssueRow, WishRow } from './types';

const syncWord = (state: string) => term('syncState', state);

export function householdColumns(): Column<HouseholdRow>[] {
  return [
    { key: 'head', label: t('col.head'), text: (r) => r.head_name + (r.matched_name ? ` (${t('grid.matched', { name: r.matched_name })})` : ''), sort: (r) => r.head_name },
    { key: 'address', label: t('col.address'), text: (r) => r.address, sort: (r) => r.address },
    { key: 'people', nowrap: true, label: t('col.people'), text: (r) => String(r.resident_count), sort: (r) => r.resident_count, width: '5em' },
    { key: 'tags', label: t('col.tags'), text: (r) => r.tags.map((tg) => term('tag', tg)).join('、') },
    {
      key: 'lastVisit', nowrap: true, label: t('grid.lastVisit'),
      text: (r) => (r.last_visit ? formatDate(r.last_visit, dict()) : t('grid.neverVisited')),
      sort: (r) => r.last_visit,
    },
    {
      key: 'sync', nowrap: true, label: t('col.sync'),
      text: (r) => (r.sync_state === 'synced' && r.unsent_visits > 0 ? t('sync.visitsUnsent', { n: r.unsent_visits }) : syncWord(r.sync_state)),
      sort: (r) => r.sync_state,
    },
  ];
}

export function issueColumns(): Column<IssueRow>[] {
  const due = (r: IssueRow) => (r.state === 'dispatched' ? formatDeadline(r.deadline, new Date(app.now), dict()) : null);
  return [
    { key: 'summary', label: t('col.summary'), text: (r) => r.summary, sort: (r) => r.summary, width: '30%' },
    { key: 'category', nowrap: true, label: t('col.category'), text: (r) => term('cat', r.category), sort: (r) => term('cat', r.category) },
    {
      key: 'state', nowrap: true, label: t('col.state'),
      text: (r) => (r.state ? term('issueState', r.state) : t('issueState.none')) + (r.overdue ? ` · ${t('issues.overdue')}` : ''),
      sort: (r) => r.state, tone: (r) => (r.overdue ? 'alert' : undefined),
    },
    { key: 'household', label: t('col.household'), text: (r) => [r.address, r.head_name].filter(Boolean).join(' · '), sort: (r) => r.address },
    { key: 'reported', nowrap: true, label: t('col.reported'), text: (r) => formatDate(r.reported_at, dict()), sort: (r) => r.reported_at },
    {
      key: 'deadline', nowrap: true, label: t('issue.deadline'), text: (r) => due(r)?.text ?? '',
      sort: (r) => (r.state === 'dispatched' ? r.deadline : null), tone: (r) => (due(r)?.overdue ? 'alert' : undefined),
    },
    { key: 'sync', nowrap: true, label: t('col.sync'), text: (r) => syncWord(r.sync_state), sort: (r) => r.sync_state },
  ];
}

export function wishColumns(): Column<WishRow>[] {
  return [
    { key: 'title', label: t('col.title'), text: (r) => r.title, sort: (r) => r.title },
    { key: 'category', nowrap: true, label: t('col.category'), text: (r) => term('wishCat', r.category), sort: (r) => r.category },
    { key: 'value', nowrap: true, label: t('col.value'), text: (r) => t('common.yuan', { n: r.value_yuan }), sort: (r) => r.value_yuan, width: '6em' },
    { key: 'state', nowrap: true, label: t('col.state'), text: (r) => (r.state ? term('wishState', r.state) : ''), sort: (r) => r.state },
    { key: 'posted', nowrap: true, label: t('col.posted'), text: (r) => formatDate(r.posted_at, dict()), sort: (r) => r.posted_at },
    { key: 'sync', nowrap: true, label: t('col.sync'), text: (r) => syncWord(r.sync_state), sort: (r) => r.sync_state },
  ];
}
