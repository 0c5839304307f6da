import { isScalar, Scalar } from 'yaml';
import type { MessageTemplateConfig, ReceiverConfig } from '../model/config.js';
import { compileMessageTemplate, TEMPLATE_VARIABLE_NAMES, type TemplateProblem } from '../present/message-template.js';
import type { ConfigReader, Segments } from './reader.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Reads `templates:` (name → headline, text, facts): each name well-formed, each part compiled with Liquid. A
 * syntax error or an unknown variable is a problem at the part's line (the line within the template added),
 * listing the variables a template can use.
 */
export function readTemplates(raw: Record<string, MessageTemplateConfig> | undefined, reader: ConfigReader): Record<string, MessageTemplateConfig> {
  const templates: Record<string, MessageTemplateConfig> = {};
  for (const [name, source] of Object.entries(raw ?? {})) {
    if (!NAME.test(name)) {
      reader.problems.push({ ...reader.at(['templates', name]), message: `template name "${name}" is not allowed`, hint: 'use letters, digits, ".", "_" and "-", starting with a letter or digit' });
    }
    for (const p of compileMessageTemplate(source).problems) reader.problems.push(describe(p, ['templates', name, ...p.part], reader));
    // defineProperty: a template named __proto__ is a template, never the object's prototype.
    Object.defineProperty(templates, name, { value: source, enumerable: true, writable: true, configurable: true });
  }
  return templates;
}

function describe(p: TemplateProblem, segs: Segments, reader: ConfigReader): { path: string; line?: number; message: string; hint: string } {
  const { path, line } = reader.at(segs);
  const within = p.line !== undefined ? ` (template line ${p.line}${p.column !== undefined ? `, column ${p.column}` : ''})` : '';
  const variables = `the variables are: ${TEMPLATE_VARIABLE_NAMES.join(', ')}`;
  const near = p.unknownVariable !== undefined ? nearest(p.unknownVariable) : undefined;
  const hint = p.unknownVariable !== undefined
    ? `${near ? `did you mean "${near}"? ` : ''}${variables} (see "Message templates" in docs/messages.md)`
    : `fix the Liquid syntax; ${variables}`;
  return { path, line: lineInFile(reader, segs, line, p.line), message: `${p.message}${within}`, hint };
}

/**
 * The file line of a template's own line `n`: in a literal block (`|`) line n is n lines below the key; in a
 * one-line scalar it is the scalar's line; otherwise (a folded or multi-line quoted scalar) n - 1 lines below it,
 * which holds when the text was written one template line to a YAML line.
 */
function lineInFile(reader: ConfigReader, segs: Segments, nodeLine: number | undefined, n: number | undefined): number | undefined {
  if (nodeLine === undefined || n === undefined) return nodeLine;
  const node = reader.nodeAt(segs);
  const block = isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED);
  return block ? nodeLine + n : nodeLine + n - 1;
}

/** The template variable within one edit of `name` (two from five letters on; case aside), for "did you mean". */
function nearest(name: string): string | undefined {
  const lower = name.toLowerCase();
  return TEMPLATE_VARIABLE_NAMES.find((v) => v.toLowerCase() === lower) ?? TEMPLATE_VARIABLE_NAMES.find((v) => editDistance(lower, v.toLowerCase()) <= (name.length < 5 ? 1 : 2));
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** Every receiver's `template:` names a template under `templates:`. */
export function checkReceiverTemplates(receivers: readonly ReceiverConfig[], templates: Record<string, MessageTemplateConfig>, reader: ConfigReader): void {
  const names = Object.keys(templates);
  receivers.forEach((rc, i) => {
    if (rc.template === undefined || Object.hasOwn(templates, rc.template)) return;
    reader.problems.push({
      ...reader.at(['receivers', i, 'template']),
      message: `undefined template "${rc.template}" used in receiver "${rc.name}"`,
      hint: names.length > 0 ? `define it under templates, or use one of: ${names.join(', ')}` : 'define it under templates (see "Message templates" in docs/messages.md)',
    });
  });
}
