// @vitest-environment happy-dom
// Every screen mounts against a fake backend and shows its content, and the
// main flows end in 已保存 only after the command resolved.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { fakeBackend, type FakeBackend } from './support/backend';

let backend: FakeBackend;
vi.mock('@tauri-apps/api/core', () => ({ invoke: (cmd: string, args?: Record<string, unknown>) => backend.handle(cmd, args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: async () => () => {} }));

const { default: App } = await import('../src/App.svelte');
const { app } = await import('../src/lib/app.svelte');

let component: ReturnType<typeof mount> | null = null;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function waitFor<T extends Element>(css: string, timeout = 2000): Promise<T> {
  const until = Date.now() + timeout;
  for (;;) {
    flushSync();
    const el = document.querySelector<T>(css);
    if (el) return el;
    if (Date.now() > until) throw new Error(`no ${css} in ${document.body.innerHTML.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function go(hash: string) {
  location.hash = hash;
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

// happy-dom does not match :checked on <option>; Svelte's select binding asks
// for it, so answer with the selected option as a browser would.
const querySelector = HTMLSelectElement.prototype.querySelector;
HTMLSelectElement.prototype.querySelector = function (this: HTMLSelectElement, css: string) {
  if (css === ':checked') return this.selectedOptions[0] ?? null;
  return querySelector.call(this, css);
} as typeof querySelector;

function type(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

async function start(hash = '#/today') {
  location.hash = hash;
  component = mount(App, { target: document.body });
  await waitFor('[data-screen]');
}

beforeEach(() => {
  backend = fakeBackend();
  app.lang = 'zh-CN';
  app.toast = null;
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

describe('screens', () => {
  it.each([
    ['#/today', 'today', 'today-card'],
    ['#/grid', 'grid', 'household-row'],
    ['#/household/h1', 'household', 'household-name'],
    ['#/issues', 'issues', 'issue-row'],
    ['#/issue/i1', 'issue', 'timeline-event'],
    ['#/issues/new', 'issue-new', 'issue-save'],
    ['#/wishes', 'wishes', 'wish-row'],
    ['#/wish/w1', 'wish', 'wish-claim'],
    ['#/wishes/new', 'wish-new', 'wish-save'],
    ['#/me', 'me', 'sync-now'],
    ['#/visits', 'visits', 'visit-row'],
    ['#/refused', 'refused', 'refused-row'],
    ['#/cases', 'cases', 'case-row'],
    ['#/case/c1', 'case', 'timeline-event'],
    ['#/cases/new', 'case-new', 'case-save'],
    ['#/topics', 'topics', 'topic-row'],
    ['#/topic/t1', 'topic', 'timeline-event'],
    ['#/topics/new', 'topic-new', 'topic-save'],
  ])('%s shows the %s screen with its content', async (hash, screen, testid) => {
    await start(hash);
    await waitFor(`[data-screen="${screen}"] [data-testid="${testid}"]`);
    expect(document.querySelector('.error-box'), 'no error on a healthy backend').toBeNull();
  });

  it('shows the dashboard and its tab only to roles that have one', async () => {
    backend.role = 'community-staff';
    await start('#/dashboard');
    await waitFor('[data-screen="dashboard"]');
    // Four charts and the plot of issue positions.
    expect(document.querySelectorAll('[data-testid="dashboard-chart"]').length).toBe(5);
    expect(document.querySelector('[data-testid="tab-dashboard"]')).not.toBeNull();
    await waitFor('[data-testid="issue-map-point"]');
    const dots = document.querySelectorAll('[data-testid="issue-map-point"]');
    expect(dots.length).toBe(2);
    expect([...dots].map((d) => d.getAttribute('data-state'))).toEqual(['reported', 'closed']);
  });

  it('shows an issue\'s position with its accuracy and a link that opens Amap', async () => {
    await start('#/issue/i1');
    const pos = await waitFor('[data-testid="issue-position"]');
    expect(pos.textContent).toContain('26.259700, 107.518200');
    expect(pos.textContent).toContain('9');
    const link = document.querySelector('[data-testid="issue-map-link"]') as HTMLAnchorElement;
    expect(link.href).toContain('uri.amap.com');
  });

  it('shows the reveal counts on the dashboard by name, not by count', async () => {
    backend.role = 'community-staff';
    await start('#/dashboard');
    await waitFor('[data-testid="dashboard-reveals"]');
    const rows = [...document.querySelectorAll('[data-testid="reveal-count"]')].map((r) =>
      [...r.querySelectorAll('td')].map((td) => td.textContent?.trim()).join(' '));
    expect(rows).toEqual(['522701001001 安然 2026-11 1', '522701001001 赵强 2026-11 7']);
  });

  it('asks for an optional reason before showing an ID number, and sends it', async () => {
    await start('#/household/h1');
    const show = await waitFor<HTMLButtonElement>('[data-testid="reveal-id"]');
    show.click();
    const reason = await waitFor<HTMLInputElement>('[data-testid="reveal-reason"]');
    expect(backend.calls.some((c) => c.cmd === 'reveal_id_number'), 'nothing is revealed before the user confirms').toBe(false);
    expect(document.body.textContent).toContain('记入审计');
    type(reason, ' 核对低保材料 ');
    (await waitFor<HTMLButtonElement>('[data-testid="reveal-confirm"]')).click();
    await waitFor('[data-testid="id-number"][data-revealed="true"]');
    const call = backend.calls.find((c) => c.cmd === 'reveal_id_number');
    expect(call?.args).toMatchObject({ reason: '核对低保材料' });
  });

  it('has no dashboard tab for a grid worker, and no visit button for community staff', async () => {
    await start('#/today');
    await waitFor('[data-testid="tab-today"]');
    expect(document.querySelector('[data-testid="tab-dashboard"]')).toBeNull();
    unmount(component!);
    backend.role = 'community-staff';
    component = mount(App, { target: document.body });
    go('#/household/h1');
    await waitFor('[data-testid="household-name"]');
    expect(document.querySelector('[data-testid="visit-button"]')).toBeNull();
  });

  it('shows only the enrolment screen before enrolment, with the hub prefilled', async () => {
    backend.enrolled = false;
    await start('#/grid');
    const hub = await waitFor<HTMLInputElement>('[data-screen="enrol"] [data-testid="enrol-hub"]');
    expect(hub.value).toBe('http://127.0.0.1:7878');
    expect(document.querySelector('[data-testid="tab-grid"]')).toBeNull();
    type(await waitFor('[data-testid="enrol-code"]'), 'ABCD-EFGH');
    (await waitFor<HTMLButtonElement>('[data-testid="enrol-submit"]')).click();
    await waitFor('[data-screen="today"]');
    expect(backend.calls.find((c) => c.cmd === 'enroll')?.args).toEqual({ hub: 'http://127.0.0.1:7878', code: 'ABCD-EFGH', pin: null });
  });
});

describe('mediation', () => {
  it('lists cases with their warning level and overdue mark, and a sidebar entry for roles that read them', async () => {
    await start('#/cases');
    const row = await waitFor('[data-screen="cases"] [data-testid="case-row"]');
    expect(row.getAttribute('data-overdue')).toBe('true');
    expect(row.querySelector('[data-testid="warning-badge"]')?.textContent).toContain('一级预警');
    expect(document.querySelector('[data-testid="tab-cases"]')).not.toBeNull();
    expect(document.querySelector('[data-testid="switch-cases"]')?.getAttribute('aria-current')).toBe('page');
  });

  it('shows a case with its refused step and reason, masked ID numbers, and only the offered steps', async () => {
    backend.role = 'community-staff';
    await start('#/case/c1');
    const refused = await waitFor('[data-testid="timeline-event"][data-refused="true"]');
    expect(refused.textContent).toContain('达成调解协议');
    expect(refused.textContent).toContain('尚未调解');
    expect(document.querySelector('[data-testid="party-id-masked"]')?.textContent).toBe('5227**********2382');
    const steps = [...document.querySelectorAll('[data-testid="case-step"]')].map((b) => b.getAttribute('data-step'));
    expect(steps).toEqual(['session', 'agree', 'fail', 'transfer', 'extend']);
  });

  it('a leader sees no private part and no steps', async () => {
    backend.role = 'joint-leader';
    await start('#/case/c1');
    await waitFor('[data-testid="timeline-event"]');
    expect(document.querySelector('[data-testid="case-private"]')).toBeNull();
    expect(document.querySelector('[data-testid="case-step"]')).toBeNull();
  });

  it('records a session with its private notes and says 已保存 after act_on_case resolved', async () => {
    backend.role = 'community-staff';
    await start('#/case/c1');
    (await waitFor<HTMLButtonElement>('[data-testid="case-step"][data-step="session"]')).click();
    type(await waitFor('[data-testid="step-notes"]'), '双方同意先请物业查看');
    type(await waitFor('[data-testid="step-participants"]'), '张三、李四');
    (await waitFor<HTMLButtonElement>('[data-testid="case-step-submit"]')).click();
    await waitFor('[data-testid="toast"][data-kind="saved"]');
    const sent = backend.calls.find((c) => c.cmd === 'act_on_case')?.args as { id: string; action: Record<string, unknown> };
    expect(sent.id).toBe('c1');
    expect(sent.action).toMatchObject({ step: 'session', participants: '张三、李四', notes: '双方同意先请物业查看', mediator: null });
    expect(sent.action.held_on).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('keeps a draft of a step form and refuses an agreement without its form', async () => {
    backend.role = 'community-staff';
    await start('#/case/c1');
    (await waitFor<HTMLButtonElement>('[data-testid="case-step"][data-step="agree"]')).click();
    type(await waitFor('[data-testid="step-terms"]'), '分三期赔偿');
    await new Promise((r) => setTimeout(r, 350));
    expect(backend.drafts.has('case-step:c1:agree'), 'a draft is kept while typing').toBe(true);
    (await waitFor<HTMLButtonElement>('[data-testid="case-step-submit"]')).click();
    await waitFor('.field-error');
    expect(document.body.textContent).toContain('请选择“协议形式”');
    expect(backend.calls.some((c) => c.cmd === 'act_on_case')).toBe(false);
  });

  it('reports a dispute for a household from its page, with the draft id', async () => {
    await start('#/household/h1');
    (await waitFor<HTMLAnchorElement>('[data-testid="household-dispute-button"]')).click();
    await waitFor('[data-screen="case-new"]');
    await waitFor('[data-testid="case-household-picked"]');
    (await waitFor<HTMLButtonElement>('[data-warning="1"]')).click();
    type(await waitFor('[data-testid="case-summary-input"]'), '楼上漏水');
    (await waitFor<HTMLButtonElement>('[data-testid="case-save"]')).click();
    await waitFor('[data-testid="toast"][data-kind="saved"]');
    const sent = (backend.calls.find((c) => c.cmd === 'report_case')?.args as { case: Record<string, unknown> }).case;
    expect(sent).toMatchObject({
      id: expect.stringMatching(UUID_V7), households: ['h1'], warning: 1, people: 2, summary: '楼上漏水',
      case_type: 'neighbour', parties: [], facts: '', from_visit: null,
    });
  });

  it('turns a neighbour-dispute issue into a case (转为调解)', async () => {
    backend.issueCategory = '邻里纠纷';
    await start('#/issue/i1');
    const button = await waitFor<HTMLAnchorElement>('[data-testid="issue-to-case"]');
    expect(button.textContent).toContain('转为调解');
    button.click();
    await waitFor('[data-screen="case-new"] [data-testid="case-origin"]');
    (await waitFor<HTMLButtonElement>('[data-testid="case-save"]')).click();
    await waitFor('[data-testid="toast"][data-kind="saved"]');
    const call = backend.calls.find((c) => c.cmd === 'case_from_issue')?.args as { issue: string; case: Record<string, unknown> };
    expect(call.issue).toBe('i1');
    expect(call.case).toMatchObject({ summary: '', case_type: 'neighbour', households: [] });
  });

  it('shows an issue\'s photos with their state, a retry for a failed one, and the thumbnail when offline', async () => {
    const photo = (hash: string, state: string, zh: string) => ({
      record: 'i1', hash: hash.repeat(64), thumb: 't'.repeat(64), size: 1000, taken_at: '2026-12-02T06:00:00.000Z',
      caption: '电梯门', step: 'report', by: 'gw-001', state, state_text: { zh, en: state }, thumb_here: true, full_here: true,
    });
    backend.photos.i1 = [photo('a', 'waiting', '等待上传'), photo('b', 'failed', '上传失败：照片过大')];
    await start('#/issue/i1');
    await waitFor('[data-testid="photo-strip"]');
    const items = [...document.querySelectorAll('[data-testid="photo-item"]')];
    expect(items.map((i) => i.getAttribute('data-state'))).toEqual(['waiting', 'failed']);
    expect(items[0].textContent).toContain('等待上传');
    expect(items[0].querySelector('[data-testid="photo-retry"]'), 'a waiting photo goes on by itself').toBeNull();
    expect(items[1].textContent).toContain('上传失败：照片过大');
    (items[1].querySelector('[data-testid="photo-retry"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(backend.calls.some((c) => c.cmd === 'retry_photo')).toBe(true));
    (items[0].querySelector('[data-testid="photo-open"]') as HTMLButtonElement).click();
    const missing = await waitFor('[data-testid="photo-viewer"] [data-testid="photo-full-missing"]');
    expect(missing.textContent).toContain('未下载，联网后可查看原图');
    expect(document.querySelector('[data-testid="photo-viewer"] [data-testid="photo-thumb"]'), 'offline, the thumbnail is shown').not.toBeNull();
  });

  it('shows no photo picker before a step is chosen', async () => {
    await start('#/issue/i1');
    await waitFor('[data-testid="timeline-event"]');
    expect(document.querySelector('[data-testid="photo-picker"]'), 'no picker before a step is chosen').toBeNull();
  });

  it('at accept, names the likely duplicates and merges into one without its number typed', async () => {
    backend.role = 'community-staff';
    backend.issuePatch = {
      state: 'reported', offered: ['accept', 'reject', 'merge'],
      likely_duplicates: [{
        id: 'i7', grid: '522701001001001', category: '电梯', state: 'accepted', urgency: 3, household_id: 'h1',
        reporter: 'gw-001', reported_at: new Date(Date.now() - 86_400_000).toISOString(), deadline: null, departments: [],
        refused_events: 0, summary: '3栋电梯又停了', sync_state: 'synced', overdue: false, address: null, head_name: null,
      }],
    };
    await start('#/issue/i1');
    const card = await waitFor('[data-testid="likely-duplicates"]');
    expect(card.querySelector('[data-testid="likely-duplicate"]')?.getAttribute('data-id')).toBe('i7');
    expect(card.textContent).toContain('3栋电梯又停了');
    (card.querySelector('[data-testid="merge-into"]') as HTMLButtonElement).click();
    await waitFor('[data-testid="issue-step-form"][data-step="merge"]');
    (await waitFor<HTMLButtonElement>('[data-testid="issue-step-submit"]')).click();
    await vi.waitFor(() => expect(backend.calls.some((c) => c.cmd === 'act_on_issue')).toBe(true));
    const sent = backend.calls.find((c) => c.cmd === 'act_on_issue')?.args as { action: { step: string; into: string } };
    expect(sent.action).toMatchObject({ step: 'merge', into: 'i7' });
  });

  it('shows a red warning and the extension asked, and sends the street\'s decision', async () => {
    backend.role = 'street-staff';
    backend.issuePatch = {
      state: 'dispatched', overdue: false, warning: 'red', limit_unit: 'working-days', extension_max: 30,
      extension_department: '城管', extension_amount: 3, offered: ['decide-extension'],
    };
    await start('#/issue/i1');
    expect((await waitFor('[data-testid="warning-badge"]')).getAttribute('data-warning')).toBe('red');
    expect((await waitFor('[data-testid="extension-asked"]')).textContent).toContain('城管 申请延期 3 工作日');
    (await waitFor<HTMLButtonElement>('[data-testid="issue-step"][data-step="decide-extension"]')).click();
    (await waitFor<HTMLButtonElement>('[data-testid="issue-step-submit"]')).click();
    flushSync();
    expect(backend.calls.some((c) => c.cmd === 'act_on_issue'), 'no decision chosen, nothing sent').toBe(false);
    expect(document.querySelector('[data-testid="issue-step-form"] .field-error')).not.toBeNull();
    (await waitFor<HTMLButtonElement>('[data-approve="yes"]')).click();
    (await waitFor<HTMLButtonElement>('[data-testid="issue-step-submit"]')).click();
    await vi.waitFor(() => expect(backend.calls.some((c) => c.cmd === 'act_on_issue')).toBe(true));
    const sent = backend.calls.find((c) => c.cmd === 'act_on_issue')?.args as { action: { step: string; approve: boolean } };
    expect(sent.action).toMatchObject({ step: 'decide-extension', approve: true });
  });

  it('lists residents who are likely one person, each opening the household they are in', async () => {
    backend.role = 'community-staff';
    await start('#/dashboard');
    const person = await waitFor('[data-testid="duplicate-resident"]');
    expect(person.textContent).toContain('同名同生日');
    const links = [...person.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links.length).toBe(2);
    expect(links[0]).toContain('h1');
    expect(links[1]).toContain('h7');
    expect(person.textContent).toContain('王小明，在 青云小区 5栋1单元 102室');
  });

  it('merges a likely duplicate pair from the dashboard: a survivor and a reason are required', async () => {
    backend.role = 'community-staff';
    await start('#/dashboard');
    const pair = await waitFor('[data-testid="duplicate-pair"]');
    (pair.querySelector('[data-testid="merge-open"]') as HTMLButtonElement).click();
    (await waitFor<HTMLButtonElement>('[data-testid="merge-submit"]')).click();
    flushSync();
    expect(backend.calls.some((c) => c.cmd === 'merge_households'), 'nothing chosen, nothing sent').toBe(false);
    expect(document.querySelectorAll('[data-testid="merge-form"] .field-error').length).toBe(2);
    (await waitFor<HTMLButtonElement>('[data-testid="merge-keep"][data-id="h1"]')).click();
    const reason = await waitFor<HTMLInputElement>('[data-testid="merge-reason"]');
    reason.value = '同一户，门牌写法不同';
    reason.dispatchEvent(new Event('input'));
    (await waitFor<HTMLButtonElement>('[data-testid="merge-submit"]')).click();
    await vi.waitFor(() => expect(backend.calls.some((c) => c.cmd === 'merge_households')).toBe(true));
    expect(backend.calls.find((c) => c.cmd === 'merge_households')?.args).toEqual({
      merged: 'h9', survivor: 'h1', reason: '同一户，门牌写法不同',
    });
    await vi.waitFor(() => {
      flushSync();
      expect(document.querySelector('[data-testid="duplicate-pair"]'), 'the merged pair leaves the list').toBeNull();
    });
  });

  it('shows a merged household as merged, linking to the one kept, and lists what was merged into a survivor', async () => {
    backend.role = 'community-staff';
    backend.householdPatch = {
      merged_into: { survivor: 'h2', survivor_address: '青云小区 3栋2单元 302', by_user: 'cs-1', at: new Date().toISOString(), reason: '重复登记' },
      merged_here: [{ id: 'h8', address: '青云小区 3栋2单元 301室', residents: [{ id: 'r8', name: '李强', relation: 'child', gender: null, birth_date: null, phone: null, tags: [], id_number_masked: null }] }],
    };
    await start('#/household/h1');
    const note = await waitFor('[data-testid="merged-into"]');
    expect(note.textContent).toContain('已合并到 青云小区 3栋2单元 302');
    expect(note.textContent).toContain('重复登记');
    expect((note.querySelector('[data-testid="merged-open-survivor"]') as HTMLAnchorElement).getAttribute('href')).toContain('h2');
    expect((await waitFor('[data-testid="merged-from"]')).textContent).toContain('李强');
    expect(document.querySelector('[data-testid="merged-record-on-survivor"]'), 'new records go on the household kept').not.toBeNull();
    for (const button of ['visit-button', 'report-issue-button', 'household-wish-button', 'household-edit-button']) {
      expect(document.querySelector(`[data-testid="${button}"]`), `a merged household offers no ${button}`).toBeNull();
    }
    (note.querySelector('[data-testid="unmerge-open"]') as HTMLButtonElement).click();
    (await waitFor<HTMLButtonElement>('[data-testid="unmerge-submit"]')).click();
    flushSync();
    expect(backend.calls.some((c) => c.cmd === 'unmerge_household'), 'no reason, nothing sent').toBe(false);
  });

  it('opens the issue list at a warning, as the 红色预警 card on Today links it, and a tap on the chip clears it', async () => {
    await start('#/issues?warning=red');
    const chip = await waitFor('[data-testid="warning-filter"][data-warning="red"]');
    expect(chip.textContent).toContain('红色预警');
    const asked = () => backend.calls.filter((c) => c.cmd === 'issues').map((c) => (c.args.query as { warning?: string }).warning);
    await vi.waitFor(() => expect(asked()).toContain('red'));
    (chip as HTMLButtonElement).click();
    await vi.waitFor(() => expect(asked().slice(-1)[0]).toBeUndefined());
    flushSync();
    expect(document.querySelector('[data-testid="warning-filter"]')).toBeNull();
  });

  it('offers no 转为调解 on other issues', async () => {
    await start('#/issue/i1');
    await waitFor('[data-testid="timeline-event"]');
    expect(document.querySelector('[data-testid="issue-to-case"]')).toBeNull();
  });

  it('shows the mediation figures on the dashboard with each rate\'s counts', async () => {
    backend.role = 'community-staff';
    await start('#/dashboard');
    const success = await waitFor('[data-testid="mediation-rate"][data-rate="success"]');
    expect(success.textContent).toContain('90%');
    expect(success.textContent).toContain('达成协议 9 / 办结 10');
    expect(document.querySelectorAll('[data-testid="mediation-chart"]').length).toBe(3);
  });
});

describe('flows', () => {
  it('logs a visit and says 已保存 after log_visit resolved', async () => {
    await start('#/household/h1');
    (await waitFor<HTMLButtonElement>('[data-testid="visit-button"]')).click();
    type(await waitFor('[data-testid="visit-notes"]'), '身体尚好');
    // No kind is chosen for the worker: saving without one says so and sends nothing.
    (await waitFor<HTMLButtonElement>('[data-testid="visit-save"]')).click();
    await waitFor('[data-testid="visit-form"] .field-error');
    expect(document.body.textContent).toContain('请选择“走访类型”');
    expect(backend.calls.some((c) => c.cmd === 'log_visit')).toBe(false);
    (await waitFor<HTMLButtonElement>('[data-testid="visit-kind"][data-kind="routine"]')).click();
    (await waitFor<HTMLButtonElement>('[data-testid="visit-save"]')).click();
    const toast = await waitFor('[data-testid="toast"]');
    expect(toast.getAttribute('data-kind')).toBe('saved');
    expect(toast.textContent).toContain('已保存');
    expect(backend.calls.find((c) => c.cmd === 'log_visit')?.args).toEqual({
      visit: { id: expect.stringMatching(UUID_V7), household_id: 'h1', kind: 'routine', notes: '身体尚好', photos: [] },
    });
  });

  it('shows each visit with its notes on the household page and in my visits', async () => {
    await start('#/household/h1');
    const notes = await waitFor('[data-testid="visit-row"] [data-testid="visit-notes-text"]');
    expect(notes.textContent).toContain('老人腿脚不便，下周再来');
    go('#/visits');
    const listed = await waitFor('[data-screen="visits"] [data-testid="visit-notes-text"]');
    expect(listed.textContent).toContain('老人腿脚不便');
  });

  it('a draft saved twice is one record, and the second save says it was saved already', async () => {
    // The app died after the save and before the draft was cleared: the
    // reopened form has the draft, with the id the first save sent.
    const id = '0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b';
    backend.drafts.set('issue-new:h1', JSON.stringify({
      draft_id: id, value: { category: '电梯', description: '电梯停运', location: '', urgency: '2', grid: '' },
    }));
    await backend.handle('report_issue', { issue: { id } });
    await start('#/issues/new?household=h1');
    await waitFor('[data-testid="draft-restored"]');
    (await waitFor<HTMLButtonElement>('[data-testid="issue-save"]')).click();
    const toast = await waitFor('[data-testid="toast"][data-kind="saved"]');
    expect(toast.textContent).toContain('已保存过');
    const sent = backend.calls.filter((c) => c.cmd === 'report_issue').map((c) => (c.args.issue as { id: string }).id);
    expect(sent, 'the second save sent the draft id again').toEqual([id, id]);
  });

  it('reports an issue for a household, then clears its draft', async () => {
    await start('#/issues/new?household=h1');
    // 位置 starts as the household's address.
    await vi.waitFor(() =>
      expect((document.querySelector('[data-testid="issue-location"]') as HTMLInputElement).value).toBe('青云小区 3栋2单元 301'),
    );
    type(await waitFor('[data-testid="issue-category"]'), '电梯');
    type(await waitFor('[data-testid="issue-description"]'), '电梯停运');
    await new Promise((r) => setTimeout(r, 350));
    expect(backend.drafts.has('issue-new:h1'), 'a draft is kept while typing').toBe(true);
    (await waitFor<HTMLButtonElement>('[data-testid="issue-save"]')).click();
    await waitFor('[data-testid="toast"][data-kind="saved"]');
    expect(backend.calls.find((c) => c.cmd === 'report_issue')?.args).toEqual({
      issue: {
        id: expect.stringMatching(UUID_V7), category: '电梯', description: '电梯停运', location: '青云小区 3栋2单元 301', urgency: 2,
        household_id: 'h1', grid: null, photos: [],
      },
    });
    await vi.waitFor(() => expect(backend.drafts.has('issue-new:h1'), 'the draft is gone after the save').toBe(false));
  });

  it('refuses to send an issue without a description and says what is missing', async () => {
    await start('#/issues/new');
    (await waitFor<HTMLButtonElement>('[data-testid="issue-save"]')).click();
    await waitFor('.field-error');
    expect(document.body.textContent).toContain('请填写“发生了什么”');
    expect(backend.calls.some((c) => c.cmd === 'report_issue')).toBe(false);
  });

  it('a claim shows 认领 (待确认) until the hub grants it', async () => {
    await start('#/wish/w1');
    (await waitFor<HTMLButtonElement>('[data-testid="wish-claim"]')).click();
    // Asked once, saying what the claimant commits to; nothing is sent before.
    const ask = await waitFor('[data-testid="wish-claim-confirm-text"]');
    expect(ask.textContent).toContain('承诺');
    expect(ask.textContent).toContain('600 元');
    expect(backend.calls.some((c) => c.cmd === 'act_on_wish')).toBe(false);
    (await waitFor<HTMLButtonElement>('[data-testid="wish-claim-confirm"]')).click();
    await waitFor('[data-testid="toast"][data-kind="saved"]');
    const state = await waitFor('[data-testid="wish-state"][data-pending="true"]');
    expect(state.textContent).toContain('认领 (待确认)');
  });

  it('shows an error toast with the message in the user language when a save fails', async () => {
    const handle = backend.handle;
    backend.handle = async (cmd, args) => {
      if (cmd === 'log_visit') throw { code: 'refused', message: '新建走访记录被拒绝 (visits are for grid workers)', zh: '新建走访记录被拒绝', en: 'visits are for grid workers' };
      return handle(cmd, args);
    };
    await start('#/household/h1');
    (await waitFor<HTMLButtonElement>('[data-testid="visit-button"]')).click();
    (await waitFor<HTMLButtonElement>('[data-testid="visit-kind"][data-kind="follow-up"]')).click();
    (await waitFor<HTMLButtonElement>('[data-testid="visit-save"]')).click();
    const toast = await waitFor('[data-testid="toast"][data-kind="error"]');
    expect(toast.textContent).toContain('新建走访记录被拒绝');
    expect(toast.textContent).not.toContain('visits are for grid workers');
    // The refusal stays in the form too, after the toast has gone.
    const inForm = await waitFor('[data-testid="visit-refusal"]');
    expect(inForm.textContent).toContain('新建走访记录被拒绝');
  });

  it('shows the offline banner with the unsent count only while offline', async () => {
    backend.phase = 'offline';
    await start('#/me');
    const banner = await waitFor('[data-testid="offline-banner"]');
    expect(banner.querySelector('[data-testid="unsent-count"]')?.textContent).toContain('2');
    expect(document.querySelectorAll('[data-testid="unsent-count"]').length, 'one unsent-count on screen').toBe(1);
    expect(document.querySelector('[data-testid="sync-phase"]')?.getAttribute('data-phase')).toBe('offline');
  });

  it('switches the whole UI to English', async () => {
    await start('#/me');
    (await waitFor<HTMLButtonElement>('[data-testid="lang-en"]')).click();
    await waitFor('[data-testid="tab-grid"]');
    await vi.waitFor(() => expect(document.querySelector('[data-testid="tab-grid"]')?.textContent).toContain('Grid'));
    expect(backend.calls.find((c) => c.cmd === 'set_language')?.args).toEqual({ lang: 'en' });
  });
});

describe('deliberation', () => {
  it('lists topics, with a sidebar entry and a third place in the Issues switch', async () => {
    await start('#/topics');
    await waitFor('[data-screen="topics"] [data-testid="topic-row"]');
    expect(document.querySelector('[data-testid="tab-topics"]')).not.toBeNull();
    expect(document.querySelector('[data-testid="switch-topics"]')?.getAttribute('aria-current')).toBe('page');
    expect(document.querySelector('[data-testid="switch-cases"]')).not.toBeNull();
    expect(document.querySelectorAll('.nav .tab:not(.wide-only)').length, 'the phone keeps five tabs').toBe(5);
  });

  it('shows a refused meeting with its reason and the quorum as the attendance is typed', async () => {
    backend.role = 'community-staff';
    await start('#/topic/t1');
    const refused = await waitFor('[data-testid="timeline-event"][data-refused="true"]');
    expect(refused.textContent).toContain('召开议事会');
    expect(refused.textContent).toContain('不足应到 9 人的三分之二');
    (await waitFor<HTMLButtonElement>('[data-testid="topic-step"][data-step="meeting"]')).click();
    const expected = await waitFor<HTMLInputElement>('[data-member="resident-representatives"] [data-testid="attend-expected"]');
    type(expected, '9');
    type(document.querySelector<HTMLInputElement>('[data-member="resident-representatives"] [data-testid="attend-present"]')!, '5');
    await new Promise((r) => setTimeout(r, 20));
    const q = document.querySelector('[data-testid="quorum"]')!;
    expect(q.getAttribute('data-quorate')).toBe('false');
    expect(q.textContent).toContain('法定人数 6');
    type(document.querySelector<HTMLInputElement>('[data-member="resident-representatives"] [data-testid="attend-present"]')!, '6');
    await new Promise((r) => setTimeout(r, 20));
    expect(document.querySelector('[data-testid="quorum"]')!.getAttribute('data-quorate')).toBe('true');
    type(document.querySelector<HTMLInputElement>('[data-testid="step-place"]')!, '社区议事厅');
    (await waitFor<HTMLButtonElement>('[data-testid="topic-step-submit"]')).click();
    await waitFor('[data-testid="toast"][data-kind="saved"]');
    const sent = backend.calls.find((c) => c.cmd === 'act_on_topic')?.args as { action: Record<string, unknown> };
    expect(sent.action).toMatchObject({
      step: 'meeting', place: '社区议事厅', meeting_type: 'ordinary',
      attendance: [{ member: 'resident-representatives', expected: 9, present: 6 }],
    });
  });

  it('proposes a topic under the draft id and shows the deliberation panel to staff', async () => {
    backend.role = 'grid-worker';
    await start('#/topics/new');
    type(await waitFor('[data-testid="topic-proposer-name"]'), '3栋 张大姐');
    type(await waitFor('[data-testid="topic-title-input"]'), '加装充电桩');
    type(await waitFor('[data-testid="topic-description"]'), '楼道充电不安全');
    (await waitFor<HTMLButtonElement>('[data-testid="topic-save"]')).click();
    await waitFor('[data-testid="toast"]');
    const sent = backend.calls.find((c) => c.cmd === 'propose_topic')?.args as { topic: Record<string, unknown> };
    expect(sent.topic).toMatchObject({ title: '加装充电桩', proposer: 'resident', proposer_name: '3栋 张大姐' });
    expect(sent.topic.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows the deliberation figures as numbers on the dashboard', async () => {
    backend.role = 'community-staff';
    await start('#/dashboard');
    const f = await waitFor('[data-testid="deliberation-figure"][data-figure="median"]');
    expect(f.textContent).toContain('5 天');
    expect(document.querySelector('[data-testid="deliberation-overdue"]')?.textContent).toContain('1 项落实任务超期');
  });
});

describe('today', () => {
  const waiting = (overdue = false) => ({
    case: {
      id: 'c9', grid: '522701001001001', case_type: 'property', state: overdue ? 'mediating' : 'registered', warning: 2, kind: 'people',
      reporter: 'gw-001', registered_at: new Date(Date.now() - 86_400_000).toISOString(), deadline: null, overdue, households: ['h1'],
      from_issue: null, refused_events: 0, summary: '物业停水，业主与物业争执', sync_state: 'synced',
    },
    why: overdue ? { zh: '超过办结期限', en: 'past its deadline' } : { zh: '待受理', en: 'waiting to be accepted' },
  });
  /** Today with every other count at zero, so only the cases can need the user. */
  function quietToday() {
    const handle = backend.handle;
    backend.handle = async (cmd, args) => {
      const r = await handle(cmd, args);
      return cmd === 'today' ? { ...(r as object), overdue_issues: 0, households_not_visited: 0, wishes_waiting: 0, unsent: 0 } : r;
    };
  }

  it('lists the cases that need me with their reason, counts them, and a tap opens the case', async () => {
    backend.role = 'community-staff';
    backend.casesNeedingMe = [waiting()];
    await start('#/today');
    const row = await waitFor<HTMLAnchorElement>('[data-testid="today-cases"] [data-testid="case-row"]');
    expect(row.querySelector('[data-testid="case-reason"]')?.textContent).toBe('待受理');
    expect(row.textContent).toContain('物业停水，业主与物业争执');
    const card = document.querySelector('[data-testid="today-card"][data-kind="cases"]')!;
    expect(card.getAttribute('data-count')).toBe('1');
    expect(card.classList.contains('alert'), 'red only for overdue').toBe(false);
    row.click();
    await waitFor('[data-screen="case"]');
    expect(location.hash).toBe('#/case/c9');
  });

  it('never says nothing-to-do while a case waits, and says it once none does', async () => {
    quietToday();
    backend.casesNeedingMe = [waiting(true)];
    await start('#/today');
    await waitFor('[data-testid="today-cases"]');
    expect(document.querySelector('[data-testid="today-all-clear"]'), 'a case waits').toBeNull();
    expect(document.querySelector('[data-testid="today-card"][data-kind="cases"]')?.classList.contains('alert'), 'an overdue case is red').toBe(true);
    unmount(component!);
    backend.casesNeedingMe = [];
    component = mount(App, { target: document.body });
    await waitFor('[data-testid="today-all-clear"]');
    expect(document.querySelector('[data-testid="today-cases"]')).toBeNull();
  });

  it('shows the reason in English when the language is English', async () => {
    backend.casesNeedingMe = [waiting()];
    await start('#/today');
    const reason = await waitFor('[data-testid="today-cases"] [data-testid="case-reason"]');
    expect(reason.textContent).toBe('待受理');
    // The device's language comes with device_info; switching it redraws the reason.
    app.lang = 'en';
    flushSync();
    expect(document.querySelector('[data-testid="case-reason"]')?.textContent).toBe('waiting to be accepted');
    expect(document.querySelector('#today-cases-title')?.textContent).toBe('Mediation cases that need you');
  });
});

describe('a topic from the household page (提出议题)', () => {
  it.each(['grid-worker', 'joint-leader', 'community-staff'])('is offered to a %s and presets the household', async (role) => {
    backend.role = role;
    await start('#/household/h1');
    (await waitFor<HTMLAnchorElement>('[data-testid="household-topic-button"]')).click();
    await waitFor('[data-screen="topic-new"]');
    await waitFor('[data-testid="topic-household"]');
    const shown = document.querySelector('[data-testid="topic-household"]')!;
    for (let i = 0; i < 50 && !shown.textContent?.includes('王秀英'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(shown.textContent).toContain('王秀英');
    // The household's topic is its resident's, proposed by the head unless changed.
    const chips = [...document.querySelectorAll<HTMLElement>('[data-proposer]')].map((c) => c.dataset.proposer);
    expect(chips).toEqual(['resident']);
    const name = await waitFor<HTMLInputElement>('[data-testid="topic-proposer-name"]');
    for (let i = 0; i < 50 && name.value !== '王秀英'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(name.value).toBe('王秀英');
    type(name, '3栋 张大姐');
    type(await waitFor('[data-testid="topic-title-input"]'), '楼道堆物清理');
    type(await waitFor('[data-testid="topic-description"]'), '楼道堆放杂物，影响通行');
    (await waitFor<HTMLButtonElement>('[data-testid="topic-save"]')).click();
    await waitFor('[data-testid="toast"]');
    const sent = backend.calls.find((c) => c.cmd === 'propose_topic')?.args as { topic: Record<string, unknown> };
    expect(sent.topic).toMatchObject({ household: 'h1', title: '楼道堆物清理' });
  });

  it('is not offered to street staff, who may not propose', async () => {
    backend.role = 'street-staff';
    await start('#/household/h1');
    await waitFor('[data-testid="household-name"]');
    expect(document.querySelector('[data-testid="household-topic-button"]')).toBeNull();
  });
});
