// Screenshots of the deliberation screens (居民议事) in the real webview, in
// Chinese: the list, a topic with its meeting, resolution, tasks and
// timeline, a topic with a refused step and the meeting's step form, the
// new-topic form, and the dashboard's deliberation panel.
//
// Usage (after `npm --prefix ui run build` and
// `cargo build -p gridline-cli -p gridline-app`):
//   xvfb-run -a -s "-screen 0 1600x2400x24" node scripts/deliberation-screenshots.mjs [OUT_DIR]
// OUT_DIR defaults to docs/screenshots; SHOTS_LANG=en takes them in English.
// A hub with the demo grid runs on a free loopback port; the topics are made
// through the CLI (`gridline deliberation …`) on a grid worker's phone and
// two community offices; the app is enrolled as community staff (王芳).
import { join, resolve } from 'node:path';
import { Hub, Driver, gl, tempDir, root, setPinIfAsked } from '../tests/e2e/harness.mjs';
import { sleep } from '../tests/e2e/webdriver.mjs';

const out = resolve(process.argv[2] || join(root, 'docs/screenshots'));
const english = process.env.SHOTS_LANG === 'en';
const tid = (id) => `[data-testid="${id}"]`;
const PHONE = { width: 420, height: 860 };
const GRID = '522701001001001';
const DAY = 24 * 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString();
const date = (ms) => iso(ms).slice(0, 10);

const hub = await Hub.create('deliberation-shots');
const officeCode = hub.code('cs-001', '王芳', 'community-staff', 'community:522701001001');
await hub.start();

const device = (name, user, role, scope) => {
  const dir = tempDir(name);
  gl(dir, 'device', 'init');
  gl(dir, 'device', 'enroll', '--hub', hub.url, '--code', hub.code(user, name, role, scope));
  gl(dir, 'device', 'sync');
  return dir;
};
const phone = device('phone', 'gw-001', 'grid-worker', `grids:${GRID}`);
const office2 = device('office2', 'cs-002', 'community-staff', 'community:522701001001');
const office3 = device('office3', 'cs-003', 'community-staff', 'community:522701001001');
const [h1] = gl(phone, 'household', 'list', '--limit', '1');

// A: a resident's topic, carried to its tasks.
const a = gl(phone, 'deliberation', 'propose', '--household', h1.id, '--proposer', 'resident',
  '--proposer-name', h1.head_name, '--title', '小区加装电动车充电桩',
  '--description', '电动车在楼道和家里充电，存在火灾隐患；希望在 3 号楼旁建集中充电棚。');
// B: the owners' committee's topic: accepted by one office while another,
// offline, declines it; after both sync the decline is refused, with its reason.
const b = gl(phone, 'deliberation', 'propose', '--grid', GRID, '--proposer', 'owners-committee',
  '--proposer-name', '李主任', '--title', '小区停车位重新划线和收费标准',
  '--description', '外来车辆占用车位，业主停车难；建议重新划线并商定临时停车收费。');
// C: the property company's topic, just proposed.
gl(phone, 'deliberation', 'propose', '--grid', GRID, '--proposer', 'property-company',
  '--proposer-name', '陈经理', '--title', '二次供水水箱清洗时间安排',
  '--description', '水箱清洗需停水半天，请居民商定停水时间。');
gl(phone, 'device', 'sync');
gl(office2, 'device', 'sync');
gl(office3, 'device', 'sync');

const now = Date.now();
gl(office2, 'deliberation', 'accept', a.id);
gl(office2, 'deliberation', 'meeting', a.id, '--held-on', iso(now - 2 * DAY), '--place', '社区党群服务中心议事厅',
  '--notice-posted', iso(now - 6 * DAY), '--type', 'tripartite',
  '--attend', 'party-organisation:3/3', '--attend', 'residents-committee:4/5', '--attend', 'resident-representatives:8/12',
  '--attend', 'owners-committee:3/3', '--attend', 'property-company:2/2');
gl(office2, 'deliberation', 'resolve', a.id, '--text', '在 3 号楼东侧建集中充电棚，设 20 个充电口，费用由物业维修资金列支，按电表收费。',
  '--for', '17', '--against', '2', '--abstain', '1');
gl(office2, 'deliberation', 'task', a.id, '--owner', '物业公司', '--due', date(now + 20 * DAY), '--what', '采购并安装充电桩，接入电表');
gl(office2, 'deliberation', 'task', a.id, '--owner', '居委会', '--due', date(now + 5 * DAY), '--what', '张贴决议公示，组织楼道清理');
const shown = gl(office2, 'deliberation', 'show', a.id);
const firstTask = (shown.tasks ?? []).find((t) => /张贴/.test(t.what)) ?? (shown.tasks ?? [])[0];
if (firstTask) gl(office2, 'deliberation', 'task-done', a.id, '--task', firstTask.id, '--note', '决议已在公告栏公示 7 天，楼道杂物已清理');

gl(office2, 'deliberation', 'accept', b.id);
gl(office3, 'deliberation', 'decline', b.id, '--reason', '停车收费属于业主大会决定事项，请业委会召开业主大会');
gl(office2, 'device', 'sync');
gl(office3, 'device', 'sync');
gl(office2, 'device', 'sync');

const drv = await Driver.start({ GRIDLINE_DATA: tempDir('office'), GRIDLINE_HUB: hub.url });
const s = drv.session;
/** Resizes the window, scrolls `scroll` (a selector) to the top, and saves `name`.png. */
const shot = async (name, size = PHONE, scroll = null) => {
  await s.cmd('POST', '/window/rect', size);
  await sleep(400);
  await s.exec(scroll
    ? `document.querySelector('${scroll}')?.scrollIntoView({ block: 'start' }); window.scrollBy(0, -12);`
    : 'window.scrollTo(0, 0)');
  await sleep(200);
  const file = join(out, `${name}${english ? '-en' : ''}.png`);
  await s.screenshot(file);
  console.log(file);
};
const go = async (hash, screen) => {
  await s.exec(`location.hash = '${hash}'`);
  await s.waitFor(`[data-screen="${screen}"]`, { timeout: 30000 });
  await sleep(300);
};
try {
  await s.cmd('POST', '/window/rect', PHONE);
  await s.waitFor('[data-screen="enrol"]', { timeout: 60000 });
  const hubInput = await s.find(tid('enrol-hub'));
  await hubInput.clear();
  await hubInput.type(hub.url);
  await (await s.find(tid('enrol-code'))).type(officeCode);
  await (await s.find(tid('enrol-submit'))).click();
  await setPinIfAsked(s);
  await go('#/me', 'me');
  await s.waitFor(`${tid('sync-phase')}[data-phase="up_to_date"]`, { timeout: 120000 });
  if (english) {
    await (await s.find(tid('lang-en'))).click();
    await s.waitFor(tid('tab-grid'), { pred: async (e) => /Grid/.test(await e.text()) });
  }

  // The list, reached from the Issues tab's 事件 | 调解 | 议事 switch on a phone.
  await go('#/topics', 'topics');
  await s.waitFor(tid('topic-row'));
  await shot('deliberation-list');
  await shot('deliberation-list-wide', { width: 1280, height: 860 });

  // A topic with its meeting (attendance, quorum), resolution, tasks and timeline.
  await go(`#/topic/${a.id}`, 'topic');
  await s.waitFor(tid('topic-meeting'));
  await shot('deliberation-topic', { width: 420, height: 2300 });
  await shot('deliberation-topic-wide', { width: 1280, height: 1700 });

  // The topic with a refused decline, and its meeting form with the quorum as typed.
  await go(`#/topic/${b.id}`, 'topic');
  await s.waitFor(`${tid('timeline-event')}[data-refused="true"]`);
  await (await s.find(`${tid('topic-step')}[data-step="meeting"]`)).click();
  await s.waitFor(tid('topic-step-form'));
  await (await s.find(tid('step-place'))).type('社区议事厅');
  for (const [member, expected, present] of [['party-organisation', '3', '3'], ['residents-committee', '5', '4'], ['resident-representatives', '12', '5'], ['owners-committee', '3', '2']]) {
    await (await s.find(`[data-member="${member}"] ${tid('attend-expected')}`)).type(expected);
    await (await s.find(`[data-member="${member}"] ${tid('attend-present')}`)).type(present);
  }
  await sleep(200);
  await shot('deliberation-meeting-form', { width: 420, height: 1500 }, tid('topic-steps'));
  await shot('deliberation-refused', { width: 420, height: 2000 });

  // 提出议题.
  await go('#/topics/new', 'topic-new');
  await (await s.find('[data-proposer="resident"]')).click();
  await (await s.find(tid('topic-proposer-name'))).type('5栋 刘阿姨');
  await (await s.find(tid('topic-title-input'))).type('楼道加装扶手');
  await (await s.find(tid('topic-description'))).type('5 栋老人多，楼梯陡，希望加装扶手，费用商议。');
  await shot('deliberation-new', { width: 420, height: 1100 });

  // The dashboard's deliberation panel.
  await go('#/dashboard', 'dashboard');
  await s.waitFor(tid('deliberation-figure'));
  await shot('deliberation-dashboard', { width: 420, height: 1000 }, tid('deliberation-panel'));
  await shot('deliberation-dashboard-wide', { width: 1280, height: 900 }, tid('deliberation-panel'));
} catch (e) {
  await s.screenshot(join(out, 'deliberation-FAILED.png')).catch(() => {});
  throw e;
} finally {
  await drv.stop();
  await hub.stop();
}
