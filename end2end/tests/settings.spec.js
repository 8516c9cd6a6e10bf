// An admin manages the team in Settings: role, mailbox membership, deactivation, tags.
const { test, expect } = require('@playwright/test');
const path = require('path');

const shots = path.join(__dirname, '..', 'screenshots');

test('an admin changes a role, a membership and a tag, and deactivates someone', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/signin');
  await page.getByLabel('Email').fill('amal@e2e.test');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();

  const row = page.getByRole('row').filter({ hasText: 'reza@nour-store.example' });
  await row.getByLabel('Role رضا احمدی').selectOption('manager');
  await expect(row.getByLabel('Role رضا احمدی')).toHaveValue('manager');
  const returns = row.getByRole('checkbox', { name: /Returns/ });
  const wasMember = await returns.isChecked();
  await returns.setChecked(!wasMember);
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await expect(row).toContainText('Deactivated');

  await page.getByLabel('New tag').fill('E2E Urgent');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByLabel('Name e2e urgent')).toHaveValue('e2e urgent');
  await page.screenshot({ path: path.join(shots, 'settings.png'), fullPage: true });

  // Everything was saved: a reload shows it.
  await page.reload();
  const again = page.getByRole('row').filter({ hasText: 'reza@nour-store.example' });
  await expect(again.getByLabel('Role رضا احمدی')).toHaveValue('manager');
  await expect(again.getByRole('checkbox', { name: /Returns/ })).toBeChecked({ checked: !wasMember });
  await expect(again).toContainText('Deactivated');
  await again.getByRole('button', { name: 'Reactivate' }).click();
  await expect(again).toContainText('Active');
  await page.getByRole('button', { name: 'Delete e2e urgent' }).click();
  await expect(page.getByLabel('Name e2e urgent')).toHaveCount(0);
});
