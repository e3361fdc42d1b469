#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { redact } from '../util/secrets.js';
import { UserError, errorMessage } from '../errors.js';
import { loadProviderModule, registeredKinds } from '../providers/index.js';
import { VERSION } from '../version.js';
import { scenarioJsonSchema } from '../config/json-schema.js';
import { blockCount, duration, port, positiveInt, positiveNumber, seed, stages, workerCount } from './options.js';
import { agentCommand, type AgentFlags } from './agent-command.js';
import { agentName, agentsWanted, natsOptions } from './nats-options.js';
import { benchCommand, type BenchFlags } from './bench-command.js';
import { reportCommand, type ReportFlags } from './report-command.js';
import { DASHBOARD_PORT, runCommand, type RunFlags } from './run-command.js';
import { RUN_HELP } from './run-help.js';
import { compareCommand, type CompareFlags, regressionMargin } from './compare-command.js';
import { initCommand, type InitFlags } from './init-command.js';

function program(): Command {
  const cli = new Command('stampede')
    .description('Compare database providers under realistic load')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });

  const run = cli
    .command('run')
    .description('run a scenario file (YAML, JSON, or a .ts/.js module exporting defineScenario({...})) and write its report')
    .argument('<scenario>', 'scenario file')
    .option('--duration <duration>', "override the profile's duration (30s, 2m)", duration)
    .option('--vus <n>', "override the profile's virtual users", positiveInt)
    .option('--rate <n>', "override an arrival-rate profile's rate (per its timeUnit, default per second)", positiveNumber)
    .option('--stages <list>', "override a ramping profile's stages, e.g. 30s:10,1m:50,30s:0", stages)
    .option('--workers <n>', 'worker threads (0: in-process; default: CPU count)', workerCount)
    .option('--out <file>', 'report path (default: reports/<scenario>-<run>.json)')
    .option('--keep-data', "keep the tool's tables after the run")
    .option('--interleave <n>', 'run the providers in n alternating blocks, so machine drift hits all alike', blockCount)
    .option('--seed <n>', "seed of the VUs' random streams (default: the scenario's seed:, else a random one, kept in the report)", seed)
    .option('--no-live', 'no progress line per window')
    .option('--html <file>', 'also write the self-contained HTML report (charts and tables; opens offline)')
    .option('--dashboard [port]', `serve a live dashboard on 127.0.0.1 (default port ${DASHBOARD_PORT}; 0: any free port)`, port)
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .option('--agents <n|names>', 'agents to run on with --nats: a count, or names separated by commas (default: 1)', agentsWanted)
    .addOption(new Option('--agent-timeout <duration>', 'how long to wait for the agents').argParser(duration).default(10_000, '10s'))
    .option('--no-local', 'no local workers: the agents take all the load')
    .addOption(
      new Option('--on-agent-loss <policy>', 'when an agent goes silent mid-run').choices(['continue', 'abort']).default('continue'),
    )
    .addOption(
      new Option('--agent-loss-after <duration>', 'silence after which a running agent is lost').argParser(duration).default(7000, '7s'),
    )
    .addOption(
      new Option('--ready-timeout <duration>', 'how long workers and agents may take to be ready to start')
        .argParser(duration)
        .default(60_000, '60s'),
    )
    .option('--junit <file>', 'also write the thresholds as JUnit XML (one test case per threshold and provider)')
    .option('--summary-md <file>', 'also write a Markdown summary (for a CI job summary)');
  natsOptions(run, false)
    .addHelpText('after', RUN_HELP)
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags);
    });

  cli
    .command('report')
    .description('render a saved run report (JSON) as a self-contained HTML page')
    .argument('<report>', 'run report written by `stampede run`')
    .option('--html <file>', 'HTML file to write')
    .action((file: string, flags: ReportFlags) => {
      process.exitCode = reportCommand(file, flags);
    });

  cli
    .command('init')
    .description("load the tables of the scenario's built-in workload (TPC-B, YCSB) into every provider")
    .argument('<scenario>', 'scenario file')
    .option('--scale <n>', "override the workload's scale", positiveInt)
    .option('--parallel <n>', 'chunks loaded at once, each on its own connection', positiveInt, 2)
    .action(async (file: string, flags: InitFlags) => {
      process.exitCode = await initCommand(file, flags);
    });

  const agent = cli
    .command('agent')
    .description('run workers for a coordinator reached over NATS, until stopped')
    .option('--name <name>', 'agent name (default: host and pid)', agentName)
    .option('--workers <n>', 'worker threads', positiveInt, availableParallelism())
    .option('--providers <file>', "this agent's own provider file: their DSNs never cross NATS")
    .addOption(
      new Option('--dead-man <duration>', 'silence from the coordinator after which the load stops')
        .argParser(duration)
        .default(5000, '5s'),
    )
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default('info'));
  natsOptions(agent, true).action(async (flags: AgentFlags) => {
    process.exitCode = await agentCommand(flags);
  });

  cli
    .command('bench')
    .description('run the benchmark suite against every provider of a config and compare them')
    .argument('<config>', 'bench config (YAML or JSON): providers, suite sizes')
    .option('--workers <n>', 'worker threads (0: in-process; default: CPU count, at most one per VU)', workerCount)
    .option('--out <file>', 'comparison report path (default: reports/<config>-bench-<time>.json)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .action(async (file: string, flags: BenchFlags) => {
      process.exitCode = await benchCommand(file, flags);
    });

  cli
    .command('compare')
    .description('compare two saved run reports, provider by provider and operation by operation; exit 5 on a regression')
    .argument('<base>', 'the baseline run report (JSON)')
    .argument('<new>', 'the new run report (JSON)')
    .option(
      '--fail-on-regression <margin>',
      'call a significant slowdown a regression only beyond this margin (default 5%)',
      regressionMargin,
    )
    .option('--force', 'compare reports of different scenarios')
    .option('--junit <file>', 'also write the verdicts as JUnit XML (one test case per provider and operation)')
    .option('--summary-md <file>', 'also write a Markdown summary (for a CI job summary)')
    .action((base: string, candidate: string, flags: CompareFlags) => {
      process.exitCode = compareCommand(base, candidate, flags);
    });

  cli
    .command('schema')
    .description('print the JSON Schema of scenario files, for editors (# yaml-language-server: $schema=<file>)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
    });

  cli
    .command('providers')
    .description('list the registered provider kinds')
    .option('--module <file...>', "also load custom provider modules (as a scenario's `module:` does)")
    .action(async (flags: { module?: string[] }) => {
      for (const module of flags.module ?? []) await loadProviderModule({ name: module, provider: '', module }, process.cwd());
      process.stdout.write(`${registeredKinds().join('\n')}\n`);
    });
  return cli;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    process.exitCode = report(err);
  }
}

/** One line, no stack trace: 2 for bad input, 1 for a failed run. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0;
    process.stderr.write(`stampede: ${err.message.replace(/^error: /, '')}\n`);
    return 2;
  }
  process.stderr.write(`stampede: ${redact(errorMessage(err))}\n`);
  if (process.env.STAMPEDE_DEBUG && err instanceof Error) process.stderr.write(`${redact(err.stack ?? '')}\n`);
  return err instanceof UserError ? 2 : 1;
}

await main(process.argv);
