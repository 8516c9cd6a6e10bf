// An admin connects a mailbox to its mail servers in Settings: "Test connection" answers in
// words, the password is saved but never shown again, and sync health names the problem.
const { test, expect } = require('@playwright/test');
const path = require('path');

const { shots, closedPort } = require('./support');

test('an admin tests, saves and watches a mailbox’s mail servers', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/signin');
  await page.getByLabel('Email').fill('amal@e2e.test');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
  await page.getByRole('link', { name: 'Settings' }).click();
  const wholesale = page.locator('.settings-item').filter({ hasText: 'wholesale@e2e.test' });
  await wholesale.getByRole('link', { name: 'Mail servers' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Wholesale');
  await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);

  const port = String(await closedPort());
  const imap = page.getByRole('group', { name: 'Incoming mail (IMAP)' });
  const smtp = page.getByRole('group', { name: 'Outgoing mail (SMTP)' });
  for (const server of [imap, smtp]) {
    await server.getByLabel('Server').fill('127.0.0.1');
    await server.getByLabel('Port').fill(port);
    await server.getByLabel('Security').selectOption('none');
    await server.getByLabel('User name').fill('wholesale');
    await server.getByLabel('Password').fill('app-password-1');
  }
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.locator('.check-result');
  await expect(result).toContainText('IMAP: does not work');
  await expect(result).toContainText(`127.0.0.1 port ${port} refused the connection`);
  await expect(result).toContainText('SMTP: does not work');

  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  // Sync health names the problem once the worker has tried.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('td.problem')).toContainText('refused the connection', { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await page.screenshot({ path: path.join(shots, 'mail-servers.png'), fullPage: true });

  // After a reload the settings are kept and the password is stored but never shown.
  await expect(imap.getByLabel('Server')).toHaveValue('127.0.0.1');
  await expect(imap.getByLabel('Port')).toHaveValue(port);
  await expect(imap.getByLabel('Password (saved; type to change it)')).toHaveValue('');
  expect(await page.content()).not.toContain('app-password-1');
});
