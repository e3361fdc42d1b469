import type { Logger } from '../log.js';
import type { Bus } from './bus.js';
import { RESEND_KEEP_MS } from './protocol.js';

/** Sent again after a reconnect: what went out this long before the connection dropped may be lost too. */
const RESEND_MARGIN_MS = 3000;

/**
 * What an agent sent lately about each plan, kept a while to send again: the NATS client drops
 * what is published while it is disconnected, and a coordinator cut off asks for it.
 */
export class Outbox {
  private readonly plans = new Map<string, { subject: string; sent: Array<{ at: number; message: object }> }>();

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  send(planId: string, subject: string, message: object): void {
    const plan = this.plans.get(planId) ?? { subject, sent: [] };
    this.plans.set(planId, plan);
    const now = Date.now();
    plan.sent.push({ at: now, message });
    while (plan.sent.length && plan.sent[0]!.at < now - RESEND_KEEP_MS) plan.sent.shift();
    this.bus.publish(subject, message);
  }

  /** Sends again what went out in the last `lastMs` (and a margin before), for one plan or all. */
  resend(planId: string | undefined, lastMs: number): void {
    const since = Date.now() - lastMs - RESEND_MARGIN_MS;
    for (const [id, plan] of this.plans) {
      if (planId && id !== planId) continue;
      const again = plan.sent.filter((s) => s.at >= since);
      for (const s of again) this.bus.publish(plan.subject, s.message);
      if (again.length) this.logger.info({ planId: id, messages: again.length }, 'sent again what may have been lost');
    }
  }

  forget(planId: string): void {
    this.plans.delete(planId);
  }
}
