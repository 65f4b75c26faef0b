/**
 * Nobody claimed a case in time: tell the waiting citizen and offer a call-back instead of silence.
 * Each wait is offered once (a case queued again or transferred is a new wait), and that it was
 * offered is kept with the case, so a restart does not offer it again. Time is the injected
 * clock's, so a server run on another clock (tests, demo data) judges waits by it.
 */
import type { Logger } from '../core/logger.js';
import { claimTimeoutOffer } from '../dialogue/handoff-dialogue.js';
import type { ConversationPort } from './conversation-port.js';
import type { HandoffService } from './handoff-service.js';

export interface ClaimTimeoutDeps {
  handoff: HandoffService;
  /** Where the citizen sees the offer (the chat service). */
  conversations: ConversationPort;
  timeoutMinutes: number;
  now: () => Date;
  logger: Logger;
}

export function createClaimTimeoutSweep(deps: ClaimTimeoutDeps) {
  /** One pass over the queue. */
  async function sweep(): Promise<void> {
    const limit = deps.now().getTime() - deps.timeoutMinutes * 60_000;
    const waiting = (await deps.handoff.open()).filter((o) => o.status === 'queued' && o.queuedAt && o.offeredFor !== o.queuedAt);
    for (const o of waiting) {
      if (Date.parse(o.queuedAt!) > limit) continue;
      // Marked first: a crash between the two loses one offer rather than sending it twice.
      if (!(await deps.handoff.markTimeoutOffered(o.sessionId, o.queuedAt!))) continue;
      await deps.conversations.post(o.sessionId, 'system', claimTimeoutOffer());
      deps.logger.info('claim_timeout_offer', { sessionId: o.sessionId, department: o.department });
    }
  }

  return {
    sweep,
    /**
     * Sweeps every `ms` without keeping the process alive, each time only if `holdsLease()` says
     * this instance holds the job (Store.lease): of several instances sharing a store, one sweeps.
     * Returns the function that stops it.
     */
    every(ms: number, holdsLease: () => Promise<boolean> = async () => true): () => void {
      const pass = async () => {
        if (!(await holdsLease())) return;
        deps.logger.debug('claim_timeout_sweep', {});
        await sweep();
      };
      const timer = setInterval(() => void pass().catch((err) => deps.logger.error('claim_timeout_sweep_failed', { error: String(err) })), ms);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
