import { loadScenario } from '../config/load.js';
import { UserError } from '../errors.js';
import { builtinData } from '../operations/builtin/index.js';
import type { LoadProgress } from '../operations/builtin/load.js';
import { createProvider, loadProviderModule } from '../providers/index.js';
import type { ProviderConfig } from '../providers/config.js';
import { registerDsnSecrets } from '../util/secrets.js';

export interface InitFlags {
  /** Overrides the workload's scale (then the scenario must say the same for a run to accept the tables). */
  scale?: number;
  /** Chunks loaded at once, each on its own connection. */
  parallel: number;
}

/**
 * `stampede init <scenario>`: loads the tables of the scenario's built-in workload into every
 * provider, fast (generated on the server where the dialect can, else batched transactions), keys
 * after the rows; progress on stderr, the load rate on stdout. Returns the exit code.
 */
export async function initCommand(file: string, flags: InitFlags): Promise<number> {
  const { scenario, baseDir } = loadScenario(file);
  const builtin = builtinData(scenario.workload, flags.scale);
  if (!builtin) {
    throw new UserError(
      `${file}: workload: nothing to initialise: init loads a built-in workload's tables (workload: {builtin: tpcb, scale: 10})`,
    );
  }
  for (const config of scenario.providers) {
    registerDsnSecrets(config.dsn);
    await loadProviderModule(config, baseDir);
    await initProvider(config, builtin, flags.parallel);
  }
  return 0;
}

async function initProvider(config: ProviderConfig, builtin: NonNullable<ReturnType<typeof builtinData>>, parallel: number): Promise<void> {
  const provider = createProvider({ ...config, options: { ...config.options, poolSize: parallel } });
  if (!provider.sharedAcrossInstances) {
    throw new UserError(
      `provider "${config.name}" (${config.provider}): every instance has a database of its own: there is nothing to initialise ahead of a run`,
    );
  }
  try {
    await provider.initialize();
    const loaded = await builtin.load(provider, progressLine(config.name), parallel);
    if (process.stderr.isTTY) process.stderr.write('\n');
    const rate = Math.round(loaded.rows / Math.max(0.001, loaded.loadMs / 1000));
    process.stdout.write(
      `${config.name}: ${builtin.name} scale ${builtin.scale}: ${loaded.rows.toLocaleString('en-US')} rows in ${(loaded.loadMs / 1000).toFixed(1)} s ` +
        `(${rate.toLocaleString('en-US')} rows/s), keys and statistics ${((loaded.totalMs - loaded.loadMs) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await provider.close().catch(() => {});
  }
}

/** One line rewritten in place on a terminal; a line per finished table otherwise. */
function progressLine(provider: string): LoadProgress {
  const started = Date.now();
  return (table, done, total) => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    const text = `${provider}: ${table} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} rows (${pct}%)`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}, ${Math.round(done / seconds).toLocaleString('en-US')} rows/s\x1b[K`);
    else if (done === total) process.stderr.write(`${text}\n`);
  };
}
