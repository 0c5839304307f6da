import type { Context } from 'koa';
import { BridgeError } from '../errors.js';
import { readBody } from '../http/read-body.js';

const FORM_LIMIT = 16 * 1024;

/** Reads an application/x-www-form-urlencoded body once per request (later calls get the same fields). */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (ctx.state.form instanceof URLSearchParams) return ctx.state.form;
  if (ctx.request.length && !ctx.is('application/x-www-form-urlencoded')) {
    throw new BridgeError('unsupported_media_type', 'send the form as application/x-www-form-urlencoded', { status: 415 });
  }
  const form = new URLSearchParams((await readBody(ctx, FORM_LIMIT)).toString('utf8'));
  ctx.state.form = form;
  return form;
}
