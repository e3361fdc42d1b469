// `npm run bench [-- name…]`: runs every bench module (or the named ones) in turn.
import { BenchInputError, benchRepeats, benchSeconds, soakSeconds } from './lib.js';

const MODULES: Record<string, { about: string; load: () => Promise<{ bench: () => Promise<void> }> }> = {
  perf: {
    about:
      'issue 14: each path vs its raw driver loop or pgbench, CPU per op; RSS of 100k/1M VUs; latency vs pgbench (runs: 5 s, 3 repeats)',
    load: () => import('./perf.js'),
  },
  soak: {
    about: 'constant-arrival-rate on PostgreSQL: RSS, late windows, lag p99 at the start vs the end (BENCH_SOAK_SECONDS, 600 s)',
    load: () => import('./soak.js'),
  },
  profiles: {
    about: 'arrival rates vs pgbench -R; 100 000 idle VUs vs bare loops (runs: 5 s, 1 repeat)',
    load: () => import('./profiles.js'),
  },
  providers: { about: 'each provider vs its driver used directly (rounds: 1 s, 5 repeats)', load: () => import('./providers.js') },
  distributed: {
    about: '2 agents vs 1 process over NATS; merging 100 agents x 60 windows (runs: 5 s, 3 repeats)',
    load: () => import('./distributed.js'),
  },
  coordinator: {
    about: 'replaying 1,000 agents x 60 windows through the merge and the report, closed and open model (3 fresh processes each)',
    load: () => import('./coordinator.js'),
  },
  html: {
    about: 'HTML report size and first paint in headless chromium: 10 × 20 × 3,600 windows vs 1 × 1 × 60 (3 loads)',
    load: () => import('./html.js'),
  },
  workloads: {
    about: 'TPC-B scale 10 vs pgbench -M prepared/extended; init vs pgbench -i; generated vs fixed params (runs: 5 s, 1 repeat)',
    load: () => import('./workloads.js'),
  },
  compare: {
    about: 'what interleaved blocks cost the benchmark suite (400 iterations per second, 3 repeats)',
    load: () => import('./compare.js'),
  },
  mysql: {
    about: 'point select: mariadb kind vs sysbench oltp_point_select; MariaDB vs PostgreSQL (runs: 5 s, 3 repeats)',
    load: () => import('./mysql.js'),
  },
};

const USAGE = `usage: npm run bench [-- <bench>…]     (all of them when none is named)

benches:
${Object.entries(MODULES)
  .map(([name, m]) => `  ${name.padEnd(12)} ${m.about}`)
  .join('\n')}

environment:
  BENCH_SECONDS      length of each measured run, in seconds (default: per bench, above)
  BENCH_REPEATS      alternating rounds per figure, median printed (default: per bench, above)
  BENCH_SOAK_SECONDS length of the soak run (default 600)
  BENCH_PG_DSN       PostgreSQL for perf, soak and providers (default postgres://postgres@127.0.0.1:5432/postgres)
  BENCH_NATS         NATS for distributed (default nats://127.0.0.1:4222)
  BENCH_MYSQL_DSN    MySQL/MariaDB for mysql (default mysql://root@127.0.0.1:3306/test)
`;

function badInput(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const wanted = process.argv.slice(2);
if (wanted.includes('--help') || wanted.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const names = Object.keys(MODULES).join(', ');
for (const name of wanted) {
  if (name.startsWith('-')) badInput(`unknown option ${name} (--help for usage)`);
  if (!(name in MODULES)) badInput(`unknown bench "${name}" (benches: ${names})`);
}
try {
  benchSeconds(1);
  benchRepeats(1);
  soakSeconds();
} catch (err) {
  if (err instanceof BenchInputError) badInput(err.message);
  throw err;
}

for (const [name, { load }] of Object.entries(MODULES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`\n# bench: ${name}\n`);
  await (await load()).bench();
}
