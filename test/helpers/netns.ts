import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Netns {
  name: string;
  /** The host's end of the link (where a server for the namespace listens) and the namespace's. */
  hostIp: string;
  nsIp: string;
  /** Prefix for a command run inside the namespace. */
  exec: string[];
  /** Takes the link down (a partition) or up again. */
  link(up: boolean): void;
  destroy(): void;
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: 'pipe' });

/**
 * A network namespace joined to the host by a veth pair on its own /30: a "host" of its own whose
 * link a test can cut. Names are unique (`stp` + random) and fit the 15-character limit.
 */
export function createNetns(): Netns {
  const tag = randomBytes(4).toString('hex');
  const name = `stp${tag}`;
  const [hostIf, nsIf] = [`stp${tag}h`, `stp${tag}n`];
  // A /30 in 10.213.0.0/16 chosen at random: two tests at once rarely pick the same one.
  const n = randomBytes(2).readUInt16BE() & 0x3ffc;
  const [a, b] = [n >> 8, n & 0xff];
  const hostIp = `10.213.${a & 0xff}.${b + 1}`;
  const nsIp = `10.213.${a & 0xff}.${b + 2}`;
  ip('netns', 'add', name);
  try {
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', name);
    ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('-n', name, 'addr', 'add', `${nsIp}/30`, 'dev', nsIf);
    ip('-n', name, 'link', 'set', nsIf, 'up');
    ip('-n', name, 'link', 'set', 'lo', 'up');
  } catch (err) {
    destroy();
    throw err;
  }
  function destroy(): void {
    // Deleting the namespace deletes its end of the pair, and with it the host's.
    try {
      ip('netns', 'del', name);
    } catch {
      /* already gone */
    }
    try {
      ip('link', 'del', hostIf);
    } catch {
      /* already gone */
    }
  }
  return {
    name,
    hostIp,
    nsIp,
    exec: ['ip', 'netns', 'exec', name],
    link: (up) => ip('link', 'set', hostIf, up ? 'up' : 'down'),
    destroy,
  };
}
