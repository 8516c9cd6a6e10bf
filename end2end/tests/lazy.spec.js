// Pages loaded on first visit: a mailbox list fetches none of their code but the conversation
// page's, which it asks the browser to prefetch so a conversation opens from the cache; going
// to Settings keeps the list on screen with a loading bar until Settings' chunk is in; and a
// chunk that cannot be fetched says so in the reader's language with a Retry that works.
const { test, expect } = require('@playwright/test');
const path = require('path');
const { shots, hydrated, signIn } = require('./support');

const PASSWORD = 'correct horse battery';

test('Settings loads its code on first visit, in place, and says so when it cannot', async ({ page }) => {
  const fetched = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/pkg/')) fetched.push(url.pathname);
  });
  await signIn(page, 'amal@e2e.test', PASSWORD);
  // Signing in lands on the home page, a chunk of its own; a list opened by its address
  // needs only the main bundle (and prefetches the conversation's chunks).
  const list = await page.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Support/ })
    .getAttribute('href');
  fetched.length = 0;
  await page.goto(list);
  await hydrated(page);
  await expect(page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first()).toBeVisible();
  expect(
    fetched.filter((f) => f.includes('split___') && !f.includes('split___conversation_')),
    'the list needs no lazy page but the conversation',
  ).toEqual([]);

  // A slow chunk: the list stays, with the loading bar, until Settings is in.
  await page.route('**/pkg/split___settings_*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.locator('.routing.active')).toHaveCount(1);
  await expect(page.getByRole('list', { name: 'Conversations' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(page.locator('.routing.active')).toHaveCount(0);
  expect(fetched.some((f) => f.includes('split___settings_'))).toBe(true);
  await page.unroute('**/pkg/split___settings_*');
});

test.describe('in Arabic', () => {
  test.use({ locale: 'ar-SA' });

  test('a page whose code cannot be fetched says so, and Retry brings it', async ({ page }) => {
    await page.goto('/signin');
    await page.locator('input[name=email]').fill('amal@e2e.test');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('form button[type=submit]').click();
    await hydrated(page);
    // The server was updated, or the network dropped: the chunk does not come.
    await page.route('**/pkg/split___mail_servers_*', (route) => route.abort());
    await page.goto('/settings');
    await hydrated(page);
    await page.locator('a[href^="/settings/mailboxes/"]').first().click();
    const banner = page.locator('#app-broken');
    await expect(banner).toBeVisible();
    await expect(banner).toHaveAttribute('role', 'alert');
    await expect(banner).toContainText('تعذّر تحميل هذه الصفحة');
    await page.screenshot({ path: path.join(shots, 'lazy-broken-ar.png') });

    await page.unroute('**/pkg/split___mail_servers_*');
    await banner.getByRole('link', { name: 'إعادة المحاولة' }).click();
    await hydrated(page);
    await expect(page.locator('#app-broken')).toHaveCount(0);
    // Retry goes where the agent was going, not back to the page before.
    await expect(page).toHaveURL(/\/settings\/mailboxes\//);
  });
});

test('a list prefetches the conversation page, which then opens from the browser cache', async ({ page }) => {
  // What the browser itself says of each chunk request: from the network, or its cache.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => {
    if (request.url.includes('/pkg/split___conversation_')) requests.set(requestId, { url: request.url, cached: false, done: false });
  });
  cdp.on('Network.requestServedFromCache', ({ requestId }) => {
    if (requests.has(requestId)) requests.get(requestId).cached = true;
  });
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const r = requests.get(requestId);
    if (r) Object.assign(r, { done: true, cached: r.cached || response.fromDiskCache || response.fromPrefetchCache });
  });
  const responses = () => [...requests.values()].filter((r) => r.done);
  await signIn(page, 'amal@e2e.test', PASSWORD);
  await page.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Support/ }).click();
  await hydrated(page);
  const hints = page.locator('head link[rel=prefetch][href*="/pkg/split___conversation_"]');
  await expect(hints.first()).toHaveAttribute('href', /\.wasm$/);
  const prefetched = await hints.count();
  // The browser fetches them once the list is loaded.
  await expect.poll(() => responses().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(prefetched);
  expect(responses().every((r) => !r.cached), 'the prefetch came from the network').toBe(true);

  const before = requests.size;
  await page.getByRole('list', { name: 'Conversations' }).getByRole('link').first().click();
  await expect(page).toHaveURL(/\/conversations\//);
  await expect(page.locator('section.thread')).toBeVisible();
  const opened = [...requests.values()].slice(before);
  expect(opened.length, 'opening a conversation asks for its chunks').toBeGreaterThan(0);
  expect(opened.every((r) => r.cached), `opened from the cache: ${JSON.stringify(opened)}`).toBe(true);

  // Opened by its address, the conversation preloads its own chunks and prefetches nothing;
  // Settings, opened first, prefetches them too.
  const html = await (await page.request.get(page.url())).text();
  expect(html).toMatch(/<link[^>]*href="\/pkg\/split___conversation_[^"]*\.wasm" rel="preload"/);
  expect(html).not.toContain('rel="prefetch"');
  await page.goto('/settings');
  await hydrated(page);
  await expect(hints).toHaveCount(prefetched);
  // Every time, not every other time: a page opened by its address names its own chunks.
  for (let i = 0; i < 5; i++) {
    const settings = await (await page.request.get('/settings')).text();
    expect(settings).toMatch(/<link[^>]*href="\/pkg\/split___settings_[^"]*\.wasm" rel="preload"/);
  }
});
