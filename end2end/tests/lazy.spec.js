// Pages loaded on first visit: a mailbox list fetches none of their code; going to Settings
// keeps the list on screen with a loading bar until Settings' chunk is in; and a chunk that
// cannot be fetched says so in the reader's language with a Retry that works.
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
  await page.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Support/ }).click();
  await hydrated(page);
  await expect(page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first()).toBeVisible();
  expect(fetched.filter((f) => f.includes('split___')), 'the list needs no lazy page').toEqual([]);

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
