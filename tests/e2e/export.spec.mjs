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
