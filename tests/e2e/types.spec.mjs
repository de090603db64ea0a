// The published TypeScript types describe what the SDK really takes and gives: every command,
// action, event, widget state and snapshot that crosses the API while all twelve widgets go
// through the states the accessibility scenarios reach is written out as typed literals and
// checked by tsc (excess-property checks included), and a mutated copy must fail that check.
import { test, expect } from '@playwright/test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo, servePages, sh } from './support.mjs';

const site = servePages(test);
const dir = join(repo, 'tests', '.tmp', 'types');
const tsc = join(repo, 'node_modules', '.bin', 'tsc');

// One value per line, so tsc's messages point at the value and stay short.
const literal = (values) => `[\n${values.map((v) => `  ${JSON.stringify(v)}`).join(',\n')}\n]`;

function typeCheck(file, seen) {
  writeFileSync(join(dir, file), [
    "import type { Action, Command, HudongEvent, RoomSnapshotCommand, WidgetState } from '../../../dist/index';",
    `export const commands: Command[] = ${literal(seen.commands)};`,
    `export const actions: Action[] = ${literal(seen.actions)};`,
    `export const events: HudongEvent[] = ${literal(seen.events)};`,
    `export const widgets: WidgetState[] = ${literal(seen.widgets)};`,
    `export const snapshots: RoomSnapshotCommand[] = ${literal(seen.snapshots)};`,
  ].join('\n'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'] }, files: [file] }));
  try {
    sh(tsc, ['-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], dir);
    return '';
  } catch (err) {
    // The error lines, not the values tsc quotes under them.
    return (err.stdout || String(err)).split('\n').filter((l) => / error TS/.test(l)).join('\n');
  }
}

test('the generated types accept every command, action, event and state the SDK exchanged', async ({ page }) => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await page.setViewportSize({ width: 430, height: 932 });
  await page.goto(`${site.base}/a11y.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const names = await page.evaluate(() => window.a11y.names);
  for (const name of names) {
    expect(await page.evaluate((n) => window.a11y.run(n, { locale: 'en' }), name), name).toEqual([]);
  }
  // And the viewer's other actions, with the server's answers.
  const refused = await page.evaluate(async () => {
    const { a11y } = window;
    const results = [];
    const act = (a) => results.push([a.type, a11y.room.act(a)]);
    const apply = (c) => results.push([c.type, a11y.room.apply(c)]);
    const last = (type) => a11y.seen.events.findLast((e) => e.type === type);
    await a11y.run('lead, products, questions', { locale: 'en' });
    act({ type: 'lead.click', widget_id: 'lead', via: 'copy' });
    act({ type: 'lead.consent', widget_id: 'lead', given: true });
    act({ type: 'lead.confirm', widget_id: 'lead' });
    apply({ type: 'lead.result', widget_id: 'lead', request_id: last('lead.confirm').request_id, outcome: 'confirmed', perk_ref: 'P-1' });
    act({ type: 'product.buy', widget_id: 'shelf', sku: 'P1' });
    act({ type: 'product.add_to_cart', widget_id: 'shelf', sku: 'P1' });
    act({ type: 'question.ask', widget_id: 'ask', text: 'Does it smudge?' });
    apply({ type: 'question.ack', widget_id: 'ask', request_id: last('question.ask').request_id, question_id: 'q9', position: 2 });
    apply({ type: 'question.queue', widget_id: 'ask', items: [{ question_id: 'q8', text: 'Shade for fair skin?', votes: 4, state: 'queued' }], waiting: 3 });
    act({ type: 'question.upvote', widget_id: 'ask', question_id: 'q8' });
    await a11y.run('redeem with an account, lottery, coupon', { locale: 'en' });
    act({ type: 'redeem.request', widget_id: 'shop', item_id: 'c' });
    apply({ type: 'redeem.result', widget_id: 'shop', request_id: last('redeem.request').request_id, outcome: 'success', voucher_ref: 'V-1', balance: 150 });
    act({ type: 'coupon.share', widget_id: 'cp', channel: 'wechat' });
    act({ type: 'coupon.claim', widget_id: 'cp' });
    apply({ type: 'lottery.entries', widget_id: 'bag', count: 1200 });
    await a11y.run('tasks, likes, try-on', { locale: 'en' });
    act({ type: 'like.tap', widget_id: 'likes' });
    act({ type: 'task.share', widget_id: 'tasks', channel: 'wechat' });
    act({ type: 'tryon.start', widget_id: 'ar' });
    act({ type: 'tryon.photo', widget_id: 'ar' });
    act({ type: 'tryon.close', widget_id: 'ar' });
    a11y.seen.widgets.push(...a11y.room.widgets);
    return results.filter(([, r]) => !r.ok).map(([t, r]) => `${t}: ${r.error.code} ${r.error.message}`);
  });
  expect(refused).toEqual([]);
  const seen = await page.evaluate(() => JSON.parse(JSON.stringify(window.a11y.seen)));
  // What was exchanged covers the protocol broadly: every widget kind, most message types.
  expect(new Set(seen.widgets.map((w) => w.kind)).size).toBe(12);
  expect(new Set(seen.commands.map((c) => c.type)).size).toBeGreaterThanOrEqual(20);
  expect(new Set(seen.events.map((e) => e.type)).size).toBeGreaterThanOrEqual(15);
  expect(seen.actions.length).toBeGreaterThan(0);

  expect(typeCheck('exchanged.ts', seen)).toBe('');

  // The check has teeth: a field the protocol lacks, a wrong type, or a state that is not a
  // widget's each fail it.
  const clone = () => JSON.parse(JSON.stringify(seen));
  const extra = clone();
  extra.commands[0].colour = 'red';
  expect(typeCheck('extra-field.ts', extra)).toMatch(/colour/);
  const wrong = clone();
  wrong.events[0].seq = 'one';
  expect(typeCheck('wrong-type.ts', wrong)).toMatch(/TS2322/);
  const kind = clone();
  kind.widgets[0].kind = 'slot_machine';
  expect(typeCheck('unknown-kind.ts', kind)).toMatch(/slot_machine/);
});
