/**
 * One error middleware: known errors answer with their JSON error, body-parser failures get a
 * clear code, a database or Redis that cannot be reached 503 (the request was not carried out, and
 * may be sent again), anything else is logged once and becomes a generic 500. Never HTML, never a stack.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isUnavailableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { MAX_JSON_DEPTH } from './validate.js';

export const sendError = (
  res: Parameters<RequestHandler>[1],
  status: number,
  code: string,
  message: string,
  details?: unknown,
): void => {
  res.status(status).json({ error: { code, message, ...(details === undefined ? {} : { details }) } });
};

/** What a client is told when the database or Redis cannot be reached: nothing was done, try again. */
export const UNAVAILABLE_MESSAGE = '服务暂时不可用：数据存储或消息服务连接不上，这次操作没有完成。请稍后再试，急事请拨打 12345 热线。';
const UNAVAILABLE_RETRY_SECONDS = 10;

export const notFound: RequestHandler = (req, res) =>
  sendError(res, 404, 'not_found', `没有这个地址：${req.method} ${req.path}`);

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof AppError) return sendError(res, err.status, err.code, err.message, err.details);
    const e = err as { type?: string; status?: number; message?: string };
    switch (e.type) {
      case 'entity.parse.failed':
        return sendError(res, 400, 'invalid_json', '请求体不是有效的 JSON。');
      case 'entity.too.deep':
        return sendError(res, 400, 'too_deep', `请求体的数组或对象嵌套太深（最多 ${MAX_JSON_DEPTH} 层）。`);
      case 'entity.too.large':
        return sendError(res, 413, 'payload_too_large', '请求体太大。');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, 415, 'unsupported_encoding', '请使用 UTF-8 编码的 JSON。');
      case 'request.aborted':
        return sendError(res, 400, 'request_aborted', '请求被中断。');
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendError(res, e.status, 'bad_request', '请求无法处理。');
    }
    if (isUnavailableError(err)) {
      logger.warn('dependency_unavailable', { method: req.method, path: req.path, error: String(e.message ?? err) });
      res.set('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
      return sendError(res, 503, 'service_unavailable', UNAVAILABLE_MESSAGE);
    }
    logger.error('unhandled_error', { method: req.method, path: req.path, error: String(e.message ?? err) });
    return sendError(res, 500, 'internal_error', '服务器出错了，请稍后再试。');
  };
}
