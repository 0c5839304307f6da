import { createRequire } from 'node:module';
import type { Liquid, Template, TagToken, TopLevelToken } from 'liquidjs';
import type { MessageTemplateConfig } from '../model/config.js';
import type { Labels } from '../model/event.js';
import { withOverrides, type Message, type MessageFact } from './message.js';
import { TEMPLATE_VARIABLES, templateVariables } from './template-variables.js';

/** The variables a template may name, in the order docs/messages.md lists them. */
export const TEMPLATE_VARIABLE_NAMES: readonly string[] = TEMPLATE_VARIABLES.map((v) => v.name);
const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_VARIABLE_NAMES);

/** The longest each rendered part may be, in characters (then cut with "…"); at most MAX_FACTS facts. */
export const TEMPLATE_LIMITS = { headline: 200, text: 1000, factTitle: 100, factValue: 1000 } as const;
export const MAX_FACTS = 10;

/** The tags that read other templates from files: a message template is one string, and reads nothing. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

/**
 * One engine for every message template, without state between renders. Liquid runs no code; on top of that:
 * no file is ever read (the file tags refuse to parse), an unknown filter is a parse error, only own properties
 * are read (`{{ id.constructor }}` is empty), and each render is bounded in time and memory (a loop over
 * `(1..100000000)` stops with an error instead of holding the delivery).
 */
let shared: Liquid | undefined;

/**
 * The engine, loaded on first use: liquidjs costs about 14 MB of memory, which a bridge with no `templates:`
 * never pays (config load compiles templates synchronously, hence require rather than import()).
 */
function engine(): Liquid {
  shared ??= createEngine(createRequire(import.meta.url)('liquidjs') as typeof import('liquidjs'));
  return shared;
}

function createEngine({ Liquid, Tag }: typeof import('liquidjs')): Liquid {
  const liquid = new Liquid({
    templates: {},
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    parseLimit: 20_000,
    renderLimit: 100,
    memoryLimit: 1_000_000,
  });
  for (const name of FILE_TAGS) {
    liquid.registerTag(name, class extends Tag {
      constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
        super(token, remain, l);
        throw new Error(`the ${name} tag is not available in message templates (they read no files)`);
      }
      render(): void {}
    });
  }
  return liquid;
}

/** A template with each part parsed. */
export interface CompiledMessageTemplate {
  headline?: Template[];
  text?: Template[];
  facts?: Array<{ title: Template[]; value: Template[] }>;
}

/** A part that does not compile: where in the template (`['facts', 0, 'value']`), the line and column in it, and why. */
export interface TemplateProblem {
  part: Array<string | number>;
  /** 1-based, within the template's own text. */
  line?: number;
  column?: number;
  message: string;
  /** The unknown variable's name, when that is the problem. */
  unknownVariable?: string;
}

/**
 * Parses every part of a template and checks the variables it reads against TEMPLATE_VARIABLES (names it assigns
 * itself, and loop variables, are its own). Returns the compiled template, or every problem found.
 */
export function compileMessageTemplate(source: MessageTemplateConfig): { template: CompiledMessageTemplate; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const part = (text: string, where: Array<string | number>): Template[] => {
    const parsed = parsePart(text, where);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      return [];
    }
    problems.push(...unknownVariables(parsed.template, where));
    return parsed.template;
  };
  const template: CompiledMessageTemplate = {
    ...(source.headline !== undefined ? { headline: part(source.headline, ['headline']) } : {}),
    ...(source.text !== undefined ? { text: part(source.text, ['text']) } : {}),
    ...(source.facts !== undefined
      ? { facts: source.facts.map((f, i) => ({ title: part(f.title, ['facts', i, 'title']), value: part(f.value, ['facts', i, 'value']) })) }
      : {}),
  };
  return { template, problems };
}

function parsePart(text: string, where: Array<string | number>): { template: Template[] } | { problem: TemplateProblem } {
  try {
    return { template: engine().parse(text) };
  } catch (err) {
    const position = positionOf(err);
    return { problem: { part: where, ...position, message: liquidReason(err) } };
  }
}

/** The template's global variables that are not template variables, each at its first use. */
function unknownVariables(template: Template[], where: Array<string | number>): TemplateProblem[] {
  const { globals } = engine().analyzeSync(template, { partials: false });
  return Object.entries(globals)
    .filter(([name]) => !KNOWN.has(name))
    .map(([name, uses]) => ({
      part: where,
      line: uses[0]?.location.row,
      column: uses[0]?.location.col,
      message: `unknown variable "${name}"`,
      unknownVariable: name,
    }));
}

/** Liquid's line and column of a parse error, when it gives them. */
function positionOf(err: unknown): { line?: number; column?: number } {
  const token = (err as { token?: { getPosition?: () => [number, number] } }).token;
  const position = typeof token?.getPosition === 'function' ? token.getPosition() : undefined;
  return position ? { line: position[0], column: position[1] } : {};
}

/** Liquid's reason without its own ", line:2, col:5" (the problem says where) or the source excerpt below it. */
function liquidReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].replace(/, line:\d+, col:\d+$/, '').trim() || 'does not parse';
}

/**
 * The message with the template's parts in place of the built ones. Each part is rendered from the message's
 * variables (templateVariables) as plain text: whitespace runs become one space, the result is cut to
 * TEMPLATE_LIMITS; an empty headline or text keeps the built one, a fact with an empty value is left out, and
 * a template with a headline but no text gets its headline in the push line too (then the built why). Every
 * renderer then escapes what the template produced, outside values included, as it escapes any other text.
 * Throws when Liquid fails (a limit reached, a filter refusing its input): the caller falls back to the message.
 */
export function renderMessageTemplate(template: CompiledMessageTemplate, message: Message, labels: Labels = {}): Message {
  const scope = templateVariables(message, labels);
  const render = (t: Template[], max: number) => plainText(String(engine().renderSync(t, scope)), max);
  const headline = template.headline && render(template.headline, TEMPLATE_LIMITS.headline);
  const text = template.text && render(template.text, TEMPLATE_LIMITS.text);
  const facts = template.facts?.slice(0, MAX_FACTS).flatMap((f): MessageFact[] => {
    const value = render(f.value, TEMPLATE_LIMITS.factValue);
    return value ? [{ title: render(f.title, TEMPLATE_LIMITS.factTitle), value }] : [];
  });
  // Without a text of its own, the push line is the template's headline and the built line's why.
  const pushText = text || (headline ? headline + (message.text.startsWith(message.headline) ? message.text.slice(message.headline.length) : '') : undefined);
  return withOverrides(message, { ...(headline ? { headline } : {}), ...(pushText ? { text: pushText } : {}), ...(facts ? { facts } : {}) });
}

/** One line of text: control characters and whitespace runs as one space, trimmed, at most `max` characters. */
function plainText(s: string, max: number): string {
  const line = s.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  const chars = Array.from(line);
  return chars.length <= max ? line : chars.slice(0, max - 1).join('') + '…';
}
