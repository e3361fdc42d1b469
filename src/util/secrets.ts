/**
 * Secrets never leave the process in a log line, a report or a message. Passwords are removed
 * from DSNs by pattern, and every secret the config declared is also masked wherever it shows up
 * verbatim (an error message from a driver, say).
 *
 * Every pass is linear in the text: a scenario may hold a 150 KB SQL literal, and a backtracking
 * pattern over it (or a split per secret that overlaps another) costs seconds per string.
 */
const MASK = '***';
const knownSecrets = new Set<string>();
/** Where a URL's user name and its password end (global: searched from a given index). */
const USER_END = /[:/@\s]/g;
const PASSWORD_END = /[@\s]/g;

/** Remembers a secret so that redact() masks it wherever it appears. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 3) knownSecrets.add(secret);
}

/** Registers the password of a DSN, if it has one. */
export function registerDsnSecrets(dsn: string | undefined): void {
  if (!dsn) return;
  const password = dsnPassword(dsn);
  if (password) {
    registerSecret(password);
    try {
      registerSecret(decodeURIComponent(password));
    } catch {
      // a malformed escape is still masked in its raw form
    }
  }
  for (const m of dsn.matchAll(/(?:^|[\s?&;])password=([^\s&;]+)/gi)) registerSecret(m[1]);
}

/** Sticky: tried at the start only, so it backtracks over one scheme and one user at most. */
const DSN_USER = /[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:/iy;

/** The password of a DSN that is a URL (`scheme://user:password@…`). */
function dsnPassword(dsn: string): string | undefined {
  DSN_USER.lastIndex = 0;
  if (!DSN_USER.exec(dsn)) return undefined;
  PASSWORD_END.lastIndex = DSN_USER.lastIndex;
  const end = PASSWORD_END.exec(dsn)?.index;
  return end !== undefined && dsn[end] === '@' ? dsn.slice(DSN_USER.lastIndex, end) : undefined;
}

/** Masks DSN passwords (URL and key=value forms) and every registered secret in a string. */
export function redact(text: string): string {
  return maskSecrets(maskKeyValuePasswords(maskUrlPasswords(text)));
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object' && value.constructor === Object) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = /^(password|secret|token|pass)$/i.test(k) && typeof v === 'string' ? MASK : redactDeep(v);
    }
    return out as T;
  }
  return value;
}

/** True when a value holds anything redaction would mask: it must not leave this host. */
export function carriesSecret(value: unknown): boolean {
  return JSON.stringify(redactDeep(value)) !== JSON.stringify(value);
}

/** The password is text[start, end); text[end] is the `@`. */
interface PasswordSpan {
  start: number;
  end: number;
}

/**
 * Every `scheme://user:password@` in the text, as `/[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]*)@/gi`
 * finds them, in one pass: that pattern backtracks over every run of letters and over every
 * password candidate, which is quadratic in the text.
 */
function urlPasswords(text: string): PasswordSpan[] {
  const spans: PasswordSpan[] = [];
  let after = 0; // the end of the previous match: a scheme starts at or after it
  // The first `@` or whitespace after the current password's start. Candidates only move right,
  // so the search resumes where it stopped, never re-reading text.
  let passwordEnd = -1;
  for (let sep = text.indexOf('://'); sep >= 0; sep = text.indexOf('://', sep + 1)) {
    if (!schemeBefore(text, sep, after)) continue;
    USER_END.lastIndex = sep + 3;
    const colon = USER_END.exec(text)?.index ?? text.length;
    if (text[colon] !== ':') continue;
    if (passwordEnd <= colon) {
      PASSWORD_END.lastIndex = colon + 1;
      passwordEnd = PASSWORD_END.exec(text)?.index ?? text.length;
    }
    if (text[passwordEnd] !== '@') continue;
    spans.push({ start: colon + 1, end: passwordEnd });
    after = passwordEnd + 1;
    sep = passwordEnd;
  }
  return spans;
}

/** A scheme (`[a-z][a-z0-9+.-]*`) ends at `sep`: the run of scheme characters before it holds a letter. */
function schemeBefore(text: string, sep: number, after: number): boolean {
  // Runs before two separators never overlap (`:` ends a run), so each character is read once.
  let letter = false;
  for (let i = sep - 1; i >= after; i--) {
    const c = text.charCodeAt(i);
    const lower = c | 0x20;
    if (lower >= 0x61 && lower <= 0x7a)
      letter = true; // A-Z a-z
    else if (!((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2e || c === 0x2d)) break; // 0-9 + . -
  }
  return letter;
}

function maskUrlPasswords(text: string): string {
  const spans = urlPasswords(text);
  if (spans.length === 0) return text;
  let out = '';
  let copied = 0;
  for (const { start, end } of spans) {
    out += text.slice(copied, start) + MASK;
    copied = end;
  }
  return out + text.slice(copied);
}

function maskKeyValuePasswords(text: string): string {
  // Linear: no part of the pattern can match the same text two ways.
  return text.replace(/((?:^|[\s?&;])(?:password|pass|pwd)=)([^\s&;]+)/gi, `$1${MASK}`);
}

/**
 * Masks every occurrence of every registered secret, overlapping ones included (masking one
 * secret first must not leave the tail of another that overlaps it), as one mask per covered span.
 */
function maskSecrets(text: string): string {
  // reach[i] > 0: a secret starting at i covers text up to reach[i]
  let reach: Uint32Array | undefined;
  for (const secret of knownSecrets) {
    for (let i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + 1)) {
      reach ??= new Uint32Array(text.length);
      reach[i] = Math.max(reach[i]!, i + secret.length);
    }
  }
  if (!reach) return text;
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const end = reach[i]!;
    if (end === 0) continue;
    if (i >= copied) out += text.slice(copied, i) + MASK;
    if (end > copied) copied = end;
  }
  return out + text.slice(copied);
}
