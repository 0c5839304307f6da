import type { MessageTemplateConfig } from '../model/config.js';
import type { Labels } from '../model/event.js';
import type { DeliveryJob, StatusChange } from '../model/job.js';
import { messageFor, type Message, type MessageInput } from './message.js';
import { compileMessageTemplate, renderMessageTemplate, type CompiledMessageTemplate } from './message-template.js';

/** The templates of a config by name (`Config['templates']`). */
export type Templates = Readonly<Record<string, MessageTemplateConfig>>;

/** What a receiver's message is built with: the message config, and the templates its `template:` names. */
export type ReceiverMessageConfig = MessageInput['config'] & { templates?: Templates };

/** The logger a receiver's delivery context carries (only `warn` is used). */
export interface TemplateLogger {
  warn(fields: object, message: string): void;
}

interface Compiled {
  template?: CompiledMessageTemplate;
  /** Whether a render failure was logged already: once per template and loaded config. */
  warned: boolean;
}

/**
 * Compiled templates per loaded config (its frozen `templates` object): compiled once, on first use, and dropped
 * with the config. The config was checked when it loaded, so every template here compiles.
 */
const compiled = new WeakMap<Templates, Map<string, Compiled>>();

function compiledTemplate(templates: Templates, name: string): Compiled {
  let byName = compiled.get(templates);
  if (!byName) {
    byName = new Map();
    compiled.set(templates, byName);
  }
  let entry = byName.get(name);
  if (!entry) {
    const source = Object.hasOwn(templates, name) ? templates[name] : undefined;
    const result = source ? compileMessageTemplate(source) : undefined;
    entry = { ...(result && result.problems.length === 0 ? { template: result.template } : {}), warned: false };
    byName.set(name, entry);
  }
  return entry;
}

/**
 * A message with the named template applied, or why it could not be: the template is not defined (or does not
 * compile), or rendering failed. The message itself is never changed.
 */
export function applyTemplate(message: Message, labels: Labels, name: string, templates: Templates | undefined): { ok: true; message: Message } | { ok: false; reason: string } {
  const entry = templates ? compiledTemplate(templates, name) : undefined;
  if (!entry?.template) return { ok: false, reason: `template "${name}" is not defined, or does not compile` };
  try {
    return { ok: true, message: renderMessageTemplate(entry.template, message, labels) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}

/**
 * The message a receiver sends for one delivery: the model built from the job, with the receiver's `template:`
 * applied. A template that fails to render never fails the delivery: the default message goes out, and the
 * failure is logged at warn, once per template until the config is reloaded.
 */
export function receiverMessage(
  job: Pick<DeliveryJob, 'event' | 'labels' | 'details'>,
  ctx: { history: StatusChange[]; logger: TemplateLogger },
  config: ReceiverMessageConfig,
  receiver: { name: string; template?: string },
  mentions?: readonly string[],
): Message {
  const message = messageFor(job, ctx.history, config, mentions);
  if (!receiver.template) return message;
  const result = applyTemplate(message, job.labels, receiver.template, config.templates);
  if (result.ok) return result.message;
  const entry = config.templates ? compiledTemplate(config.templates, receiver.template) : undefined;
  if (!entry?.warned) {
    if (entry) entry.warned = true;
    ctx.logger.warn(
      { receiver: receiver.name, template: receiver.template, reason: result.reason },
      'message template failed to render; sent the default message (logged once per template until the config is reloaded)',
    );
  }
  return message;
}
