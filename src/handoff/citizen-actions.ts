/**
 * What a citizen does to their case — ask for a person, stop waiting, see their place in the queue,
 * book a call-back — and what they are told, as the handoff dialogue (dialogue/handoff-dialogue.ts)
 * decides and words it. The counterpart of officer-actions.ts; used by the chat service.
 */
import { maskPersonal } from '../core/mask-personal.js';
import type { Reply } from '../core/types.js';
import { callbackBooked, callbackFailed, closedOffer, queuedReply, servingReply, unavailableReply, type HandoffEvent } from '../dialogue/handoff-dialogue.js';
import type { Entry } from '../knowledge/schema.js';
import { GENERAL_QUEUE, type HandoffService } from './handoff-service.js';
import { isOpen, nextOpening, type OfficeHours } from './office-hours.js';

/** How long after the office opens (or now, when open) a call-back is due. */
const CALLBACK_WITHIN_MS = 2 * 3600_000;
const ALWAYS_OPEN: OfficeHours = { always: true, days: new Map() };

export interface CitizenActionsDeps {
  handoff: HandoffService;
  /** Without them, people are always there. */
  officeHours?: OfficeHours;
  /** The knowledge base's entries, for the department that serves the matter under discussion. */
  entry: (id: string) => Entry | undefined;
  /** The counter department serving an entry's matter; by default its department as written. */
  departmentOf?: (entry: Entry) => string;
  /**
   * Where a new case for a department goes: by default there; the department desk sends a case
   * nobody serves to 综合窗口 (and warns the admin), saying which department it was for.
   */
  route?: (department: string, c: { sessionId: string; entryId: string | null; at: string }) => Promise<{ department: string; routedFrom?: string }>;
  now: () => Date;
}

export function createCitizenActions(deps: CitizenActionsDeps) {
  const { handoff, now } = deps;

  /** The matter a case is about and the department that serves it (the general window when none is known). */
  const topicOf = (entryId: string | null): { department: string; entryId: string | null } => {
    const entry = entryId ? deps.entry(entryId) : undefined;
    const department = !entry ? GENERAL_QUEUE : deps.departmentOf ? deps.departmentOf(entry) : (entry.department ?? GENERAL_QUEUE);
    return { department, entryId: entry?.id ?? null };
  };
  /** The topic, sent where someone serves it. */
  const routed = async (sessionId: string, entryId: string | null, at: string) => {
    const topic = topicOf(entryId);
    const to = deps.route ? await deps.route(topic.department, { sessionId, entryId: topic.entryId, at }) : { department: topic.department };
    return { ...topic, ...to };
  };
  const queued = async (sessionId: string, department: string): Promise<Reply> => queuedReply(department, await handoff.estimate(sessionId));

  return {
    /**
     * Queues the conversation for an officer of the department serving `entryId`, or, out of office
     * hours, offers a call-back. Asked again while queued or served, says so.
     */
    async requestPerson(sessionId: string, entryId: string | null, reason: string, at: string, client?: string): Promise<Reply[]> {
      if (deps.officeHours && !isOpen(deps.officeHours, now())) return closedOffer(nextOpening(deps.officeHours, now()));
      const topic = await routed(sessionId, entryId, at);
      const r = await handoff.apply(sessionId, { type: 'request', by: 'citizen', ...topic, reason, at }, false, client);
      if (r.ok) return [await queued(sessionId, topic.department)];
      const c = await handoff.get(sessionId);
      if (c.status === 'queued') return [await queued(sessionId, c.department)];
      if (c.status === 'claimed') return [servingReply(c.officer)];
      return [unavailableReply(r.reason)];
    },

    /**
     * Carries out what the handoff dialogue decided; the replies that say how it went. A call-back
     * is about the matter under discussion (`entryId`) and due two hours after the office next
     * opens; the case keeps the number sealed (handoff-service), the reply shows it masked.
     */
    async carryOut(sessionId: string, event: HandoffEvent, entryId: string | null, at: string, client?: string): Promise<Reply[]> {
      switch (event.type) {
        case 'handoff_cancelled':
          await handoff.apply(sessionId, { type: 'release', by: 'citizen', at }, false, client);
          return [];
        case 'queue_status_asked':
          return [await queued(sessionId, (await handoff.get(sessionId)).department)];
        case 'callback_number_given': {
          const ticket = await handoff.nextTicket();
          const due = new Date((nextOpening(deps.officeHours ?? ALWAYS_OPEN, now()) ?? now()).getTime() + CALLBACK_WITHIN_MS);
          const callback = { ticket, phone: event.phone, dueAt: due.toISOString() };
          const r = await handoff.apply(sessionId, { type: 'request_callback', by: 'citizen', callback, ...(await routed(sessionId, entryId, at)), at }, false, client);
          return [r.ok ? callbackBooked(ticket, due, maskPersonal(event.phone)) : callbackFailed(r.reason)];
        }
      }
    },
  };
}

export type CitizenActions = ReturnType<typeof createCitizenActions>;
