/** The citizen side of the HTTP contract: search, chat and transcript (health: health-routes.ts). */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { Engine } from '../knowledge/engine.js';
import { PROCESS_REASONS, type ProcessReason } from '../service/analytics.js';
import { CLIENT_SESSION_ID, sessionForbidden, type ChatService } from '../service/chat-service.js';
import { renderChecklistPage } from './checklist-page.js';
import { addressKey } from './rate-limits.js';
import { parseOr400 } from './validate.js';

export interface CitizenDeps {
  chat: ChatService;
  engine: () => Engine;
  maxMessageLength: number;
  /** Public address of the service, for links and QR codes (PUBLIC_URL); else taken from the request. */
  publicUrl?: string;
}

const CHECKLIST_ID = /^[a-z0-9]{4,40}$/;

/** A conversation id as a citizen's client must choose it (see CLIENT_SESSION_ID). */
const sessionIdSchema = z
  .string({ error: 'sessionId 必须是字符串' })
  .regex(CLIENT_SESSION_ID, { error: 'sessionId 必须是 16 到 64 个字符的字母、数字、_ 或 -，并且随机生成' });

/** The conversation's key as the client sent it (header X-Session-Key); undefined when absent. */
const sessionKeyOf = (req: Request): string | undefined => {
  const key = req.get('x-session-key');
  return key ? key : undefined;
};

export function citizenRoutes(deps: CitizenDeps): Router {
  const r = Router();
  const maxLen = deps.maxMessageLength;
  /** Reading a transcript or writing feedback needs the conversation's key, like chatting does. */
  const owned = async (sessionId: string, req: Request): Promise<void> => {
    if (!(await deps.chat.authorize(sessionId, sessionKeyOf(req)))) throw sessionForbidden();
  };

  const searchQuery = z.object({
    q: z
      .string({ error: 'q 是必填的问题文本' })
      .trim()
      .min(1, { error: 'q 不能为空' })
      .max(maxLen, { error: `q 不能超过 ${maxLen} 个字符` }),
    k: z.coerce
      .number({ error: 'k 必须是数字' })
      .int({ error: 'k 必须是整数' })
      .min(1, { error: 'k 至少为 1' })
      .max(20, { error: 'k 最多为 20' })
      .default(5),
  });

  r.get('/api/search', (req, res) => {
    const q = typeof req.query.q === 'string' || req.query.q === undefined ? req.query.q : undefined;
    if (Array.isArray(req.query.q)) throw new AppError(400, 'invalid_request', 'q 只能出现一次');
    const { q: text, k } = parseOr400(searchQuery, { q, k: req.query.k });
    const engine = deps.engine();
    const result = engine.search(text, k);
    res.json({
      query: text,
      answerable: result.answerable,
      band: result.band,
      probability: result.probability,
      appeal: result.appeal,
      suggestions: result.suggestions.map(({ entry }) => ({ id: entry.id, title: entry.title, kind: entry.kind })),
      aspect: engine.aspects.detect(result.analyzed.tokens),
      results: result.results.map(({ entry, score }) => ({ id: entry.id, title: entry.title, kind: entry.kind, score })),
    });
  });

  const afterQuery = z.coerce
    .number({ error: 'after 必须是数字' })
    .int({ error: 'after 必须是整数' })
    .min(0, { error: 'after 不能小于 0' })
    .default(0);

  r.get('/api/chat/:sessionId/messages', async (req, res) => {
    const sessionId = parseOr400(sessionIdSchema, req.params.sessionId);
    const after = parseOr400(afterQuery, req.query.after === '' ? undefined : req.query.after);
    await owned(sessionId, req);
    const messages = await deps.chat.transcript(sessionId, after);
    res.json({ sessionId, messages: messages ?? [] });
  });

  const feedbackBody = z.strictObject({
    sessionId: sessionIdSchema,
    seq: z.number({ error: 'seq 必须是数字' }).int().min(1),
    helpful: z.boolean({ error: 'helpful 必须是 true 或 false' }),
    comment: z.string().max(500, { error: '意见请控制在 500 字以内' }).optional(),
  });

  r.post('/api/feedback', async (req, res) => {
    if (!req.is('application/json')) {
      throw new AppError(415, 'unsupported_media_type', '请求体必须是 JSON（content-type: application/json）');
    }
    const body = parseOr400(feedbackBody, req.body);
    await owned(body.sessionId, req);
    const record = await deps.chat.feedback(body.sessionId, body.seq, body.helpful, body.comment);
    if (!record) throw new AppError(404, 'not_found', '找不到这条回答，无法评价。');
    res.status(201).json({ feedback: { seq: record.seq, helpful: record.helpful, entryId: record.entryId, checklistId: record.checklistId } });
  });

  const processBody = z.strictObject({
    sessionId: sessionIdSchema,
    reason: z.enum(Object.keys(PROCESS_REASONS) as [ProcessReason, ...ProcessReason[]], { error: `reason 只能是 ${Object.keys(PROCESS_REASONS).join('、')}` }),
    text: z.string().max(500, { error: '请控制在 500 字以内' }).default(''),
    entryId: z.string().max(100).optional(),
  });
  /** 「流程走不通」: where the process did not go through, with a reason code. */
  r.post('/api/feedback/process', async (req, res) => {
    if (!req.is('application/json')) throw new AppError(415, 'unsupported_media_type', '请求体必须是 JSON（content-type: application/json）');
    const b = parseOr400(processBody, req.body);
    await owned(b.sessionId, req);
    const report = await deps.chat.reportProcess(b.sessionId, b.reason, b.text, b.entryId);
    if (!report) throw new AppError(404, 'not_found', '没有这个对话。');
    res.status(201).json({ report: { reason: report.reason, entryId: report.entryId } });
  });

  const ratingBody = z.strictObject({
    sessionId: sessionIdSchema,
    rating: z.enum(['good', 'fair', 'poor'], { error: 'rating 只能是 good、fair 或 poor' }),
    comment: z.string().max(500, { error: '意见请控制在 500 字以内' }).optional(),
  });
  /** The end-of-conversation rating 好 / 中 / 差. */
  r.post('/api/feedback/rating', async (req, res) => {
    if (!req.is('application/json')) throw new AppError(415, 'unsupported_media_type', '请求体必须是 JSON（content-type: application/json）');
    const b = parseOr400(ratingBody, req.body);
    await owned(b.sessionId, req);
    const rating = await deps.chat.rate(b.sessionId, b.rating, b.comment);
    if (!rating) throw new AppError(404, 'not_found', '没有这个对话。');
    res.status(201).json({ rating: { rating: rating.rating } });
  });

  r.get('/api/checklists/:id', async (req, res) => {
    const id = req.params.id;
    const checklist = CHECKLIST_ID.test(id) ? await deps.chat.checklist(id) : undefined;
    if (!checklist) throw new AppError(404, 'not_found', '没有这份清单，请检查链接是否完整。');
    res.json({ checklist });
  });

  r.get('/checklist/:id', async (req, res) => {
    const id = req.params.id;
    const checklist = CHECKLIST_ID.test(id) ? await deps.chat.checklist(id) : undefined;
    if (!checklist) {
      res
        .status(404)
        .type('html')
        .send('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>没有这份清单</title><body style="font-family:sans-serif;padding:2em"><h1>没有这份清单</h1><p>请检查链接是否完整，或回到<a href="/">对话</a>重新生成。</p></body></html>');
      return;
    }
    const base = deps.publicUrl ?? `${req.protocol}://${req.get('host')}`;
    const { centre, unconfirmed } = deps.engine().kb.settings;
    const place = { name: centre.name, address: centre.address, hours: centre.hours, unconfirmed: unconfirmed.some((u) => u === 'centre.address' || u === 'centre.hours') };
    res.type('html').send(await renderChecklistPage(checklist, `${base}/checklist/${id}`, place));
  });

  return r;
}

/** The chat route's path: the busiest route, mounted ahead of the others (create-app.ts). */
export const CHAT_PATH = '/api/chat';

/**
 * POST /api/chat: one message of a conversation. Not in citizenRoutes' router: create-app.ts runs
 * it, with the middleware every request passes through, ahead of the router's other layers.
 */
export function chatRoute(deps: Pick<CitizenDeps, 'chat' | 'maxMessageLength'>): (req: Request, res: Response) => Promise<void> {
  const maxLen = deps.maxMessageLength;
  const chatBody = z
    .strictObject(
      {
        sessionId: sessionIdSchema,
        text: z
          .string({ error: 'text 必须是字符串' })
          .max(maxLen, { error: `消息太长了，请控制在 ${maxLen} 字以内` })
          .refine((t) => t.trim().length > 0, { error: 'text 不能为空' })
          .optional(),
        choice: z
          .string({ error: 'choice 必须是字符串' })
          .min(1, { error: 'choice 不能为空' })
          .max(200, { error: 'choice 不能超过 200 个字符' })
          .optional(),
      },
      { error: (iss) => (iss.code === 'unrecognized_keys' ? `不认识的字段：${iss.keys.join(', ')}` : '请求体必须是 JSON 对象') },
    )
    .refine((b) => (b.text === undefined) !== (b.choice === undefined), {
      error: '请提供 text（输入的文字）或 choice（按钮的值）其中之一',
    });

  return async (req, res) => {
    if (!req.is('application/json')) {
      throw new AppError(415, 'unsupported_media_type', '请求体必须是 JSON（content-type: application/json）');
    }
    const body = parseOr400(chatBody, req.body);
    const input = body.text !== undefined ? { text: body.text } : { choice: body.choice! };
    const out = await deps.chat.handle(body.sessionId, input, 'rest', { key: sessionKeyOf(req) }, addressKey(req));
    writeJson(res, {
      sessionId: out.sessionId,
      mode: out.mode,
      replies: out.replies,
      match: out.match,
      seq: out.seq,
      ...(out.sessionKey ? { sessionKey: out.sessionKey } : {}),
    });
  };
}

/**
 * A 200 JSON answer to a POST, written as res.json writes it here (no ETag, no JSON spaces or
 * escaping: createApp's settings; a POST is never "fresh"): the same status and headers, without
 * res.json's and res.send's per-call look-ups of settings and re-parsing of the content type.
 */
function writeJson(res: Response, value: unknown): void {
  const body = JSON.stringify(value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(body, 'utf8')));
  res.end(body, 'utf8');
}
