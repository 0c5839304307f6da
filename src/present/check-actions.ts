import type { ActionButton, CheckPerson, CheckState } from '../model/check-state.js';
import { DEFAULT_DISPLAY, type DisplayConfig } from '../model/config.js';
import { createTimeFormat, type MessageTime } from './format-time.js';
import type { Message, Worded } from './message.js';
import { statusWords } from './words.js';

/** A button a message can carry: *Acknowledge*, *Assign to me*, *Unassign*. */
export type MessageButton = 'acknowledge' | 'assign' | 'unassign';

/** Each button's label, the same in every channel. */
export const BUTTON_LABELS: Readonly<Record<MessageButton, string>> = { acknowledge: 'Acknowledge', assign: 'Assign to me', unassign: 'Unassign' };

/** Who is on the check, as a message shows it: each with a time in the display zone. */
export interface MessageCheckState {
  /** `current`: it was this message's status that was acknowledged (else an earlier one, `status`). */
  acknowledged?: { by: CheckPerson; time: MessageTime; status: Worded; current: boolean };
  assigned?: { to: CheckPerson; by: CheckPerson; time: MessageTime };
}

/** The buttons a message carries beside "Open in Aver", and the check they act on (its entity key). */
export interface MessageActions {
  check: string;
  buttons: MessageButton[];
}

/** The severities whose messages carry the buttons: the ones that need people. */
const NEEDS_PEOPLE: ReadonlySet<Message['severity']> = new Set(['attention', 'action']);

/**
 * The message with who is on the check (`checkState`) and its buttons (`actions`), for a receiver with `actions:`.
 * The state shows on every message that has one; the buttons only on attention and action: *Acknowledge* until
 * this status is acknowledged (a later status that needs people brings it back), *Assign to me* always, and
 * *Unassign* while someone is assigned. Pure.
 */
export function withCheckActions(
  message: Message,
  input: { entityKey: string; state: CheckState | null; buttons: readonly ActionButton[]; display?: DisplayConfig },
): Message {
  if (input.buttons.length === 0) return message;
  const format = createTimeFormat(input.display ?? DEFAULT_DISPLAY);
  const state = input.state ?? {};
  const shown: MessageCheckState = {
    ...(state.acknowledged ? {
      acknowledged: {
        by: state.acknowledged.by, time: format.at(state.acknowledged.at),
        status: { code: state.acknowledged.status, words: statusWords(state.acknowledged.status) }, current: state.acknowledged.eventId === message.eventId,
      },
    } : {}),
    ...(state.assigned ? { assigned: { to: state.assigned.to, by: state.assigned.by, time: format.at(state.assigned.at) } } : {}),
  };
  const buttons: MessageButton[] = [];
  if (NEEDS_PEOPLE.has(message.severity)) {
    if (input.buttons.includes('acknowledge') && !shown.acknowledged?.current) buttons.push('acknowledge');
    if (input.buttons.includes('assign')) buttons.push(...(shown.assigned ? ['assign', 'unassign'] as const : ['assign'] as const));
  }
  return {
    ...message,
    ...(shown.acknowledged || shown.assigned ? { checkState: shown } : {}),
    ...(buttons.length > 0 ? { actions: { check: input.entityKey, buttons } } : {}),
  };
}

/** How a renderer writes the parts of a state line from outside: a person, a time, a status's words (each escaped its own way). */
export interface StateLineWriter {
  person(p: CheckPerson): string;
  time(t: MessageTime): string;
  text(s: string): string;
}

/**
 * The state as lines: "Acknowledged by dana · 14:02" (", when it was in review" for an earlier status), "Assigned
 * to lee". The words around them are the bridge's own, safe in every channel.
 */
export function checkStateLines(state: MessageCheckState, w: StateLineWriter): string[] {
  const lines: string[] = [];
  const ack = state.acknowledged;
  if (ack) lines.push(`Acknowledged by ${w.person(ack.by)} · ${w.time(ack.time)}${ack.current ? '' : `, when it was ${w.text(ack.status.words)}`}`);
  if (state.assigned) lines.push(`Assigned to ${w.person(state.assigned.to)}`);
  return lines;
}
