// What the end-to-end tests share: where screenshots go, signing in, and waiting for the
// WASM to take over the server-rendered page.
const { expect } = require('@playwright/test');
const fs = require('fs');
const net = require('net');
const path = require('path');

const shots = path.join(__dirname, '..', 'screenshots');
fs.mkdirSync(shots, { recursive: true });

/// Resolves once hydration has made the page live.
async function hydrated(page) {
  await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
}

/// Signs in from the sign-in page and waits for the app.
async function signIn(page, email, password) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await hydrated(page);
}

// A loopback port nothing listens on.
function closedPort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/// Resolves once the server at `origin` answers its health check (30 s at most).
async function waitForHealth(origin) {
  await expect.poll(async () => {
    try {
      return (await fetch(`${origin}/healthz`)).status;
    } catch {
      return 0;
    }
  }, { timeout: 30_000 }).toBe(200);
}

module.exports = { shots, hydrated, signIn, closedPort, waitForHealth };
