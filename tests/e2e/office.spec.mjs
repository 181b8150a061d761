// The desk: community staff at a laptop window (1280×800, then 1920×1080),
// where the lists are tables with the selected row's page beside them, the
// dashboard's figures open what they count, several new issues are accepted
// at once and 合并 (重复) picks its duplicate from a list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, Driver, tempDir, shooter, tid, enrol, tab, save, waitPhase } from './harness.mjs';
import { sleep } from './webdriver.mjs';

const KEY = { down: '\uE015', up: '\uE013', enter: '\uE007' };

/** Presses keys the way a keyboard does (WebDriver actions), on whatever has focus. */
async function press(s, ...keys) {
  const actions = keys.flatMap((k) => [{ type: 'keyDown', value: k }, { type: 'keyUp', value: k }]);
  await s.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  await s.cmd('DELETE', '/actions').catch(() => {});
}

const cells = (s, table, key) =>
  s.exec(`return [...document.querySelectorAll('${tid(table)} tbody td[data-key="${key}"]')].map((td) => td.textContent.trim())`);

test('community staff at a desk: tables, keys, many accepts, dashboard links, the duplicate picker', async () => {
  const hub = await Hub.create('desk');
  const code = hub.code('cs-001', '王芳', 'community-staff', 'community:522701001001');
  await hub.start();
  const drv = await Driver.start({ GRIDLINE_DATA: tempDir('desk'), GRIDLINE_HUB: hub.url });
  const s = drv.session;
  const shot = shooter('office', s);
  try {
    await enrol(s, async () => {}, hub, code);
    await tab(s, 'me');
    await waitPhase(s, 'up_to_date');
    await s.cmd('POST', '/window/rect', { width: 1280, height: 800 });
    await sleep(300);

    // The household table, sorted by 人数, most first.
    await tab(s, 'grid');
    await s.waitFor(tid('household-table'));
    assert.equal((await s.findAll(tid('household-row'))).length, 0, 'a desk window shows a table, not the phone cards');
    const people = await s.waitFor(`${tid('table-sort')}[data-key="people"]`);
    assert.match(await people.text(), /人数/, 'the column says what it holds');
    await people.click();
    await people.click();
    await s.waitFor(`${tid('household-table')}[data-sort="people:desc"]`);
    const counts = (await cells(s, 'household-table', 'people')).map(Number);
    assert.ok(counts.length > 3, `the table lists the grid's households (${counts.length})`);
    for (let i = 1; i < counts.length; i += 1) assert.ok(counts[i - 1] >= counts[i], `sorted most people first: ${counts.slice(0, 10)}`);
    assert.match(await (await s.find(tid('detail-pane'))).text(), /选中一行/, 'the empty pane says what to do');
    await shot('households-sorted');

    // ↓ ↓ selects the second row and shows its page beside the table; ↑ goes back.
    await (await s.find('h1')).click();
    await press(s, KEY.down, KEY.down);
    const second = await s.waitFor(`${tid('household-table')} tbody tr[aria-selected="true"]`);
    const rows = await s.findAll(`${tid('household-table')} tbody tr`);
    assert.equal(await second.attr('data-id'), await rows[1].attr('data-id'), '↓ twice selects the second row');
    const head = (await cells(s, 'household-table', 'head'))[1].split(' (')[0];
    await s.waitFor(`${tid('detail-pane')} ${tid('household-name')}`, { pred: async (e) => (await e.text()).includes(head) });
    await shot('household-pane');
    await press(s, KEY.up);
    await s.waitFor(`${tid('household-table')} tbody tr[aria-selected="true"]`, {
      pred: async (e) => (await e.attr('data-id')) === (await rows[0].attr('data-id')),
    });
    await press(s, '/');
    assert.equal(await s.exec('return document.activeElement.dataset.testid'), 'household-search', '/ focuses the search');

    // Two new issues accepted at once, each with its own result.
    await tab(s, 'issues');
    await s.waitFor(tid('issue-table'));
    await (await s.waitFor('[data-screen="issues"] .chips [data-state="reported"]')).click();
    await s.waitFor(`${tid('issue-table')} ${tid('table-tick')}`);
    const ticks = await s.findAll(`${tid('issue-table')} ${tid('table-tick')}`);
    assert.ok(ticks.length >= 4, `the demo has new issues to accept (${ticks.length})`);
    const picked = [];
    for (const tk of ticks.slice(0, 2)) {
      await tk.click();
      picked.push(await s.exec('return arguments[0].closest("tr").dataset.id', [{ 'element-6066-11e4-a52e-4f735466cecf': tk.id }]));
    }
    const bulk = await s.waitFor(tid('bulk-accept'));
    assert.match(await bulk.text(), /受理所选 \(2\)/, 'the button counts the ticked issues');
    await shot('issues-ticked');
    await bulk.click();
    const results = await s.waitFor(tid('bulk-results'), { timeout: 30000 });
    assert.match(await results.text(), /已受理 2 件/, `both accepted: ${await results.text()}`);
    for (const id of picked) {
      assert.equal(await (await s.find(`${tid('bulk-result')}[data-id="${id}"]`)).attr('data-ok'), 'true', `issue ${id} accepted`);
    }
    // Accepted, they leave the 新上报 list.
    await s.waitGone(`${tid('issue-table')} tr[data-id="${picked[0]}"]`);
    await shot('issues-accepted');

    // 合并 (重复): the duplicate is picked from a list, not typed as a number.
    const reported = await s.exec(`return [...document.querySelectorAll('${tid('issue-table')} tbody tr')].map((tr) => tr.dataset.id)`);
    let merged = null;
    for (const id of reported.slice(0, 8)) {
      await (await s.waitFor(`${tid('issue-table')} tr[data-id="${id}"] td[data-key="summary"]`)).click();
      await s.waitFor(`${tid('detail-pane')} [data-screen="issue"][data-id="${id}"]`);
      const merge = await s.findAll(`${tid('detail-pane')} ${tid('issue-step')}[data-step="merge"]`);
      if (merge.length === 0) continue;
      await merge[0].click();
      const picker = await s.waitFor(`${tid('detail-pane')} ${tid('duplicate-picker')}`);
      assert.match(await picker.text(), /与哪个事件重复/, 'the field asks which issue it repeats');
      assert.doesNotMatch(await picker.text(), /事件编号/, 'no issue number to type');
      const candidates = await s.findAll(`${tid('detail-pane')} ${tid('duplicate-candidate')}`);
      if (candidates.length === 0) continue;
      const into = await candidates[0].attr('data-id');
      assert.notEqual(into, id, 'an issue is not its own duplicate');
      await candidates[0].click();
      assert.equal(await candidates[0].attr('aria-checked'), 'true', 'the chosen issue is marked');
      await shot('merge-picker');
      await save(s, 'issue-step-submit');
      merged = { id, into };
      break;
    }
    assert.ok(merged, 'some new issue has a likely duplicate to merge into');
    await s.waitFor(`${tid('detail-pane')} ${tid('issue-state')}[data-state="merged"]`, { timeout: 30000 });
    await shot('merged');

    // The dashboard's bars and 超期事件 open the issues they count.
    await tab(s, 'dashboard');
    await s.waitFor('[data-screen="dashboard"]');
    const bar = await s.waitFor(`[data-chart="issues-by-category"] li`);
    const category = await bar.attr('data-key');
    const n = Number(await bar.attr('data-n'));
    const word = await (await s.find(`[data-chart="issues-by-category"] li[data-key="${category}"] .label`)).text();
    await shot('dashboard');
    await (await s.find(`[data-chart="issues-by-category"] li[data-key="${category}"] ${tid('chart-bar-link')}`)).click();
    const chip = await s.waitFor(`${tid('category-filter')}[data-category="${category}"]`);
    assert.ok((await chip.text()).includes(word), `the list says it is narrowed to ${word}`);
    await s.waitFor(tid('issue-table'));
    await sleep(300);
    const listed = (await cells(s, 'issue-table', 'category'));
    assert.equal(listed.length, Math.min(n, 300), `the list holds what the bar counted (${n})`);
    assert.ok(listed.every((c) => c === word), `every row is ${word}`);
    await shot('dashboard-category-list');
    await tab(s, 'dashboard');
    const state = await s.waitFor(`[data-chart="issues-by-state"] li[data-key="accepted"] ${tid('chart-bar-link')}`);
    await state.click();
    await s.waitFor('[data-screen="issues"] .chips [data-state="accepted"][aria-pressed="true"]');
    const accepted = await s.exec(`return [...document.querySelectorAll('${tid('issue-table')} tbody tr')].map((tr) => tr.dataset.id)`);
    for (const id of picked) assert.ok(accepted.includes(id), `the 已受理 bar lists the issue accepted at the desk (${id})`);
    await tab(s, 'dashboard');
    await (await s.waitFor(tid('dashboard-overdue'))).click();
    await s.waitFor(`${tid('overdue-toggle')}[aria-pressed="true"]`);

    // A wide desk monitor: the same tables with more room.
    await s.cmd('POST', '/window/rect', { width: 1920, height: 1080 });
    await sleep(300);
    await tab(s, 'grid');
    await s.waitFor(tid('household-table'));
    await (await s.find(`${tid('household-table')} tbody tr td[data-key="address"]`)).click();
    await s.waitFor(`${tid('detail-pane')} ${tid('household-name')}`);
    await shot('households-1920');
    await tab(s, 'issues');
    await s.waitFor(tid('issue-table'));
    await (await s.find(`${tid('issue-table')} tbody tr td[data-key="summary"]`)).click();
    await s.waitFor(`${tid('detail-pane')} [data-screen="issue"]`);
    await shot('issues-1920');
    // The wish wall as a table too, by value, with the wish beside it.
    await tab(s, 'wishes');
    await s.waitFor(tid('wish-table'));
    const value = await s.waitFor(`${tid('wish-table')} ${tid('table-sort')}[data-key="value"]`);
    assert.match(await value.text(), /价值/, 'the value column is named');
    await value.click();
    await s.waitFor(`${tid('wish-table')}[data-sort="value:asc"]`);
    const yuan = (await cells(s, 'wish-table', 'value')).map((v) => Number(v.replace(/[^0-9.]/g, '')));
    for (let i = 1; i < yuan.length; i += 1) assert.ok(yuan[i - 1] <= yuan[i], `wishes sorted by value: ${yuan.slice(0, 10)}`);
    await (await s.find(`${tid('wish-table')} tbody tr td[data-key="title"]`)).click();
    await s.waitFor(`${tid('detail-pane')} [data-screen="wish"]`);
    await shot('wishes-1920');
  } catch (e) {
    await shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await drv.stop();
    await hub.stop();
  }
});
