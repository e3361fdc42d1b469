import { runAgent } from '../distributed/agent.js';
import { type NatsFlags, natsFlagsFromEnv } from '../distributed/bus.js';
import { createLogger } from '../log.js';

export interface AgentFlags extends NatsFlags {
  name?: string;
  workers: number;
  providers?: string;
  deadMan: number;
  logLevel: string;
}

/** `stampede agent`: runs until SIGINT or SIGTERM, then leaves cleanly. */
export async function agentCommand(flags: AgentFlags): Promise<number> {
  const logger = createLogger({ level: flags.logLevel });
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await runAgent({ ...natsFlagsFromEnv(flags), deadManMs: flags.deadMan, logger }, controller.signal);
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
