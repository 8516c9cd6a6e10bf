// Real mail servers for the end-to-end tests, as the Rust tests have them
// (server/backend/src/testing/mailservers.rs): Dovecot (Debian `dovecot-imapd`) with a
// throwaway config and one user, and an SMTP server (Debian `python3-aiosmtpd`) that asks for
// the same user's password and writes every mail it accepts to a folder. Both on loopback,
// in a temp dir, stopped by `stop()`. `make test-tools` installs both packages.
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { expect } = require('@playwright/test');
const { closedPort } = require('./support');

const USER = 'support';
const PASSWORD = 'dovecot-test-password';

/// Resolves once something listens on `port` (20 s at most).
async function listening(port, what) {
  const net = require('net');
  await expect.poll(() => new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  }), { timeout: 20_000, message: `${what} listens on ${port}` }).toBe(true);
}

/// What stops a server: its process ended (and waited for), then its temp dir removed.
function stopper(child, root) {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
}

/// Dovecot with the one user `support` and an empty INBOX.
async function dovecot() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sanduq-dovecot-'));
  const port = await closedPort();
  const isRoot = process.getuid && process.getuid() === 0;
  // As root, Dovecot runs mail processes as the user the userdb names, never as root.
  const [uid, gid] = isRoot ? [65534, 65534] : [process.getuid(), process.getgid()];
  for (const sub of ['run', 'state', 'mail', 'home']) fs.mkdirSync(path.join(root, sub));
  fs.writeFileSync(path.join(root, 'passwd'), `${USER}:{PLAIN}${PASSWORD}\n`);
  fs.writeFileSync(path.join(root, 'dovecot.conf'), [
    `base_dir = ${root}/run`, `state_dir = ${root}/state`, `log_path = ${root}/dovecot.log`,
    'protocols = imap', 'listen = 127.0.0.1', 'ssl = no', 'disable_plaintext_auth = no',
    'auth_mechanisms = plain login', `mail_location = maildir:${root}/mail/%u`,
    'first_valid_uid = 1', 'first_valid_gid = 1',
    `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
    `passdb {\n  driver = passwd-file\n  args = ${root}/passwd\n}`,
    `userdb {\n  driver = static\n  args = uid=${uid} gid=${gid} home=${root}/home/%u\n}`,
    '',
  ].join('\n'));
  if (isRoot) {
    fs.chmodSync(root, 0o755);
    execFileSync('chown', ['-R', '65534:65534', path.join(root, 'mail'), path.join(root, 'home')]);
  }
  const child = spawn('dovecot', ['-F', '-c', path.join(root, 'dovecot.conf')], { stdio: 'ignore' });
  await listening(port, 'Dovecot');
  return { port, user: USER, password: PASSWORD, stop: stopper(child, root) };
}

const SINK = `
import json, os, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, folder, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode(), sys.argv[4].encode()

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password
    return AuthResult(success=ok)

class Sink:
    async def handle_DATA(self, server, session, envelope):
        name = "%d" % time.time_ns()
        with open(os.path.join(folder, name + ".tmp"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(folder, name + ".json"), "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        os.rename(os.path.join(folder, name + ".tmp"), os.path.join(folder, name + ".eml"))
        return "250 2.0.0 queued as " + name

controller = Controller(Sink(), hostname="127.0.0.1", port=port, decode_data=False,
                        authenticator=authenticator, auth_required=True, auth_require_tls=False)
controller.start()
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
`;

/// The SMTP server: it takes mail only after AUTH as `support`, like a provider's.
async function smtpSink() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sanduq-smtp-'));
  const mail = path.join(root, 'mail');
  fs.mkdirSync(mail);
  fs.writeFileSync(path.join(root, 'sink.py'), SINK);
  const port = await closedPort();
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const log = fs.openSync(path.join(root, 'sink.log'), 'w');
  const child = spawn(python, [path.join(root, 'sink.py'), String(port), mail, USER, PASSWORD],
    { stdio: ['ignore', 'ignore', log] });
  await listening(port, 'the SMTP server');

  /// Every mail received so far, oldest first: `{ to, raw }`.
  const received = () => fs.readdirSync(mail).filter((n) => n.endsWith('.eml')).sort().map((n) => ({
    to: JSON.parse(fs.readFileSync(path.join(mail, n.replace(/\.eml$/, '.json')), 'utf8')).to,
    raw: fs.readFileSync(path.join(mail, n), 'utf8'),
  }));
  return { port, user: USER, password: PASSWORD, received, stop: stopper(child, root) };
}

/// The text of a mail's body parts, quoted-printable and base64 undone (enough for links).
function mailText(raw) {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  return parts.map((part) => {
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) return '';
    const head = part.slice(0, split);
    const body = part.slice(split).trim();
    if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body, 'base64').toString('utf8');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    return body;
  }).join('\n');
}

/// The six-digit code an authenticator app shows for the base32 `key` in time step `step`
/// (RFC 6238: HMAC-SHA1 over the step, 30 s steps).
function totp(key, step = Math.floor(Date.now() / 30_000)) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of key.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const secret = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = require('crypto').createHmac('sha1', secret).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

module.exports = { dovecot, smtpSink, mailText, totp };
