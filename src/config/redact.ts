/**
 * Secrets never leave the process in a log line, a report or a message. Passwords are removed
 * from DSNs by pattern, and every secret the config declared is also masked wherever it shows up
 * verbatim (an error message from a driver, say).
 */
const MASK = '***';
const knownSecrets = new Set<string>();

/** Remembers a secret so that redact() masks it wherever it appears. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 3) knownSecrets.add(secret);
}

/** Registers the password of a DSN, if it has one. */
export function registerDsnSecrets(dsn: string | undefined): void {
  if (!dsn) return;
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]*)@/i.exec(dsn);
  if (url?.[1]) {
    registerSecret(url[1]);
    try {
      registerSecret(decodeURIComponent(url[1]));
    } catch {
      // a malformed escape is still masked in its raw form
    }
  }
  for (const m of dsn.matchAll(/(?:^|[\s?&;])password=([^\s&;]+)/gi)) registerSecret(m[1]);
}

/** Masks DSN passwords (URL and key=value forms) and every registered secret in a string. */
export function redact(text: string): string {
  let out = text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]*)@/gi, `$1${MASK}@`)
    .replace(/((?:^|[\s?&;])(?:password|pass|pwd)=)([^\s&;]+)/gi, `$1${MASK}`);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
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
