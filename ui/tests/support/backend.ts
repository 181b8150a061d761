// An in-memory stand-in for the Tauri commands, for component tests only.
// Shapes follow src-tauri/src/dto.rs through the generated types.
import type {
  CaseDetail, CaseRow, DeliberationFigures, TopicDetail, TopicRow, Created, Dashboard, DeviceInfo, MediationFigures, HouseholdDetail, HouseholdRow, IssueDetail, IssueRow, RefusedRecord, SyncInfo,
  LockState, PhotoItem, PhotoQueue, Today, Visit, Vocabulary, WishDetail, WishRow,
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
  /** The category of issue i1 (邻里纠纷 and 物业 issues may become a mediation case). */
  issueCategory: string;
  /** Fields of issue i1 a test sets (its warning, an extension asked, likely duplicates, the steps offered). */
  issuePatch: Partial<IssueDetail>;
  /** Fields of household h1 a test sets (a merge, households merged into it). */
  householdPatch: Partial<HouseholdDetail>;
  /** Merges done through merge_households (the pair leaves the list after one). */
  merges: number;
  /** Cases on Today, as `today` sends them (none unless a test sets some). */
  casesNeedingMe: Today['cases_needing_me'];
  /** What lock_state answers; `unlock` takes PIN, `enroll` wants one when `needsPin`. */
  lock: LockState;
  pin: string;
  needsPin: boolean;
  lockedMinutes?: number;
  /** What photos_of answers, by record. */
  photos: Record<string, PhotoItem[]>;
  photoQueue: PhotoQueue;
  handle(cmd: string, args?: Record<string, unknown>): Promise<unknown>;
}

// What the shell answers in DeviceInfo.may, per role (DESIGN §3).
const MAY: Record<string, string[]> = {
  'grid-worker': ['log_visit', 'report_issue', 'post_wish', 'report_case', 'read_cases', 'propose_topic', 'read_topics'],
  'joint-leader': ['log_visit', 'report_issue', 'post_wish', 'report_case', 'read_cases', 'propose_topic', 'read_topics'],
  'community-staff': ['report_issue', 'post_wish', 'report_case', 'read_cases', 'write_case_private', 'propose_topic', 'read_topics', 'accept_issues', 'merge_households'],
  'street-staff': ['report_issue', 'report_case', 'read_cases', 'write_case_private', 'read_topics'],
};

export function fakeBackend(): FakeBackend {
  const b: FakeBackend = {
    calls: [],
    drafts: new Map(),
    enrolled: true,
    role: 'grid-worker',
    phase: 'up_to_date',
    issueCategory: '电梯',
    issuePatch: {},
    householdPatch: {},
    merges: 0,
    casesNeedingMe: [],
    lock: {
      state: 'open', key_source: 'keystore', key_text: { zh: '系统密钥库', en: "the platform's key store" },
      may_lock: false, idle_minutes: 0, idle_choices: [0, 5, 15, 30], pin_min: 6,
    },
    pin: '246810',
    needsPin: false,
    photos: {},
    photoQueue: { waiting: 0, waiting_bytes: 0, failed: 0, uploaded: 0, downloaded: 0, downloaded_bytes: 0 },
    async handle(cmd, args = {}) {
      b.calls.push({ cmd, args });
      if (b.lock.state === 'locked' && cmd !== 'lock_state' && cmd !== 'unlock') {
        throw { code: 'locked', zh: '网格通已锁定；请输入 PIN 码解锁', en: 'Gridline is locked; enter your PIN to unlock it' };
      }
      const h = handlers[cmd];
      if (!h) throw { code: 'internal', message: `未知命令 (unknown command ${cmd})` };
      return h(args);
    },
  };
  const device = (): DeviceInfo => ({
    enrolled: b.enrolled, device_id: 'dev-1', user_id: 'gw-001', user_name: '张伟', role: b.role,
    scope: 'grids:522701001001001', scope_label: '第1网格',
    place_names: { '522701001001001': '第1网格', '522701001001': '社区001' },
    people: { 'gw-001': { name: '张伟', role: 'grid-worker', revoked: false } },
    hub_url: 'http://127.0.0.1:7878', dashboard: b.role === 'community-staff',
    may: MAY[b.role] ?? [],
    grids: ['522701001001001'], language: 'zh-CN', data_dir: '/tmp/gridline', suggested_hub: 'http://127.0.0.1:7878',
  });
  const sync = (): SyncInfo => ({
    enrolled: true, hub_url: 'http://127.0.0.1:7878', phase: b.phase, syncing: false, received: 0, total: null, seconds_left: null,
    unsent: 2, conflicted: 0, refused_copies: 0, last_sync_at: ago(H), last_error: null, last_error_code: null, overruled: [],
  });
  const row: HouseholdRow = {
    id: 'h1', grid: '522701001001001', address: '青云小区 3栋2单元 301', head_name: '王秀英', phone: null,
    resident_count: 1, tags: ['独居老人'], last_visit: ago(3 * D), sync_state: 'synced',
    matched_name: null, unsent_visits: 0,
  };
  const issueRow: IssueRow = {
    id: 'i1', grid: '522701001001001', category: '电梯', state: 'dispatched', urgency: 3, household_id: 'h1',
    reporter: 'gw-001', reported_at: ago(4 * D), deadline: ago(D), departments: ['城管'], refused_events: 0,
    summary: '电梯停运', sync_state: 'synced', overdue: true,
    address: '青云小区 3栋2单元 301', head_name: '王秀英',
  };
  const wishRow: WishRow = {
    id: 'w1', grid: '522701001001001', household_id: 'h1', title: '一台助听器', category: '医疗健康', value_yuan: 600,
    state: 'posted', poster: 'gw-002', claimant: null, pending_claims: 0, posted_at: ago(2 * D), sync_state: 'synced',
  };
  const visit: Visit = {
    id: 'v1', household_id: 'h1', grid: '522701001001001', visitor: 'gw-001', role: 'grid-worker', at: ago(3 * D),
    kind: 'routine', address: row.address, head_name: '王秀英', notes: '老人腿脚不便，下周再来', sync_state: 'synced',
  };
  const household = (): HouseholdDetail => ({
    id: 'h1', grid: row.grid, address: row.address, compound: '青云小区', building: '3栋', unit: '2单元', room: '301',
    phone: '13885410023', notes: '', tags: ['独居老人'], sensitive_tags: ['低保户'],
    residents: [{ id: 'r1', name: '王秀英', relation: '户主', gender: '女', birth_date: '1944-03-12', phone: null, tags: [], id_number_masked: '5227**********123X' }],
    sync_state: 'conflict', conflicts: [{ path: 'phone', values: ['13885410023', '13885410099'] }],
    visits: [visit], issues: [issueRow], wishes: [wishRow], can_edit: true, can_reveal: true,
    merged_into: null, merged_here: [],
    ...b.householdPatch,
  });
  const issue = (): IssueDetail => ({
    ...issueRow, category: b.issueCategory, description: '电梯停运两天', location: '3栋', urgency: 3, grade: 'urgent', feedback: [], satisfied: null,
    household_address: '青云小区 3栋2单元 301',
    warning: 'none', deferred: false, limit_unit: null, extension_max: null, extension_department: null, extension_amount: null,
    sent_back: 0, likely_duplicates: [],
    position: { lat: 26.2597, lon: 107.5182, accuracy_m: 9, source: 'gps', map_url: 'https://uri.amap.com/marker?position=107.522376,26.256269' },
    offered: ['handle', 'evaluate'],
    events: [
      { id: 'e1', at: ago(4 * D), step: 'report', author_user: 'gw-001', author_role: 'grid-worker', detail: '', refused: null },
      { id: 'e2', at: ago(3 * D), step: 'resolve', author_user: 'gw-009', author_role: 'grid-worker', detail: '', refused: { zh: '网格员不能办结', en: 'grid workers cannot resolve' } },
      { id: 'e3', at: ago(2 * D), step: 'dispatch', author_user: 'ss-1', author_role: 'street-staff', detail: '城管 · urgent', refused: null },
    ],
    ...b.issuePatch,
  });
  let myClaim = false;
  const wish = (): WishDetail => ({
    ...wishRow, value_yuan: 600, description: '听力下降', pending: myClaim ? ['gw-001'] : [], my_claim_pending: myClaim,
    offered: myClaim ? ['withdraw-claim'] : ['claim'],
    events: [{ id: 'we1', at: ago(2 * D), step: 'post', author_user: 'gw-002', author_role: 'grid-worker', detail: '', refused: null }],
  });
  const caseRow: CaseRow = {
    id: 'c1', grid: '522701001001001', case_type: 'neighbour', state: 'mediating', warning: 1, kind: 'people',
    reporter: 'gw-001', registered_at: ago(40 * D), deadline: ago(2 * D), overdue: true, households: ['h1'],
    from_issue: null, refused_events: 1, summary: '楼上漏水，两户多次争吵', sync_state: 'synced',
  };
  const staff = () => b.role === 'community-staff' || b.role === 'street-staff';
  const kase = (): CaseDetail => ({
    ...caseRow, households: [{ id: 'h1', label: '王秀英 青云小区 3栋2单元 301' }], scale: 'individual', people: 2,
    source: 'grid-report', from_visit: null, mediator: '王调解', accepted_at: ago(35 * D), extensions: 0, sessions: 1,
    concluded_at: null, agreed_at: null, form: null, perform_by: null, follow_up_due: false, referral: null,
    follow_up: null, confirmation: null, apply_by: null, court_due: null, closed_at: null,
    offered: staff() ? ['session', 'agree', 'fail', 'transfer', 'extend'] : [],
    events: [
      { id: 'ce1', at: ago(40 * D), step: 'register', author_user: 'gw-001', author_role: 'grid-worker', detail: '', refused: null },
      { id: 'ce2', at: ago(35 * D), step: 'accept', author_user: 'cs-001', author_role: 'community-staff', detail: '王调解', refused: null },
      { id: 'ce3', at: ago(34 * D), step: 'agree', author_user: 'cs-001', author_role: 'community-staff', detail: 'written · 2026-12-01T01:00:00.000Z', refused: { zh: '尚未调解，不能达成协议；请先记录调解', en: 'no session held yet: record a session first' } },
      { id: 'ce4', at: ago(30 * D), step: 'session', author_user: 'cs-001', author_role: 'community-staff', detail: ago(30 * D), refused: null },
    ],
    private: b.role === 'joint-leader' ? null : {
      parties: [{ name: '张三', id_number_masked: '5227**********2382', phone: '13885410023', address: '3栋 401' }],
      facts: '楼上卫生间漏水', sessions: [{ event: 'ce4', held_on: ago(30 * D), participants: '张三、李四', notes: '双方同意先请物业查看' }],
      agreement: '',
    },
    may_edit_private: staff(),
  });
  const figures = (): MediationFigures => ({
    cases: 12, overdue: 1,
    success: { n: 9, of: 10, rate: 0.9 }, confirmation: { n: 2, of: 9, rate: 2 / 9 },
    performance: { n: 5, of: 6, rate: 5 / 6 }, on_time: { n: 8, of: 10, rate: 0.8 },
    by_type: [{ key: 'neighbour', n: 7 }, { key: 'property', n: 5 }],
    by_state: [{ key: 'closed', n: 8 }, { key: 'mediating', n: 4 }],
    by_warning: [{ key: '3', n: 10 }, { key: '1', n: 2 }],
  });
  const topicRow: TopicRow = {
    id: 't1', grid: '522701001001001', title: '小区加装电动车充电桩', proposer: 'owners-committee', proposer_name: '业委会 李主任',
    state: 'accepted', proposed_at: ago(10 * D), resolved_at: null, tasks: 0, open_tasks: 0, overdue_tasks: 0,
    refused_events: 1, sync_state: 'synced',
  };
  const topic = (): TopicDetail => ({
    ...topicRow, household: null, description: '电动车楼道充电，存在火灾隐患', submitted_by: 'cs-001',
    accepted_at: ago(9 * D), decline_reason: null, meeting: null, meetings: 0, resolution: null, votes_failed: 0,
    tasks: [], feedback: null, fed_back_at: null, closed_at: null,
    offered: b.role === 'community-staff' ? ['meeting'] : [],
    events: [
      { id: 'te1', at: ago(10 * D), step: 'propose', author_user: 'cs-001', author_role: 'community-staff', detail: '', refused: null },
      { id: 'te2', at: ago(9 * D), step: 'accept', author_user: 'cs-001', author_role: 'community-staff', detail: '', refused: null },
      { id: 'te3', at: ago(5 * D), step: 'meeting', author_user: 'cs-001', author_role: 'community-staff', detail: `ordinary · ${ago(5 * D)} · 5/9 · 社区议事厅`, refused: { zh: '实到 5 人，不足应到 9 人的三分之二（至少 6 人）', en: '5 of 9 present, short of the two-thirds quorum (6 needed)' } },
    ],
  });
  const topicFigures = (): DeliberationFigures => ({
    raised: 7, accepted: 5, resolved: 4, implemented_on_time: 1, median_days_to_resolution: 5, overdue_tasks: 1,
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
    photos_of: (a) => b.photos[a.record as string] ?? [],
    photo_queue: () => b.photoQueue,
    issue_points: () => [
      { id: 'i1', lat: 26.2597, lon: 107.5182, state: 'reported', category: '安全隐患', reported_at: ago(2 * D) },
      { id: 'i2', lat: 26.2621, lon: 107.5203, state: 'closed', category: '市容环境', reported_at: ago(5 * D) },
    ],
    household_position: () => ({ lat: 26.26, lon: 107.52, accuracy_m: null, source: 'household', map_url: null }),
    photo_thumb: () => 'data:image/jpeg;base64,/9j/',
    photo_full: () => {
      throw { code: 'offline', zh: '未下载，联网后可查看原图', en: 'not downloaded; the full photo can be viewed once online' };
    },
    retry_photo: (a) => {
      for (const list of Object.values(b.photos)) {
        for (const p of list) {
          if (p.hash === a.hash) Object.assign(p, { state: 'waiting', state_text: { zh: '等待上传', en: 'waiting to upload' } });
        }
      }
      return true;
    },
    enroll: (a) => {
      if (b.needsPin && !a.pin) {
        b.lock = { ...b.lock, state: 'new_pin', key_source: null, key_text: null };
        throw { code: 'pin_new', zh: '此设备没有系统密钥库，数据由 PIN 加密', en: 'this machine has no key store' };
      }
      if (a.pin) {
        b.pin = String(a.pin);
        b.lock = { ...b.lock, state: 'open', key_source: 'pin', key_text: { zh: '本机 PIN', en: 'a PIN' }, may_lock: true };
      }
      b.enrolled = true;
      return device();
    },
    lock_state: () => b.lock,
    unlock: (a) => {
      if (a.pin !== b.pin) throw { code: 'wrong_pin', zh: 'PIN 不对；数据未改动，请重试', en: 'wrong PIN; nothing was changed, try again' };
      b.lock = { ...b.lock, state: 'open', idle_minutes: b.lockedMinutes ?? b.lock.idle_minutes };
      return device();
    },
    lock: () => {
      if (!b.lock.may_lock) throw { code: 'cannot_lock', zh: '不能锁定', en: 'cannot lock' };
      b.lockedMinutes = b.lock.idle_minutes;
      b.lock = { ...b.lock, state: 'locked', idle_minutes: 0 };
      return b.lock;
    },
    set_idle_lock: (a) => {
      b.lock = { ...b.lock, idle_minutes: Number(a.minutes) };
      return b.lock;
    },
    vocabulary: (): Vocabulary => sentVocabulary,
    sync_info: () => sync(),
    sync_now: () => sync(),
    today: (): Today => ({
      overdue_issues: 1, yellow_issues: 0, red_issues: 0, new_issues: 0, households_not_visited: 4, wishes_waiting: 1, unsent: 2, cases_needing_me: b.casesNeedingMe,
    }),
    households: () => [row],
    household: () => household(),
    reveal_id_number: () => '52270119440312123X',
    edit_household: () => household(),
    resolve_conflict: () => ({ ...household(), conflicts: [] }),
    duplicate_households: () => (b.merges > 0 ? [] : [{
      reasons: ['same-head'],
      a: { id: 'h1', grid: row.grid, address: row.address, head_name: '王秀英' },
      b: { id: 'h9', grid: row.grid, address: '青云小区 3栋2单元 301室', head_name: '王秀英' },
    }]),
    duplicate_residents: () => [{
      reasons: ['same-person'],
      a: { id: 'r1', name: '王小明', household: { id: 'h1', grid: row.grid, address: row.address, head_name: '王秀英' } },
      b: { id: 'r7', name: '王小明', household: { id: 'h7', grid: row.grid, address: '青云小区 5栋1单元 102室', head_name: '李国强' } },
    }],
    merge_households: () => {
      b.merges += 1;
      return household();
    },
    unmerge_household: () => ({ ...household(), merged_into: null }),
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
    cases: (a): CaseRow[] => ((a.query as { from_issue?: string | null }).from_issue ? [] : [caseRow]),
    case: () => kase(),
    report_case: (a) => created(a.case, 'c2'),
    case_from_issue: (a) => created(a.case, 'c3'),
    act_on_case: () => kase(),
    set_case_parties: () => kase(),
    mediation_figures: () => {
      if (!staff()) throw { code: 'refused', message: '数据看板仅供社区和街道使用', zh: '数据看板仅供社区和街道使用', en: 'the dashboard is for community and street staff' };
      return figures();
    },
    topics: (): TopicRow[] => [topicRow],
    topic: () => topic(),
    propose_topic: (a) => created(a.topic, 't2'),
    act_on_topic: () => topic(),
    deliberation_figures: () => {
      if (!staff()) throw { code: 'refused', message: '数据看板仅供社区和街道使用', zh: '数据看板仅供社区和街道使用', en: 'the dashboard is for community and street staff' };
      return topicFigures();
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
      // As the hub sends them (by community, name, month); the screen keeps that order.
      reveals: [
        { community: '522701001001', user_id: 'gw-2', user_name: '安然', month: '2026-11', n: 1 },
        { community: '522701001001', user_id: 'gw-1', user_name: '赵强', month: '2026-11', n: 7 },
      ],
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
