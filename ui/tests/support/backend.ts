// An in-memory stand-in for the Tauri commands, for component tests only.
// Shapes follow src-tauri/src/dto.rs through the generated types.
import type {
  Created, Dashboard, DeviceInfo, HouseholdDetail, HouseholdRow, IssueDetail, IssueRow, RefusedRecord, SyncInfo,
  Today, Visit, Vocabulary, WishDetail, WishRow,
} from '../../src/lib/types';
// The vocabulary exactly as the shell sends it (a Rust test keeps it equal).
import sentVocabulary from '../fixtures/vocabulary.json';

const now = Date.now();
const ago = (ms: number) => new Date(now - ms).toISOString();
const H = 3_600_000;
const D = 24 * H;

export interface FakeBackend {
  calls: { cmd: string; args: Record<string, unknown> }[];
  drafts: Map<string, string>;
  enrolled: boolean;
  role: string;
  phase: string;
  handle(cmd: string, args?: Record<string, unknown>): Promise<unknown>;
}

// What the shell answers in DeviceInfo.may, per role (DESIGN §3).
const MAY: Record<string, string[]> = {
  'grid-worker': ['log_visit', 'report_issue', 'post_wish'],
  'joint-leader': ['log_visit', 'report_issue', 'post_wish'],
  'community-staff': ['report_issue', 'post_wish'],
  'street-staff': ['report_issue'],
};

export function fakeBackend(): FakeBackend {
  const b: FakeBackend = {
    calls: [],
    drafts: new Map(),
    enrolled: true,
    role: 'grid-worker',
    phase: 'up_to_date',
    async handle(cmd, args = {}) {
      b.calls.push({ cmd, args });
      const h = handlers[cmd];
      if (!h) throw { code: 'internal', message: `未知命令 (unknown command ${cmd})` };
      return h(args);
    },
  };
  const device = (): DeviceInfo => ({
    enrolled: b.enrolled, device_id: 'dev-1', user_id: 'gw-001', user_name: '张伟', role: b.role,
    scope: 'grids:522701001001001', hub_url: 'http://127.0.0.1:7878', dashboard: b.role === 'community-staff',
    may: MAY[b.role] ?? [],
    grids: ['522701001001001'], language: 'zh-CN', data_dir: '/tmp/gridline', suggested_hub: 'http://127.0.0.1:7878',
  });
  const sync = (): SyncInfo => ({
    enrolled: true, hub_url: 'http://127.0.0.1:7878', phase: b.phase, syncing: false, received: 0, total: null,
    unsent: 2, conflicted: 0, refused_copies: 0, last_sync_at: ago(H), last_error: null, last_error_code: null, overruled: [],
  });
  const row: HouseholdRow = {
    id: 'h1', grid: '522701001001001', address: '青云小区 3栋2单元 301', head_name: '王秀英', phone: null,
    resident_count: 1, tags: ['独居老人'], last_visit: ago(3 * D), sync_state: 'synced',
  };
  const issueRow: IssueRow = {
    id: 'i1', grid: '522701001001001', category: '电梯', state: 'dispatched', urgency: 3, household_id: 'h1',
    reporter: 'gw-001', reported_at: ago(4 * D), deadline: ago(D), departments: ['城管'], refused_events: 0,
    summary: '电梯停运', sync_state: 'synced', overdue: true,
  };
  const wishRow: WishRow = {
    id: 'w1', grid: '522701001001001', household_id: 'h1', title: '一台助听器', category: '医疗健康', value_yuan: 600,
    state: 'posted', poster: 'gw-002', claimant: null, pending_claims: 0, posted_at: ago(2 * D), sync_state: 'synced',
  };
  const visit: Visit = {
    id: 'v1', household_id: 'h1', grid: '522701001001001', visitor: 'gw-001', role: 'grid-worker', at: ago(3 * D),
    kind: 'routine', address: row.address, notes: '老人腿脚不便，下周再来',
  };
  const household = (): HouseholdDetail => ({
    id: 'h1', grid: row.grid, address: row.address, compound: '青云小区', building: '3栋', unit: '2单元', room: '301',
    phone: '13885410023', notes: '', tags: ['独居老人'], sensitive_tags: ['低保户'],
    residents: [{ id: 'r1', name: '王秀英', relation: '户主', gender: '女', birth_date: '1944-03-12', phone: null, tags: [], id_number_masked: '5227**********123X' }],
    sync_state: 'conflict', conflicts: [{ path: 'phone', values: ['13885410023', '13885410099'] }],
    visits: [visit], issues: [issueRow], wishes: [wishRow], can_edit: true, can_reveal: true,
  });
  const issue = (): IssueDetail => ({
    ...issueRow, description: '电梯停运两天', location: '3栋', urgency: 3, grade: 'urgent', feedback: [], satisfied: null,
    offered: ['handle', 'evaluate'],
    events: [
      { id: 'e1', at: ago(4 * D), step: 'report', author_user: 'gw-001', author_role: 'grid-worker', detail: '', refused: null },
      { id: 'e2', at: ago(3 * D), step: 'resolve', author_user: 'gw-009', author_role: 'grid-worker', detail: '', refused: { zh: '网格员不能办结', en: 'grid workers cannot resolve' } },
      { id: 'e3', at: ago(2 * D), step: 'dispatch', author_user: 'ss-1', author_role: 'street-staff', detail: '城管 · urgent', refused: null },
    ],
  });
  let myClaim = false;
  const wish = (): WishDetail => ({
    ...wishRow, value_yuan: 600, description: '听力下降', pending: myClaim ? ['gw-001'] : [], my_claim_pending: myClaim,
    offered: myClaim ? ['withdraw-claim'] : ['claim'],
    events: [{ id: 'we1', at: ago(2 * D), step: 'post', author_user: 'gw-002', author_role: 'grid-worker', detail: '', refused: null }],
  });
  // As the device does: a second create with one id is the same record.
  const saved = new Set<string>();
  const created = (input: unknown, fallback: string): Created => {
    const id = (input as { id?: string | null }).id ?? fallback;
    const already_saved = saved.has(id);
    saved.add(id);
    return { id, already_saved };
  };
  const handlers: Record<string, (a: Record<string, unknown>) => unknown> = {
    device_info: () => device(),
    enroll: () => {
      b.enrolled = true;
      return device();
    },
    vocabulary: (): Vocabulary => sentVocabulary,
    sync_info: () => sync(),
    sync_now: () => sync(),
    today: (): Today => ({ overdue_issues: 1, new_issues: 0, households_not_visited: 4, wishes_waiting: 1, unsent: 2 }),
    households: () => [row],
    household: () => household(),
    reveal_id_number: () => '52270119440312123X',
    edit_household: () => household(),
    resolve_conflict: () => ({ ...household(), conflicts: [] }),
    log_visit: (a) => created(a.visit, 'v2'),
    visits: () => [visit],
    issues: () => [issueRow],
    issue: () => issue(),
    report_issue: (a) => created(a.issue, 'i2'),
    act_on_issue: () => issue(),
    wishes: () => [wishRow],
    wish: () => wish(),
    post_wish: (a) => created(a.wish, 'w2'),
    act_on_wish: (a) => {
      if ((a.action as { step: string }).step === 'claim') myClaim = true;
      return wish();
    },
    refused_records: (): RefusedRecord[] => [
      { id: 'rf1', kind: 'issue', reason: { zh: '类别无效', en: 'unknown category' }, refused_at: ago(D), summary: '路灯不亮' },
    ],
    export_refused: () => '/tmp/gridline/refused-rf1.json',
    dashboard: (): Dashboard => ({
      issues_by_state: [{ key: 'reported', n: 3 }, { key: 'closed', n: 9 }],
      issues_by_category: [{ key: '电梯', n: 4 }, { key: '噪音', n: 8 }],
      issues_per_day: [{ key: '2026-11-27', n: 2 }, { key: '2026-11-28', n: 5 }],
      overdue: 1, median_hours_to_close: 30, wishes_by_state: [{ key: 'posted', n: 2 }, { key: 'confirmed', n: 6 }],
      households: 300, households_visited: 120,
    }),
    draft_get: (a) => b.drafts.get(a.key as string) ?? null,
    draft_put: (a) => {
      b.drafts.set(a.key as string, a.value as string);
      return null;
    },
    draft_clear: (a) => {
      b.drafts.delete(a.key as string);
      return null;
    },
    set_language: () => null,
  };
  return b;
}
