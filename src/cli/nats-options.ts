import { type Command, InvalidArgumentError, Option } from 'commander';
import { tokenSchema } from '../distributed/protocol.js';

/** The NATS flags `run` and `agent` share. Credentials may also come from the environment. */
export function natsOptions(cmd: Command, required: boolean): Command {
  const url = new Option('--nats <url>', 'NATS server(s), comma-separated (nats://host:4222)').argParser(natsUrl);
  if (required) url.makeOptionMandatory();
  return cmd
    .addOption(url)
    .option('--prefix <prefix>', 'subject prefix shared by the coordinator and its agents', subjectPrefix, 'stampede')
    .option('--secret <secret>', 'sign and require signed messages (HMAC); or set STAMPEDE_SECRET')
    .option('--nats-user <user>', 'NATS user')
    .option('--nats-pass <password>', 'NATS password; or set STAMPEDE_NATS_PASSWORD')
    .option('--nats-token <token>', 'NATS token; or set STAMPEDE_NATS_TOKEN')
    .option('--nats-creds <file>', 'NATS credentials file (JWT + nkey)')
    .option('--nats-tls-ca <file>', 'CA certificate for a TLS connection to NATS')
    .option('--nats-tls-cert <file>', 'client certificate for NATS')
    .option('--nats-tls-key <file>', 'client key for NATS')
    .option('--nats-tls-servername <name>', "the name NATS's certificate must hold, when the URL names another (an IP, say)");
}

/** An empty `--nats ""` (an unset variable, say) must not quietly run without agents. */
function natsUrl(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError('must name a server, e.g. nats://127.0.0.1:4222');
  return value;
}

function subjectPrefix(value: string): string {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(value))
    throw new InvalidArgumentError('must be subject tokens (letters, digits, _ -) separated by dots');
  return value;
}

/** `--agents 3` or `--agents east-1,east-2`. */
export function agentsWanted(value: string): number | string[] {
  if (/^\d+$/.test(value.trim())) {
    const n = Number(value);
    if (n > 0) return n;
  }
  const names = value.split(',').map((s) => s.trim());
  if (names.every((n) => tokenSchema.safeParse(n).success)) return names;
  throw new InvalidArgumentError('must be a count or a comma-separated list of agent names');
}

export function agentName(value: string): string {
  if (!tokenSchema.safeParse(value).success) throw new InvalidArgumentError('must be 1–64 letters, digits, _ or -');
  return value;
}
