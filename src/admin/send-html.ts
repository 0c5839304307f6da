import type { Context } from 'koa';
import type { SafeHtml } from './html.js';

/**
 * Sends an admin page. The CSP allows no script at all and inline styles
 * only, so even a mis-escaped string could not run; pages are never cached
 * or framed.
 */
export function sendHtml(ctx: Context, status: number, page: SafeHtml): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set({
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  ctx.body = page.value;
}

/** 303 See Other: after a form POST the browser GETs `url`, so a refresh does not send the form again. */
export function seeOther(ctx: Context, url: string): void {
  ctx.status = 303;
  ctx.redirect(url);
}
