import { LOG_FORMATS } from '../model/config.js';
import { ACTION_BUTTONS } from '../model/check-state.js';
import { SEVERITIES } from '../model/severity.js';
import { DURATION_PATTERN } from './duration.js';

/**
 * JSON Schema of the YAML file. Every object is closed (additionalProperties:
 * false) so a typo is an error, not a silently ignored key. Keys that hold a
 * secret have a `…File` twin read from a file (Docker and Kubernetes secrets).
 */
const duration = { anyOf: [{ type: 'string', pattern: DURATION_PATTERN }, { type: 'integer', minimum: 0 }] };
const str = { type: 'string' };
const nonEmpty = { type: 'string', minLength: 1 };
const updates = { enum: ['edit', 'thread', 'new'] };
/** `broadcast:` true (every severity), false (none), or a list of severities. */
const broadcast = { anyOf: [{ type: 'boolean' }, { type: 'array', uniqueItems: true, items: { enum: [...SEVERITIES] } }] };
const mentions = { type: 'object', additionalProperties: { type: 'array', items: nonEmpty } };
/** `actions:` of a Slack or Teams receiver: true (every button), false (none), or a list of buttons. */
const actionButtons = { anyOf: [{ type: 'boolean' }, { type: 'array', uniqueItems: true, items: { enum: [...ACTION_BUTTONS] } }] };
const pacing = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ratePerSecond: { type: 'number', exclusiveMinimum: 0 },
    burst: { type: 'integer', minimum: 1 },
    perHour: { type: 'integer', minimum: 1 },
  },
};

/** `match:` / `match_re:` (deprecated in Alertmanager): label → value; YAML numbers and booleans are read as their text, as Alertmanager reads them. */
const labelMap = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } };

const route: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // "" on a child route inherits the parent's receiver, as in Alertmanager.
    receiver: str,
    // An empty entry is no matchers, as in Alertmanager.
    matchers: { type: 'array', items: str },
    match: labelMap,
    match_re: labelMap,
    continue: { type: 'boolean' },
    routes: { type: 'array', items: { $ref: '#/definitions/route' } },
    // Grouping and time intervals, spelled as in Alertmanager (src/grouping/); remind is the bridge's own.
    group_by: { type: 'array', items: nonEmpty },
    group_wait: duration,
    group_interval: duration,
    mute_time_intervals: { type: 'array', items: nonEmpty },
    active_time_intervals: { type: 'array', items: nonEmpty },
    remind: {
      type: 'object',
      additionalProperties: false,
      required: ['after', 'statuses'],
      properties: { after: duration, statuses: { type: 'array', minItems: 1, items: nonEmpty }, repeat: { type: 'integer', minimum: 1 } },
    },
  },
};

/** One entry of `time_intervals[].time_intervals`, in Alertmanager's syntax (checked in src/grouping/time-intervals.ts). */
const rangeList = { type: 'array', items: { type: ['string', 'integer'] } };
const timeInterval = {
  type: 'object',
  additionalProperties: false,
  properties: {
    times: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { start_time: str, end_time: str } },
    },
    weekdays: rangeList,
    days_of_month: rangeList,
    months: rangeList,
    years: rangeList,
    location: str,
  },
};

/** A Liquid template (src/present/message-template.ts); compiled when the config loads. */
const liquid = { type: 'string', maxLength: 4000 };
/** `templates.NAME`: the parts of a message it replaces, each optional; `facts` in order, at most 10. */
const messageTemplate = {
  type: 'object',
  additionalProperties: false,
  properties: {
    headline: liquid,
    text: liquid,
    facts: {
      type: 'array',
      maxItems: 10,
      items: { type: 'object', additionalProperties: false, required: ['title', 'value'], properties: { title: { ...liquid, minLength: 1 }, value: liquid } },
    },
  },
};

/** E-mail addresses (`Name <address>` or an address), each checked when the config is read (src/config/smtp.ts). */
const addresses = { type: 'array', items: nonEmpty };

const receiver = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    template: nonEmpty,
    pacing,
    console: { type: 'object', additionalProperties: false, properties: { pretty: { type: 'boolean' } } },
    webhook: {
      type: 'object',
      additionalProperties: false,
      properties: { url: nonEmpty, urlFile: nonEmpty, headers: { type: 'object', additionalProperties: str }, actions: { type: 'boolean' } },
    },
    slack: {
      type: 'object',
      additionalProperties: false,
      required: ['channel'],
      properties: { channel: { type: 'string', pattern: '^(#[^\\s]+|[CGD][A-Z0-9]+)$' }, mention: mentions, updates, broadcast, actions: actionButtons },
    },
    teams: {
      type: 'object',
      additionalProperties: false,
      properties: { channelId: nonEmpty, team: nonEmpty, channel: nonEmpty, updates, mention: mentions, broadcast, actions: actionButtons },
    },
    teamsWorkflow: { type: 'object', additionalProperties: false, properties: { url: nonEmpty, urlFile: nonEmpty } },
    email: {
      type: 'object',
      additionalProperties: false,
      properties: { to: addresses, cc: addresses, bcc: addresses, subject: { ...liquid, minLength: 1 } },
    },
  },
};

export const configSchema = {
  $id: 'https://aver-bridge.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  required: ['receivers', 'route'],
  definitions: { route },
  properties: {
    time_intervals: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: nonEmpty, time_intervals: { type: 'array', items: timeInterval } },
      },
    },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: nonEmpty,
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        shutdownTimeout: duration,
        publicUrl: nonEmpty,
        requestTimeout: duration,
        maxConnections: { type: 'integer', minimum: 1 },
        trustProxy: { type: 'boolean' },
        internal: {
          type: 'object',
          additionalProperties: false,
          properties: { host: nonEmpty, port: { type: 'integer', minimum: 0, maximum: 65535 } },
        },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] }, format: { enum: [...LOG_FORMATS] } },
    },
    aver: {
      type: 'object',
      additionalProperties: false,
      properties: {
        webhook: {
          type: 'object',
          additionalProperties: false,
          properties: {
            path: { type: 'string', pattern: '^/' },
            header: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
            secrets: { type: 'array', items: str },
            secretsFile: nonEmpty,
            allowUnauthenticated: { type: 'boolean' },
            maxBodyBytes: { type: 'integer', minimum: 256, maximum: 10_485_760 },
            dedupWindow: duration,
          },
        },
        groups: { type: 'object', additionalProperties: nonEmpty },
        links: { type: 'object', additionalProperties: false, properties: { check: nonEmpty, watchlist: nonEmpty } },
        api: {
          type: 'object',
          additionalProperties: false,
          properties: {
            baseUrl: nonEmpty,
            key: nonEmpty,
            keyFile: nonEmpty,
            secret: nonEmpty,
            secretFile: nonEmpty,
            timeout: duration,
            cacheTtl: duration,
            showPersonalData: { type: 'boolean' },
          },
        },
      },
    },
    storage: { type: 'object', additionalProperties: false, properties: { url: nonEmpty, urlFile: nonEmpty, retention: duration } },
    slack: {
      type: 'object',
      additionalProperties: false,
      properties: {
        botToken: nonEmpty,
        botTokenFile: nonEmpty,
        signingSecret: nonEmpty,
        signingSecretFile: nonEmpty,
        apiUrl: nonEmpty,
        verifyToken: { type: 'boolean' },
      },
    },
    teams: {
      type: 'object',
      additionalProperties: false,
      properties: {
        appId: str,
        appPassword: str,
        appPasswordFile: nonEmpty,
        appType: { enum: ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] },
        tenantId: str,
        serviceUrl: nonEmpty,
        auth: { type: 'object', additionalProperties: str },
        allowedTenants: { type: 'array', items: str },
        allowInsecureDevMode: { type: 'boolean' },
      },
    },
    smtp: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'from'],
      properties: {
        url: nonEmpty,
        requireTLS: { type: 'boolean' },
        user: nonEmpty,
        password: nonEmpty,
        passwordFile: nonEmpty,
        from: nonEmpty,
        tls: { type: 'object', additionalProperties: false, properties: { caFile: nonEmpty, rejectUnauthorized: { type: 'boolean' } } },
        pool: {
          type: 'object',
          additionalProperties: false,
          properties: { maxConnections: { type: 'integer', minimum: 1, maximum: 50 }, maxMessages: { type: 'integer', minimum: 1 } },
        },
      },
    },
    delivery: {
      type: 'object',
      additionalProperties: false,
      properties: {
        concurrency: { type: 'integer', minimum: 1, maximum: 1000 },
        timeout: duration,
        maxAge: duration,
        leaseTime: duration,
        pollInterval: duration,
        backoff: {
          type: 'object',
          additionalProperties: false,
          properties: { base: duration, factor: { type: 'number', minimum: 1 }, cap: duration },
        },
      },
    },
    admin: { type: 'object', additionalProperties: false, properties: { token: str, tokenFile: nonEmpty } },
    display: { type: 'object', additionalProperties: false, properties: { timeZone: nonEmpty, locale: nonEmpty } },
    templates: { type: 'object', additionalProperties: messageTemplate },
    receivers: { type: 'array', minItems: 1, items: receiver },
    route: { ...route, required: ['receiver'] },
  },
} as const;
