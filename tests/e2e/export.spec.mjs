// Exports from the app (issue 15): community staff export the monthly
// report and the household roster from the dashboard; each is a real
// .xlsx written where the app says, with the roster's ID numbers masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Hub, Driver, tempDir, shooter, tid, enrol, tab, waitPhase } from './harness.mjs';

test('staff export the monthly report and the roster from the dashboard as xlsx files', async () => {
  const hub = await Hub.create('export');
  const staffCode = hub.code('cs-001', '王芳', 'community-staff', 'community:522701001001');
  await hub.start();
  try {
    const out = tempDir('export-files');
    const drv = await Driver.start({
      GRIDLINE_DATA: tempDir('export-desk'),
      GRIDLINE_HUB: hub.url,
      GRIDLINE_EXPORT_DIR: out,
    });
    const s = drv.session;
    const shot = shooter('export', s);
    try {
      await s.cmd('POST', '/window/rect', { width: 1280, height: 900 });
      await enrol(s, async () => {}, hub, staffCode);
      await tab(s, 'me');
      await waitPhase(s, 'up_to_date');
      await s.exec("location.hash = '#/dashboard'");
      await s.waitFor('[data-screen="dashboard"]');
      const panel = await s.waitFor(tid('export-panel'));
      await s.exec(`document.querySelector('${tid('export-panel')}').scrollIntoView({ block: 'center' })`);
      assert.match(await panel.text(), /导出月报/);

      const month = await s.exec(`return document.querySelector('${tid('export-month')}').value`);
      assert.match(month, /^\d{4}-\d{2}$/, 'a finished month is chosen');
      await (await s.find(tid('export-monthly'))).click();
      const done = await s.waitFor(`${tid('export-done')}[data-what="monthly"]`);
      const file = path.join(out, `月报-${month}.xlsx`);
      assert.ok((await done.text()).includes(file), `the app says where the report is (${await done.text()})`);
      const bytes = fs.readFileSync(file);
      assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an xlsx is a zip');
      assert.ok(bytes.includes(Buffer.from('xl/workbook.xml')), 'with a workbook in it');
      await shot('dashboard-monthly');

      await (await s.find(tid('export-roster'))).click();
      const roster = await s.waitFor(`${tid('export-done')}[data-what="roster"]`);
      assert.match(await roster.text(), /已导出 \d+ 行/);
      const files = fs.readdirSync(out).filter((f) => f.startsWith('住户台账-') && f.endsWith('.xlsx'));
      assert.equal(files.length, 1, `one roster file (${files})`);
      await shot('dashboard-roster');
    } finally {
      await drv.stop();
    }
  } finally {
    await hub.stop();
  }
});

test('staff import a roster from the app: a bad file names its rows, a good one imports once', async () => {
  const hub = await Hub.create('import');
  const staffCode = hub.code('cs-001', '王芳', 'community-staff', 'community:522701001001');
  await hub.start();
  try {
    const files = tempDir('import-files');
    const header = '社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号,联系电话,标签';
    const good = path.join(files, '新苑小区.csv');
    // Two heads of the same name and birth date at two addresses: imported
    // (nothing says they are one), then listed as likely duplicates.
    fs.writeFileSync(good, [`${header},出生日期`,
      '幸福社区,522701001001001,新苑小区,1栋,1单元,101,王新民,,13800138001,,1958-03-02',
      '幸福社区,522701001001001,新苑小区,1栋,1单元,102,李新华,,,独居老人,',
      '幸福社区,522701001001001,新苑小区,3栋,2单元,301,王新民,,,,1958-03-02', ''].join('\r\n'));
    const bad = path.join(files, '有错.csv');
    fs.writeFileSync(bad, [header,
      '幸福社区,522701001001001,新苑小区,2栋,1单元,101,赵六,52270119870618238X,,',
      '幸福社区,522701001001001,新苑小区,2栋,1单元,102,,,,', ''].join('\r\n'));
    const drv = await Driver.start({ GRIDLINE_DATA: tempDir('import-desk'), GRIDLINE_HUB: hub.url });
    const s = drv.session;
    const shot = shooter('import', s);
    try {
      await s.cmd('POST', '/window/rect', { width: 1280, height: 900 });
      await enrol(s, async () => {}, hub, staffCode);
      await tab(s, 'me');
      await waitPhase(s, 'up_to_date');
      await s.exec("location.hash = '#/dashboard'");
      await s.waitFor('[data-screen="dashboard"]');
      await s.waitFor(tid('import-panel'));

      // The input covers its button, transparent: found, not waited for as shown.
      await (await s.find(tid('import-file'))).type(bad);
      const errors = await s.waitFor(tid('import-errors'));
      assert.match(await errors.text(), /2 处错误/, `both bad rows (${await errors.text()})`);
      const lines = await s.findAll(tid('import-error'));
      assert.equal(lines.length, 2);
      assert.match(await lines[0].text(), /第 2 行 · 身份证号/);
      assert.match(await lines[1].text(), /第 3 行 · 户主姓名/);
      assert.equal((await s.findAll(tid('import-run'))).length, 0, 'no import while any row is bad');
      await s.exec(`document.querySelector('${tid('import-panel')}').scrollIntoView({ block: 'center' })`);
      await shot('errors');

      await (await s.find(tid('import-file'))).type(good);
      const summary = await s.waitFor(tid('import-summary'), { pred: async (e) => /将新增 3 户/.test(await e.text()) });
      assert.match(await summary.text(), /已有 0 户/);
      await shot('preview');
      await (await s.find(tid('import-run'))).click();
      const done = await s.waitFor(tid('import-done'));
      assert.match(await done.text(), /已导入 3 户/);
      await shot('done');
      const pair = await s.waitFor(tid('duplicate-pair'), { pred: async (e) => /王新民/.test(await e.text()) });
      assert.match(await pair.text(), /户主同名同生日/, 'the two 王新民 are listed as likely one');
      const a = await pair.attr('data-a');
      const b = await pair.attr('data-b');
      await s.exec(`document.querySelector('${tid('duplicates')}').scrollIntoView({ block: 'center' })`);
      await shot('duplicates');

      // The same file again: nobody twice.
      await (await s.find(tid('import-file'))).type(good);
      const again = await s.waitFor(tid('import-summary'), { pred: async (e) => /将新增 0 户/.test(await e.text()) });
      assert.match(await again.text(), /已有 3 户/);

      // 合并: keep one 王新民, with a reason; the pair leaves the list, the
      // kept household lists what was merged into it, and the other says where it went.
      const inPair = `${tid('duplicate-pair')}[data-a="${a}"][data-b="${b}"]`;
      await (await s.find(`${inPair} ${tid('merge-open')}`)).click();
      await (await s.waitFor(`${inPair} ${tid('merge-submit')}`)).click();
      const unfilled = await s.findAll(`${inPair} ${tid('merge-form')} .field-error`);
      assert.equal(unfilled.length, 2, 'no survivor and no reason: both are asked for, nothing merged');
      await (await s.find(`${inPair} ${tid('merge-keep')}[data-id="${a}"]`)).click();
      await (await s.find(`${inPair} ${tid('merge-reason')}`)).type('同一户登记了两次');
      await s.exec(`document.querySelector('${inPair}').scrollIntoView({ block: 'center' })`);
      await shot('merge-form');
      await (await s.find(`${inPair} ${tid('merge-submit')}`)).click();
      await s.waitFor(tid('duplicates'), { pred: async (e) => !/王新民/.test(await e.text()), timeout: 10000 });
      await s.exec(`location.hash = '#/household/${a}'`);
      const from = await s.waitFor(tid('merged-from'));
      assert.equal(await from.attr('data-id'), b, 'the kept household lists the merged one');
      await shot('merged-survivor');
      await s.exec(`location.hash = '#/household/${b}'`);
      const into = await s.waitFor(tid('merged-into'));
      assert.match(await into.text(), /已合并到/);
      assert.match(await into.text(), /同一户登记了两次/, 'the reason is shown');
      await s.waitFor(tid('merged-record-on-survivor'));
      assert.equal(
        (await s.findAll(`${tid('report-issue-button')}, ${tid('visit-button')}, ${tid('household-wish-button')}`)).length,
        0,
        'a merged household offers no new records: they go on the household kept'
      );
      await shot('merged-into');
      await (await s.find(tid('merged-open-survivor'))).click();
      await s.waitFor(`[data-screen="household"][data-id="${a}"]`);
    } finally {
      await drv.stop();
    }
  } finally {
    await hub.stop();
  }
});
