// The first minutes of a new agent: sign in, see the signed-in shell, sign out.
const { test, expect } = require('@playwright/test');
const fs = require('fs');
const path = require('path');

const PASSWORD = 'correct horse battery';
const shots = path.join(__dirname, '..', 'screenshots');
fs.mkdirSync(shots, { recursive: true });

async function signIn(page, email, password = PASSWORD) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an agent signs in, sees the shell, and signs out', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Sanduq' })).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'signin.png') });

  await signIn(page, 'sara@e2e.test');
  // Home is her most useful view: her own conversations, or the unassigned ones.
  await expect(page).toHaveURL(/\/views\/(mine|unassigned)$/);
  const mailboxes = page.getByRole('navigation', { name: 'Mailboxes' });
  await expect(mailboxes.getByRole('link', { name: /Support/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Account' })).toContainText('Sara Haddad');

  // The WASM has taken over: the account menu opens on click.
  await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
  await mailboxes.getByRole('link', { name: /Support/ }).click();
  await expect(page.getByRole('heading', { name: 'Support' })).toBeVisible();
  await expect(page.getByText('support@nour-store.example')).toBeVisible();
  const list = page.getByRole('list', { name: 'Conversations' });
  await expect(list.getByRole('listitem')).toHaveCount(50);
  await page.screenshot({ path: path.join(shots, 'shell.png') });
  const firstSubject = await list.locator('.subject').first().innerText();
  await list.getByRole('listitem').first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(firstSubject);
  await expect(page.getByRole('region', { name: 'Messages' }).getByRole('article').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'conversation.png'), fullPage: true });
  await page.getByRole('link', { name: 'Support' }).first().click();
  await page.getByRole('navigation', { name: 'Filter by status' }).getByRole('link', { name: 'Waiting' }).click();
  await expect(page).toHaveURL(/view=waiting/);
  await expect(list.getByRole('listitem').first()).toContainText('Waiting on customer');
  await page.getByRole('link', { name: 'Older conversations' }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByRole('link', { name: 'Back to the newest' })).toBeVisible();

  // The views across mailboxes: Sara's own conversations (none yet), then all open ones.
  const views = page.getByRole('navigation', { name: 'Views' });
  await views.getByRole('link', { name: 'Mine' }).click();
  await expect(page.getByRole('heading', { name: 'Mine', level: 1 })).toBeVisible();
  await expect(page.getByText('Nothing here')).toBeVisible();
  await views.getByRole('link', { name: 'All open' }).click();
  await expect(page.getByRole('list', { name: 'Conversations' }).getByRole('listitem')).toHaveCount(50);
  // The sidebar marks the list shown and nothing else: not every tag, whose links share the
  // view's path; and a tag's list marks only that tag.
  const current = page.locator('.sidebar a[aria-current="page"]');
  await expect(current).toHaveCount(1);
  await expect(current).toContainText('All open');
  const tags = page.getByRole('navigation', { name: 'Tags' });
  await tags.getByRole('link', { name: /shipping/ }).click();
  await expect(page).toHaveURL(/tag=shipping/);
  await expect(current).toHaveCount(1);
  await expect(current).toContainText('shipping');
  // Another view narrowed to a tag by the filter bar is still that view.
  await page.goto('/views/mine?tag=shipping');
  await expect(current).toHaveCount(1);
  await expect(current).toContainText('Mine');

  await page.getByRole('button', { name: 'Account' }).click();
  await expect(page.getByRole('menu')).toContainText('sara@e2e.test');
  await page.screenshot({ path: path.join(shots, 'account-menu.png') });
  await page.getByRole('menuitem', { name: 'Sign out' }).click();

  await expect(page).toHaveURL(/\/signin\?notice=signed_out$/);
  await expect(page.getByText('You have signed out.')).toBeVisible();
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
});

test('a wrong password gets one plain message', async ({ page }) => {
  await page.goto('/signin');
  await signIn(page, 'sara@e2e.test', 'not my password');
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await expect(page.getByLabel('Email')).toHaveValue('sara@e2e.test');
  await page.screenshot({ path: path.join(shots, 'signin-error.png') });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('signing in still works', async ({ page }) => {
    await page.goto('/mailboxes/00000000-0000-7000-8000-000000000000');
    await expect(page).toHaveURL(/\/signin\?next=/);
    await signIn(page, 'amal@e2e.test');
    // The admin lands on the page they asked for; it does not exist, so a real 404 page.
    await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Support/ })).toBeVisible();
  });
});

test.describe('in Arabic', () => {
  test.use({ locale: 'ar-SA' });

  test('the pages read right to left', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/signin');
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
    await page.screenshot({ path: path.join(shots, 'signin-ar.png') });
    await page.getByLabel('البريد الإلكتروني').fill('sara@e2e.test');
    await page.getByLabel('كلمة المرور').fill(PASSWORD);
    await page.getByRole('button', { name: 'تسجيل الدخول' }).click();
    await expect(page.getByRole('navigation', { name: 'صناديق البريد' }).getByRole('link', { name: /Support/ })).toBeVisible();
    await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
    await page.getByRole('navigation', { name: 'صناديق البريد' }).getByRole('link', { name: /Support/ }).click();
    await expect(page.getByRole('list', { name: 'المحادثات' }).getByRole('listitem').first()).toBeVisible();
    await page.getByRole('button', { name: 'الحساب' }).click();
    await expect(page.getByRole('menuitem', { name: 'تسجيل الخروج' })).toBeVisible();
    await page.screenshot({ path: path.join(shots, 'shell-ar.png') });
  });
});
