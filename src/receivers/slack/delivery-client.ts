import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { stringify } from 'node:querystring';
import {
  WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient,
  type WebAPICallResult, type WebClientOptions,
} from '@slack/web-api';
import { getUserAgent } from '@slack/web-api/dist/instrument.js';

/** The calls every delivery makes; any other method goes through the WebClient as it is. */
const DELIVERY_METHODS = new Set(['chat.postMessage', 'chat.update']);

/**
 * A WebClient whose chat.postMessage and chat.update are sent as it sends them (the same URL, headers and form
 * body; the same errors for the same answers) without its per-call machinery, which cost more CPU than the rest of
 * a delivery: a request queue and a retry wrapper that we turn off (the pipeline queues and retries), three debug
 * lines built whether logged or not (the body, headers and answer redacted and stringified), and the global fetch
 * (web streams, a Response, an AbortSignal.timeout a call) where node:http with kept-alive connections does.
 */
export class DeliveryClient extends WebClient {
  readonly #send: (method: string, options: Record<string, unknown>) => Promise<WebAPICallResult>;

  constructor(token: string, options: WebClientOptions & { slackApiUrl: string }) {
    super(token, options);
    this.#send = chatSender(this.slackApiUrl, token, options.timeout ?? 0);
  }

  override apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    return DELIVERY_METHODS.has(method) ? this.#send(method, options) : super.apiCall(method, options);
  }
}

/** What came back: the status line, the headers and the body as text. */
interface Answer {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Posts a method's arguments to `${apiUrl}${method}` as the WebClient does, and reads the answer as it does. */
function chatSender(apiUrl: string, token: string, timeoutMs: number) {
  const secure = apiUrl.startsWith('https:');
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const headers = { 'User-Agent': getUserAgent(), Accept: 'application/json', Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' };
  // Parsed once per method: node:http would parse the URL string again on every request.
  const targets = new Map<string, RequestOptions>();
  const targetOf = (method: string): RequestOptions => {
    let target = targets.get(method);
    if (!target) {
      const url = new URL(`${apiUrl}${method}`);
      target = { protocol: url.protocol, hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', agent };
      targets.set(method, target);
    }
    return target;
  };
  return async (method: string, options: Record<string, unknown>): Promise<WebAPICallResult> => {
    const body = formBody(options);
    let answer: Answer;
    try {
      answer = await post(secure, { ...targetOf(method), headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, body, timeoutMs);
    } catch (err) {
      throw new WebAPIRequestError(err as Error);
    }
    return resultOf(answer, `${apiUrl}${method}`);
  };
}

/**
 * The WebClient's form body: each argument that is set, objects and arrays as JSON (blocks, attachments), the
 * rest as they are.
 */
function formBody(options: Record<string, unknown>): string {
  const fields: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (value === undefined || value === null) continue;
    fields[key] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
  }
  return stringify(fields);
}

/** One POST, its answer read whole; gives up (a TimeoutError, as fetch's signal would) after `timeoutMs` (0: never). */
function post(secure: boolean, options: RequestOptions, body: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, text });
      });
      res.on('error', fail);
    });
    const timer = timeoutMs > 0
      ? setTimeout(() => {
        fail(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
        req.destroy();
      }, timeoutMs)
      : undefined;
    function fail(err: unknown) {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
    req.end(body);
  });
}

/** The answer as the WebClient gives it: the result, or the error it throws for a 429, another status, or ok: false. */
function resultOf(answer: Answer, url: string): WebAPICallResult {
  const header = (name: string): string | undefined => {
    const v = answer.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const retryAfter = Number.parseInt(header('retry-after') ?? '', 10);
  if (answer.status === 429) {
    if (!Number.isNaN(retryAfter)) throw new WebAPIRateLimitedError(retryAfter);
    throw new Error(`Retry header did not contain a valid timeout (url: ${url}, retry-after header: ${header('retry-after') ?? null})`);
  }
  // fetch with redirect: 'error', as the WebClient asks: a redirect is a failed request.
  if (answer.status >= 300 && answer.status < 400) throw new WebAPIRequestError(new TypeError('fetch failed', { cause: new Error('unexpected redirect') }));
  if (answer.status !== 200) {
    const headers = Object.fromEntries(Object.keys(answer.headers).map((k) => [k, header(k) ?? '']));
    throw new WebAPIHTTPError(answer.status, answer.statusMessage, headers, answer.text);
  }
  let data: WebAPICallResult;
  try {
    data = JSON.parse(answer.text) as WebAPICallResult;
  } catch {
    data = { ok: false, error: answer.text } as WebAPICallResult;
  }
  data.response_metadata ??= {};
  if (!Number.isNaN(retryAfter)) data.response_metadata.retryAfter = retryAfter;
  if (!data.ok) throw new WebAPIPlatformError(data as WebAPICallResult & { error: string });
  return data;
}
