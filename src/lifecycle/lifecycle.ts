import type { Server } from 'node:http';
import { shutDown, type ShutDownDeps } from './shut-down.js';
import { startUp, type StartUpDeps } from './start-up.js';

/** What start-up and shutdown need, less what start() hands stop() (the server) and what stop() reads then (the timeout). */
export type LifecycleDeps = StartUpDeps & Omit<ShutDownDeps, 'server' | 'timeoutMs'>;

/** The bridge's start and stop: the phases are in start-up.ts and shut-down.ts; this keeps the server between them. */
export function createLifecycle(deps: LifecycleDeps) {
  let server: Server | undefined;
  return {
    /** Starts the receivers, the HTTP server and the pipeline; resolves with the port listened on. */
    async start(): Promise<{ port: number }> {
      const listening = await startUp(deps);
      server = listening.server;
      return { port: listening.port };
    },
    /**
     * Graceful stop: refuse new webhooks (503), finish requests in flight,
     * let deliveries finish within server.shutdownTimeout, leave the rest queued.
     */
    stop: (): Promise<void> => shutDown({ ...deps, server, timeoutMs: deps.live.config().server.shutdownTimeoutMs }),
  };
}
