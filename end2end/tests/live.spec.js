// Two agents at once, in two browsers: each sees the other in the conversation, sees them
// writing, the second reply to the same state is refused with the first one shown in place
// and goes out on "Send anyway", and a status change shows up in the other's list without a
// reload. Waits are generous; the benchmark measures how fast.
const { test, expect } = require('@playwright/test');
const path = require('path');
const { shots, hydrated, signIn } = require('./support');

/** A page for Sara and one for Reza, each in a browser context of its own (not signed in). */
async function twoAgents(browser) {
  const contexts = [];
  for (let i = 0; i < 2; i++) contexts.push(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
  const [sara, reza] = [await contexts[0].newPage(), await contexts[1].newPage()];
  return { sara, reza, close: async () => { for (const c of contexts) await c.close(); } };
}

test('two agents see each other, and no customer gets two answers unawares', async ({ browser }) => {
  const { sara, reza, close } = await twoAgents(browser);
  await signIn(sara, 'sara@nour-store.example', 'sanduq-demo');
  await signIn(reza, 'reza@nour-store.example', 'sanduq-demo');

  // Both open the same open conversation of Support.
  await sara.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Support/ }).click();
  await hydrated(sara);
  const first = sara.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first();
  const href = await first.getByRole('link').getAttribute('href');
  await sara.goto(href);
  await hydrated(sara);
  await reza.goto(href);
  await hydrated(reza);

  const saraSees = sara.getByRole('status', { name: 'People here' });
  const rezaSees = reza.getByRole('status', { name: 'People here' });
  await expect(saraSees).toContainText('رضا احمدی is viewing');
  await expect(rezaSees).toContainText('Sara Nasser is viewing');

  // Reza starts a reply: Sara sees it in the header, and her composer says so before she
  // types a word.
  await reza.getByRole('textbox', { name: 'Reply' }).fill('E2E live: Reza answers');
  await expect(saraSees).toContainText('رضا احمدی is writing a reply…');
  await expect(sara.locator('.composer-warning').filter({ hasText: 'is already writing a reply' })).toBeVisible();
  await sara.screenshot({ path: path.join(shots, 'live-presence.png'), fullPage: true });

  // Sara answers first; Reza's reply, written against what came before, is refused.
  await sara.getByRole('textbox', { name: 'Reply' }).fill('E2E live: Sara answers first');
  await sara.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(sara.locator('.thread')).toContainText('E2E live: Sara answers first');
  // Sara's reply reaches Reza's open conversation without a reload.
  await expect(reza.locator('.thread')).toContainText('E2E live: Sara answers first');
  await reza.getByRole('button', { name: 'Send', exact: true }).click();
  const refused = reza.locator('.stale-reply');
  await expect(refused).toContainText('while you were writing');
  await expect(reza.getByRole('textbox', { name: 'Reply' })).toHaveValue('E2E live: Reza answers');
  await reza.screenshot({ path: path.join(shots, 'live-refused.png'), fullPage: true });
  await refused.getByRole('button', { name: 'Send anyway' }).click();
  await expect(refused).toBeHidden();
  await expect(reza.locator('.thread')).toContainText('E2E live: Reza answers');
  await expect(sara.locator('.thread')).toContainText('E2E live: Reza answers');

  // Reza gives the conversation to Sara: she is told wherever she is.
  await reza.getByLabel('Assignee').selectOption({ label: 'Sara Nasser' });
  const notice = sara.locator('.notice');
  // The name is isolated from the sentence (U+2068…U+2069), so the two are checked apart.
  await expect(notice).toContainText('assigned you a conversation');
  await expect(notice).toContainText('رضا احمدی');
  await sara.screenshot({ path: path.join(shots, 'live-notice.png') });

  // Sara goes back to the list; Reza closes the conversation; it leaves her Open list.
  await sara.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Support/ }).click();
  await hydrated(sara);
  const row = sara.locator(`.conversation-list a[href="${href}"]`);
  await expect(row).toHaveCount(1);
  // Reza is still in it: his avatar is on its row.
  const rowItem = sara.locator('.conversation-row', { has: sara.locator(`a[href="${href}"]`) });
  await expect(rowItem.locator('.row-presence')).toContainText('ر');
  await reza.getByLabel('Status').selectOption('closed');
  await expect(row).toHaveCount(0);
  await sara.screenshot({ path: path.join(shots, 'live-list.png'), fullPage: true });

  await close();
});

test('a tab that lost its connection says so, and catches up once it is back', async ({ browser }) => {
  const { sara, reza, close } = await twoAgents(browser);
  // Sara's live socket goes through the test, which can cut it and refuse new ones.
  let offline = false;
  const open = [];
  await sara.routeWebSocket(/\/live$/, (socket) => {
    if (offline) {
      socket.close({ code: 1011, reason: 'e2e: offline' });
      return;
    }
    socket.connectToServer();
    open.push(socket);
  });
  await signIn(sara, 'sara@nour-store.example', 'sanduq-demo');
  await signIn(reza, 'reza@nour-store.example', 'sanduq-demo');
  await sara.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Support/ }).click();
  await hydrated(sara);
  const href = await sara.getByRole('list', { name: 'Conversations' }).getByRole('listitem').nth(1)
    .getByRole('link').getAttribute('href');
  await sara.goto(href);
  await hydrated(sara);
  await reza.goto(href);
  await hydrated(reza);
  await expect(sara.getByRole('status', { name: 'People here' })).toContainText('رضا احمدی is viewing');

  // The connection drops and stays down: Sara is told, and Reza's note cannot reach her.
  offline = true;
  for (const socket of open.splice(0)) await socket.close({ code: 1011, reason: 'e2e: cut' });
  await expect(sara.getByText('Reconnecting…')).toBeVisible();
  await reza.getByRole('tab', { name: 'Note' }).click();
  await reza.getByRole('textbox', { name: 'Note' }).fill('E2E: written while Sara was offline');
  await reza.getByRole('button', { name: 'Add note' }).click();
  await expect(reza.locator('.thread')).toContainText('E2E: written while Sara was offline');
  await sara.screenshot({ path: path.join(shots, 'live-reconnecting.png') });
  await expect(sara.locator('.thread')).not.toContainText('E2E: written while Sara was offline');

  // Back online: the tab reconnects, refetches, and the note is there without a reload.
  // The next attempt may be up to 15 s away (the tab's longest backoff, plus jitter).
  offline = false;
  await expect(sara.locator('.thread')).toContainText('E2E: written while Sara was offline', { timeout: 25_000 });
  await expect(sara.getByText('Reconnecting…')).toBeHidden();
  await expect(sara.getByRole('status', { name: 'People here' })).toContainText('رضا احمدی');

  await close();
});

test('a new socket that never says hello is given up, and the next one connects', async ({ browser }) => {
  const { sara, reza, close } = await twoAgents(browser);
  // A proxy that holds Sara's sockets open and says nothing, until it lets them through.
  let silent = true;
  let attempts = 0;
  await sara.routeWebSocket(/\/live$/, (socket) => {
    attempts += 1;
    if (!silent) socket.connectToServer();
  });
  await signIn(sara, 'sara@nour-store.example', 'sanduq-demo');
  await signIn(reza, 'reza@nour-store.example', 'sanduq-demo');
  await sara.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Support/ }).click();
  await hydrated(sara);
  const href = await sara.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first()
    .getByRole('link').getAttribute('href');
  await sara.goto(href);
  await hydrated(sara);
  const opened = attempts;
  // The tab gives the silent socket up after a few seconds, says it is reconnecting, and
  // opens another (the tab used to wait out three heartbeats, 30 s).
  await expect(sara.getByText('Reconnecting…')).toBeVisible({ timeout: 10_000 });
  await expect.poll(() => attempts, { timeout: 5_000 }).toBeGreaterThan(opened);

  silent = false;
  // The next attempt goes through (it may wait out a longer hello and a backoff first).
  await expect(sara.getByText('Reconnecting…')).toBeHidden({ timeout: 30_000 });
  await reza.goto(href);
  await hydrated(reza);
  await expect(sara.getByRole('status', { name: 'People here' })).toContainText('رضا احمدی is viewing');

  await close();
});
