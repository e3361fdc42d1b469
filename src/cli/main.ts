#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { redact } from '../config/redact.js';
import { UserError, errorMessage } from '../errors.js';
import { registeredKinds } from '../providers/index.js';
import { VERSION } from '../version.js';
import { duration, nonNegativeInt, positiveInt } from './options.js';
import { benchCommand } from './bench-command.js';
import { runCommand } from './run-command.js';

function program(): Command {
  const cli = new Command('stampede')
    .description('Compare database providers under realistic load')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: () => {} });

  cli
    .command('run')
    .description('run a scenario file (YAML or JSON) and write its report')
    .argument('<scenario>', 'scenario file')
    .option('--duration <duration>', "override the profile's duration (30s, 2m)", duration)
    .option('--vus <n>', "override the profile's virtual users", positiveInt)
    .option('--workers <n>', 'worker threads (0: in-process; default: CPU count)', nonNegativeInt)
    .option('--out <file>', 'report path (default: reports/<scenario>-<run>.json)')
    .option('--keep-data', "keep the tool's tables after the run")
    .option('--interleave <n>', 'run the providers in n alternating blocks, so machine drift hits all alike', positiveInt)
    .option('--no-live', 'no progress line per window')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .action(async (file: string, flags) => {
      process.exitCode = await runCommand(file, flags);
    });

  cli
    .command('bench')
    .description('run the benchmark suite against every provider of a config and compare them')
    .argument('<config>', 'bench config (YAML or JSON): providers, suite sizes')
    .option('--workers <n>', 'worker threads (0: in-process; default: CPU count, at most one per VU)', nonNegativeInt)
    .option('--out <file>', 'comparison report path (default: reports/<config>-bench-<time>.json)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .action(async (file: string, flags) => {
      process.exitCode = await benchCommand(file, flags);
    });

  cli
    .command('providers')
    .description('list the registered provider kinds')
    .action(() => {
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
