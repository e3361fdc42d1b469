import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redactDeep, redact } from './util/secrets.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Pretty output for people; JSON lines otherwise (default: pretty when stderr is a TTY). */
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

/**
 * The one logger, owned by the main thread (workers send events, never log). Every string and
 * object passes through redaction, so a DSN password cannot reach a log line.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const human = options.pretty ?? Boolean(process.stderr.isTTY);
  const base: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: undefined,
    // Every argument, the merged object included, passes here once (a second pass in
    // formatters.log would only double the cost of a line that carries a large object).
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redact(a) : redactDeep(a))) as Parameters<typeof method>);
      },
    },
  };
  if (options.destination) return pino(base, options.destination);
  // Synchronous streams: a log line written just before exit is never lost.
  if (human) return pino(base, pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname' }));
  return pino(base, pino.destination({ dest: 2, sync: true }));
}

/** A logger that writes nothing, for the library API when the caller passes none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
