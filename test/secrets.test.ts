import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { carriesSecret, redact, redactDeep, registerDsnSecrets, registerSecret } from '../src/util/secrets.js';
import { createLogger } from '../src/log.js';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir, writeScenario } from './helpers/cli.js';

// Secrets are process-wide: each test registers its own, never a string another test uses.

test('a URL password is masked in every form a DSN takes, and nothing else is', () => {
  const cases: Array<[string, string]> = [
    ['postgres://app:hunter2@db:5432/x', 'postgres://app:***@db:5432/x'],
    ['POSTGRESQL://App:pw@db/x?sslmode=require', 'POSTGRESQL://App:***@db/x?sslmode=require'],
    ['nats+tls://u:p:with:colons/and/slashes@host', 'nats+tls://u:***@host'],
    ['x.y-z://:only-password@h', 'x.y-z://:***@h'],
    ['postgres://u:@h/db', 'postgres://u:***@h/db'],
    ['two: a://u:p1@h and b://v:p2@k.', 'two: a://u:***@h and b://v:***@k.'],
    ['connect failed (postgres://u:pw@h/db): refused', 'connect failed (postgres://u:***@h/db): refused'],
    ['1a://u:p@h', '1a://u:***@h'],
    // Not a password: no user separator, whitespace before the @, no scheme letter, no @ at all.
    ['postgres://user@h/db', 'postgres://user@h/db'],
    ['postgres://u:p h@x', 'postgres://u:p h@x'],
    ['12://u:p@h', '12://u:p@h'],
    ['https://example.com:8080/path', 'https://example.com:8080/path'],
    ['', ''],
  ];
  for (const [text, masked] of cases) assert.equal(redact(text), masked, JSON.stringify(text));
});

test('a key=value password is masked', () => {
  assert.equal(redact('host=db password=s3cr3t dbname=x'), 'host=db password=*** dbname=x');
  assert.equal(redact('password=abc'), 'password=***');
  assert.equal(redact('Server=x;Pwd=abc;Db=y'), 'Server=x;Pwd=***;Db=y');
  assert.equal(redact('postgres://h/db?user=u&pass=abc&x=1'), 'postgres://h/db?user=u&pass=***&x=1');
  assert.equal(redact('bypass=abc'), 'bypass=abc');
});

test('a registered secret is masked wherever it shows up, overlapping ones included', () => {
  registerSecret('tok-Alpha.7*(');
  assert.equal(redact('auth tok-Alpha.7*( failed; retry with tok-Alpha.7*('), 'auth *** failed; retry with ***');
  // Two secrets that overlap in the text: masking one first must not leave the other's tail.
  registerSecret('qwertyuiop');
  registerSecret('Zqwer');
  assert.equal(redact('[Zqwertyuiop]'), '[***]');
  assert.equal(redact('[qwertyuiopZqwer]'), '[******]');
  // A secret that overlaps itself.
  registerSecret('abaaba');
  assert.equal(redact('<abaabaaba>'), '<***>');
  registerSecret('ab'); // too short to mask without hiding ordinary text
  assert.equal(redact('about'), 'about');
});

test("a DSN's password is registered raw and decoded, and found outside the DSN", () => {
  registerDsnSecrets('postgres://u:p%40ss-reg1@h/db');
  assert.equal(redact('driver said: password p@ss-reg1 rejected'), 'driver said: password *** rejected');
  assert.equal(redact('raw p%40ss-reg1 here'), 'raw *** here');
  registerDsnSecrets('postgres://u:bad%ZZ-reg2@h/db');
  assert.equal(redact('echo bad%ZZ-reg2'), 'echo ***');
  registerDsnSecrets('host=h password=kv-reg3 dbname=x');
  assert.equal(redact('kv-reg3'), '***');
  registerDsnSecrets('x postgres://u:not-at-start-reg4@h');
  assert.equal(redact('not-at-start-reg4'), 'not-at-start-reg4', 'only a DSN that is itself a URL has a URL password');
});

test('redactDeep masks strings at any depth and secret-named fields; carriesSecret says so', () => {
  const value = { dsn: 'postgres://u:deep-pw@h/db', nested: [{ token: 'abc', note: 'ok' }], n: 3, password: 'x' };
  assert.deepEqual(redactDeep(value), { dsn: 'postgres://u:***@h/db', nested: [{ token: '***', note: 'ok' }], n: 3, password: '***' });
  assert.ok(carriesSecret(value));
  assert.ok(!carriesSecret({ dsn: 'postgres://u@h/db', n: 1 }));
});

test('a log line is masked once, in its message and its objects', () => {
  registerSecret('log-secret-5');
  let written = '';
  const destination = new Writable({ write: (chunk, _enc, done) => ((written += String(chunk)), done()) });
  const logger = createLogger({ level: 'info', pretty: false, destination });
  logger.info({ dsn: 'postgres://u:log-pw@h/db', deep: { msg: 'has log-secret-5' } }, 'connecting to %s', 'postgres://v:log-pw2@k');
  assert.ok(written.includes('postgres://u:***@h/db') && written.includes('postgres://v:***@k') && written.includes('has ***'), written);
  assert.ok(!/log-pw|log-secret-5/.test(written), written);
});

/** The reference: the patterns redaction used before it was made linear (quadratic, but exact). */
function referenceRedact(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]*)@/gi, '$1***@')
    .replace(/((?:^|[\s?&;])(?:password|pass|pwd)=)([^\s&;]+)/gi, '$1***');
}

test('the linear scan masks exactly what the reference patterns mask', () => {
  // Pieces that the patterns care about, joined at random: every edge shows up many times.
  const pieces = [
    'a',
    'Z',
    '7',
    '+',
    '.',
    '-',
    ':',
    '/',
    '@',
    ' ',
    '\n',
    '\t',
    '://',
    'x://',
    'u:',
    'password=',
    'pwd=',
    '&',
    ';',
    '?',
    '\u000b',
    'é',
  ];
  let seed = 42;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let k = 0; k < 50_000; k++) {
    let text = '';
    for (let len = random(24); len > 0; len--) text += pieces[random(pieces.length)];
    assert.equal(redact(text), referenceRedact(text), JSON.stringify(text));
  }
});

/** Nanoseconds per character: repeated until 20 ms have passed, so the timer's grain does not matter. */
function nsPerChar(text: string): number {
  let runs = 0;
  const t0 = performance.now();
  let elapsed: number;
  do {
    redact(text);
    runs++;
  } while ((elapsed = performance.now() - t0) < 20);
  return (elapsed * 1e6) / (runs * text.length);
}

function fastest(times: number, read: () => number): number {
  return Math.min(...Array.from({ length: times }, read));
}

test('redaction takes time linear in the text, whatever its shape', () => {
  registerSecret('abab-linear');
  const shapes: Record<string, (n: number) => string> = {
    // Each defeats a backtracking pattern: a long run of scheme letters, many `scheme://user:`
    // with no `@`, many real DSNs, many key=value pairs, a secret that overlaps itself.
    'one long word': (n) => 'a'.repeat(n),
    'scheme://user: without @': (n) => 'x://u:'.repeat(n / 6),
    'DSNs with passwords': (n) => 'pg://u:p@h '.repeat(n / 11),
    'key=value passwords': (n) => 'password=x '.repeat(n / 11),
    'overlapping secrets': (n) => 'abab-linear'.slice(0, 4).repeat(n / 4 - 3) + 'abab-linear',
    'SQL literal': (n) => `SELECT '${'lorem ipsum, dolor: sit/amet '.repeat(n / 29)}'`,
  };
  // 16× the length: per character, a linear pass costs the same, a quadratic one 16× more (the bound is 8×).
  const small = 4_000;
  const big = 64_000;
  for (const [name, make] of Object.entries(shapes)) {
    const [a, b] = [make(small), make(big)];
    redact(a); // compiled before it is timed
    // The fastest of five: a loaded machine only adds time (a preemption, a GC), and one 10 ms
    // stall in a 20 ms reading of the long text once read as 5.6×.
    const perCharSmall = fastest(5, () => nsPerChar(a));
    const perCharBig = fastest(5, () => nsPerChar(b));
    const ratio = perCharBig / perCharSmall;
    assert.ok(
      ratio < 8,
      `${name}: ${ratio.toFixed(1)}× the time per character at 16× the length (${perCharSmall.toFixed(1)} → ${perCharBig.toFixed(1)} ns)`,
    );
  }
});

test('a run whose SQL holds a 150 KB literal costs no more than one with a short one, and its secrets stay masked', async () => {
  const dir = tempDir();
  const scenario = (literal: string): string =>
    writeScenario(`providers:
  - { name: mem, provider: sqlite_memory, dsn: "sqlite://u:e2e-pw-771@unused" }
workload:
  - name: big
    type: query
    sql: "SELECT length('${literal}')"
profile: { type: constant-vus, vus: 1, duration: 1s }
`);
  // A literal the old patterns backtracked over, with a DSN password and the registered secret inside.
  const filler = 'abcdefgh'.repeat(75_000 / 8);
  const big = `${filler} postgres://app:inner-pw-772@db/x e2e-pw-771 ${filler}`;
  const timed = async (file: string, out: string): Promise<number> => {
    const t0 = performance.now();
    const r = await runCli(['run', file, '--workers', '1', '--out', out, '--no-live']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/inner-pw-772|e2e-pw-771/.test(r.stdout + r.stderr));
    return performance.now() - t0;
  };
  const baselineMs = await timed(scenario('short'), join(dir, 'short.json'));
  const bigMs = await timed(scenario(big), join(dir, 'big.json'));
  // The old patterns took about 30 s on this literal; the bound only has to tell that from noise.
  assert.ok(bigMs < baselineMs + 8_000, `${Math.round(bigMs)} ms with the literal, ${Math.round(baselineMs)} ms without`);

  const text = readFileSync(join(dir, 'big.json'), 'utf8');
  assert.ok(!/inner-pw-772|e2e-pw-771/.test(text), 'no secret in the report');
  const report = JSON.parse(text) as Report;
  const sql = JSON.stringify(report.scenario.definition);
  assert.ok(sql.includes('postgres://app:***@db/x *** '), 'the literal is in the report, masked');
  assert.ok(report.providers[0]!.total.ok > 0);
});
