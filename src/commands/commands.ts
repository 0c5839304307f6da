import { randomBytes } from 'node:crypto';
import { dedupKey } from '../aver/dedup-key.js';
import { entityKey, groupName, labelsOf, type AverEvent } from '../model/event.js';
import { newEventId } from '../aver/event-id.js';
import type { Clock } from '../clock.js';
import type { RoutingState } from '../pipeline/route-events.js';
import { flattenRoutes } from '../routing/tree.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Store } from '../store/store.js';
import type { ChatCommands, RouteAnswer, StatusAnswer } from '../model/chat-commands.js';
import { createCheckActions, type CheckActionsDeps } from './check-actions.js';
import { routedCheck } from './routed-check.js';

/** The chat commands, answered from the live routing state and the store. */
export function createChatCommands(deps: { state: () => RoutingState; store: Store; inbox: GroupCommit; clock: Clock; onAccepted: () => void } & CheckActionsDeps): ChatCommands {
  return {
    routes(receiverNames) {
      const wanted = new Set(receiverNames);
      const { tree } = deps.state();
      return flattenRoutes(tree)
        .filter(({ route }) => wanted.has(route.receiver))
        .map(({ route, matchers }): RouteAnswer => ({ receiver: route.receiver, matchers: matchers.map((m) => m.text), isDefault: route === tree }));
    },

    async status(id, receiverNames) {
      const wanted = new Set(receiverNames);
      // The entity this channel was told about: the type of the newest event routed to one of its receivers.
      const check = await routedCheck(deps.store, id.trim(), wanted);
      if (!check) return null;
      const latest = check.events[check.events.length - 1];
      const [stored, checkState] = await Promise.all([deps.store.getEvent(latest.eventId), deps.store.getCheckState(check.entityKey)]);
      const jobs = latest.jobs.filter((j) => wanted.has(j.receiver));
      const groups = deps.state().groups;
      return {
        type: check.type,
        id: check.id,
        groupId: latest.groupId,
        group: groupName(groups, latest.groupId),
        status: latest.status,
        history: check.events.map(({ status, at }) => ({ status, at })),
        details: stored?.details ?? null,
        deliveries: jobs.map((j) => ({ receiver: j.receiver, state: j.state, attempts: j.attempts, lastReason: j.lastReason })),
        ...(checkState ? { checkState } : {}),
      } satisfies StatusAnswer;
    },

    act: createCheckActions(deps),

    async test(receiverNames) {
      const now = deps.clock.now();
      const event: AverEvent = {
        eventId: newEventId(now),
        type: 'LiveCheck',
        id: `test-${randomBytes(4).toString('hex')}`,
        groupId: 'aver-bridge-test',
        status: 'Completed',
        receivedAt: now,
        unknownType: false,
        unknownStatus: false,
        raw: { test: true },
      };
      const { receivers, groups } = deps.state();
      const labels = { ...labelsOf(event, groups), test: 'true' };
      const jobs = receiverNames.flatMap((name) => {
        const r = receivers.get(name);
        return r ? [{ receiver: name, entityKey: entityKey(event), destinationKey: r.destinationKey({ receiver: name, event, labels }) }] : [];
      });
      await deps.inbox.append({ event, dedupKey: dedupKey(event), dedupUntil: now, preRouted: { labels, jobs } });
      deps.onAccepted();
      return { eventId: event.eventId, entityId: event.id };
    },
  };
}
