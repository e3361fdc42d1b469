#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { redact } from '../config/redact.js';
import { UserError, errorMessage } from '../errors.js';
import { loadProviderModule, registeredKinds } from '../providers/index.js';
import { VERSION } from '../version.js';
import { duration, nonNegativeInt, positiveInt, positiveNumber, stages } from './options.js';
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
    .option('--rate <n>', "override an arrival-rate profile's rate (per its timeUnit, default per second)", positiveNumber)
    .option('--stages <list>', "override a ramping profile's stages, e.g. 30s:10,1m:50,30s:0", stages)
    .option('--workers <n>', 'worker threads (0: in-process; default: CPU count)', nonNegativeInt)
    .option('--out <file>', 'report path (default: reports/<scenario>-<run>.json)')
    .option('--keep-data', "keep the tool's tables after the run")
    .option('--no-live', 'no progress line per window')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .action(async (file: string, flags) => {
      process.exitCode = await runCommand(file, flags);
    });

  cli
    .command('providers')
    .description('list the registered provider kinds')
    .option('--module <file...>', 'also load custom provider modules (as a scenario\'s `module:` does)')
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
