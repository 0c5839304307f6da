import { hash } from 'node:crypto';
import type { AverEvent } from '../model/event.js';

/** The same (type, id, groupId, status) within the dedup window is one event. */
export function dedupKey(e: Pick<AverEvent, 'type' | 'id' | 'groupId' | 'status'>): string {
  return hash('sha256', JSON.stringify([e.type, e.id, e.groupId, e.status]), 'base64url');
}
