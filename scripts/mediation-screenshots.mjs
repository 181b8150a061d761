// Screenshots of the mediation screens (矛盾纠纷调解) in the real webview, in
// Chinese: the list, a case with its timeline and a step form, the new-case
// form, 转为调解 on an issue, and the dashboard's mediation panel.
//
// Usage (after `npm --prefix ui run build` and
// `cargo build -p gridline-cli -p gridline-app`):
//   xvfb-run -a -s "-screen 0 1600x2400x24" node scripts/mediation-screenshots.mjs [OUT_DIR]
// OUT_DIR defaults to docs/screenshots; SHOTS_LANG=en takes them in English. A hub with the demo grid (which
// includes mediation cases) runs on a free loopback port; a grid worker's
// device (the CLI) reports a dispute from a visit and a neighbour-dispute
// issue; the app is enrolled as community staff (王芳).
import { join, resolve } from 'node:path';
import { Hub, Driver, gl, tempDir, root, setPinIfAsked } from '../tests/e2e/harness.mjs';
import { sleep } from '../tests/e2e/webdriver.mjs';

const out = resolve(process.argv[2] || join(root, 'docs/screenshots'));
// SHOTS_LANG=en takes the same screens in English (file names end in -en).
const english = process.env.SHOTS_LANG === 'en';
const tid = (id) => `[data-testid="${id}"]`;
const PHONE = { width: 420, height: 860 };

const hub = await Hub.create('mediation-shots');
const officeCode = hub.code('cs-001', '王芳', 'community-staff', 'community:522701001001');
const phoneCode = hub.code('gw-001', '张伟', 'grid-worker', 'grids:522701001001001');
await hub.start();

// The grid worker's phone: a dispute found on a visit, and an issue that
// the office will turn into a case.
const phone = tempDir('phone');
gl(phone, 'device', 'init');
gl(phone, 'device', 'enroll', '--hub', hub.url, '--code', phoneCode);
gl(phone, 'device', 'sync');
const [h1, h2] = gl(phone, 'household', 'list', '--limit', '2');
const visit = gl(phone, 'visit', 'log', '--household', h1.id, '--notes', '楼上卫生间漏水到楼下，两户多次争吵，情绪激动');
const reported = gl(phone, 'mediation', 'report', '--from-visit', visit.id, '--type', '邻里', '--warning', '2', '--people', '4');
const issue = gl(phone, 'issue', 'report', '--household', h2.id, '--category', '邻里纠纷',
  '--description', '楼上装修噪音扰民，两户在楼道争执');
gl(phone, 'device', 'sync');

// Another community office accepts the case while the street office,
// offline, declines it: after both sync, the decline is a refused step,
// kept in the timeline with its reason.
const device = (name, user, role, scope) => {
  const dir = tempDir(name);
  gl(dir, 'device', 'init');
  gl(dir, 'device', 'enroll', '--hub', hub.url, '--code', hub.code(user, name, role, scope));
  gl(dir, 'device', 'sync');
  return dir;
};
const office2 = device('office2', 'cs-002', 'community-staff', 'community:522701001001');
const street = device('street', 'ss-001', 'street-staff', 'street:522701001');
gl(office2, 'mediation', 'accept', reported.id, '--mediator', '王调解员');
gl(street, 'mediation', 'decline', reported.id, '--reason', '属于物业服务合同纠纷，建议诉讼解决');
gl(office2, 'device', 'sync');
gl(street, 'device', 'sync');
gl(office2, 'device', 'sync');
gl(office2, 'mediation', 'parties', reported.id, '--party', `${h1.head_name}/11010519491231002X/13800138000/${h1.address}`,
  '--party', '李四/ /13885410023/楼下 301', '--facts', '楼上卫生间防水层破损，漏水到楼下；楼下要求赔偿装修损失');
gl(office2, 'mediation', 'session', reported.id, '--participants', `${h1.head_name}、李四`, '--notes', '双方各执一词，约定请物业查看后再谈');
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
const click = (css) => s.exec(`document.querySelector('${css}').click()`);
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

  // The list: overdue first, each with its state, warning level and deadline.
  await go('#/cases', 'cases');
  await s.waitFor(tid('case-row'));
  await shot('mediation-list');
  await shot('mediation-list-wide', { width: 1280, height: 860 });

  // The case from the visit, being mediated: its deadlines, private part
  // (ID numbers masked) and timeline with the refused decline.
  await go(`#/case/${reported.id}`, 'case');
  await s.waitFor(`${tid('timeline-event')}[data-refused="true"]`);
  await shot('mediation-case', { width: 420, height: 1900 });
  // Its step form: a session, with what goes into the private part.
  const sessionStep = (await s.findAll(`${tid('case-step')}[data-step="session"]`))[0]
    ?? (await s.findAll(tid('case-step')))[0];
  await sessionStep.click();
  await s.waitFor(tid('case-step-form'));
  for (const [field, text] of [['participants', '张三、李四、物业李经理'], ['notes', '双方同意先请物业查看防水层，再商量赔偿']]) {
    const el = await s.findAll(tid(`step-${field}`));
    if (el.length > 0) await el[0].type(text);
  }
  await shot('mediation-case-step', PHONE, '[data-testid="case-steps"]');
  // The same case at a desk.
  await click('[data-testid="case-step-form"] button.btn:not(.primary)');
  await shot('mediation-case-wide', { width: 1280, height: 1500 });

  // 上报纠纷 from a household page.
  await go(`#/household/${h1.id}`, 'household');
  await s.waitFor(tid('household-dispute-button'));
  await (await s.find(tid('household-dispute-button'))).click();
  await s.waitFor('[data-screen="case-new"]');
  await s.waitFor(tid('case-household-picked'));
  await (await s.find('[data-case-type="property"]')).click();
  await (await s.find('[data-warning="2"]')).click();
  await (await s.find(tid('case-summary-input'))).type('物业费纠纷：业主拒缴物业费，物业停止供水');
  const people = await s.find(tid('case-people'));
  await people.clear();
  await people.type('3');
  await (await s.find(tid('add-party'))).click();
  await (await s.find(tid('party-name'))).type('张三');
  await (await s.find(tid('party-phone'))).type('13885410023');
  await shot('mediation-new', { width: 420, height: 1500 });

  // 转为调解 on a neighbour-dispute issue.
  await go(`#/issue/${issue.id}`, 'issue');
  await s.waitFor(tid('issue-to-case'));
  await shot('mediation-issue-to-case');
  await (await s.find(tid('issue-to-case'))).click();
  await s.waitFor(tid('case-origin'));
  await shot('mediation-from-issue');

  // The dashboard's mediation panel.
  await go('#/dashboard', 'dashboard');
  await s.waitFor(tid('mediation-rate'));
  await shot('mediation-dashboard', { width: 420, height: 1400 }, tid('mediation-panel'));
  await shot('mediation-dashboard-wide', { width: 1280, height: 1000 }, tid('mediation-panel'));
} catch (e) {
  await s.screenshot(join(out, 'mediation-FAILED.png')).catch(() => {});
  throw e;
} finally {
  await drv.stop();
  await hub.stop();
}
