// The release bundle as an operator gets it: unpacked into an empty folder on a machine with
// no Rust or Node in the way, started from another folder with only SANDUQ_DATA_DIR set, and
// used in Chromium until the list hydrates. `make e2e` builds it and names it in SANDUQ_DIST.
const { test, expect } = require('@playwright/test');
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { shots, hydrated, waitForHealth } = require('./support');

const tarball = process.env.SANDUQ_DIST;
// The unpacked server listens where an operator's would by default.
const origin = 'http://127.0.0.1:3000';

test('the unpacked release serves a working, hydrating app', async ({ page }) => {
  test.skip(!tarball, 'SANDUQ_DIST names no bundle (run through make e2e)');
  test.setTimeout(120_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sanduq-dist-'));
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'sanduq-cwd-'));
  const data = path.join(root, 'data');
  execFileSync('tar', ['-xzf', tarball, '-C', root]);
  const [folder] = fs.readdirSync(root).filter((f) => f.startsWith('sanduq-'));
  const bin = path.join(root, folder, 'sanduq');
  for (const file of ['README.md', 'sanduq.service', 'Caddyfile', 'nginx.conf', 'site/pkg/sanduq.wasm.br']) {
    expect(fs.existsSync(path.join(root, folder, file)), file).toBe(true);
  }
  // Nothing but the data folder: no PATH, no LEPTOS_* variables, run from another folder.
  const env = { SANDUQ_DATA_DIR: data };
  expect(execFileSync(bin, ['--version'], { env, cwd: elsewhere }).toString()).toMatch(/^sanduq \d+\.\d+\.\d+ \(/);
  execFileSync(bin, ['demo'], { env, cwd: elsewhere, stdio: 'ignore' });
  const listening = await fetch(`${origin}/healthz`).then(() => true, () => false);
  expect(listening, 'nothing else may answer on the default port (is a `make run` up?)').toBe(false);
  const server = spawn(bin, ['serve'], { env, cwd: elsewhere, stdio: 'ignore' });
  try {
    await waitForHealth(origin);

    expect(server.exitCode, 'the bundled server is the one answering').toBeNull();
    await page.goto(`${origin}/signin`);
    await page.locator('input[name=email]').fill('sara@nour-store.example');
    await page.locator('input[name=password]').fill('sanduq-demo');
    await page.locator('form button[type=submit]').click();
    await hydrated(page);
    await page.locator('nav a[href^="/mailboxes/"]').first().click();
    await hydrated(page);
    await expect(page.locator('ul.conversation-list > li').first()).toBeVisible();
    // Served from the bundle's own site folder, compressed.
    const wasm = await page.request.get(`${origin}/pkg/sanduq.wasm`, { headers: { 'accept-encoding': 'br' } });
    expect(wasm.status()).toBe(200);
    expect(wasm.headers()['content-encoding']).toBe('br');
    await page.screenshot({ path: path.join(shots, 'dist-list.png') });
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});
