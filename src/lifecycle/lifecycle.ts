import type { Server } from 'node:http';
import { shutDown, type ShutDownDeps } from './shut-down.js';
import { startUp, type StartUpDeps } from './start-up.js';

/** What start-up and shutdown need, less what start() hands stop() (the server) and what stop() reads then (the timeout). */
export type LifecycleDeps = StartUpDeps & Omit<ShutDownDeps, 'server' | 'timeoutMs'>;

/** The bridge's start and stop: the phases are in start-up.ts and shut-down.ts; this keeps the server between them. */
export function createLifecycle(deps: LifecycleDeps) {
  let server: ShutDownDeps['server'];
  return {
    /** Starts the receivers, the HTTP server(s) and the pipeline; resolves with the port listened on (and server.internal's). */
    async start(): Promise<{ port: number; internalPort?: number }> {
      const listening = await startUp(deps);
      server = listening.internal ? together(listening.server, listening.internal.server) : listening.server;
      return listening.internal ? { port: listening.port, internalPort: listening.internal.port } : { port: listening.port };
    },
    /**
     * Graceful stop: refuse new webhooks (503), finish requests in flight,
     * let deliveries finish within server.shutdownTimeout, leave the rest queued.
     */
    async stop(): Promise<void> {
      await shutDown({ ...deps, server, timeoutMs: deps.live.config().server.shutdownTimeoutMs });
      // Deliveries are over: the connections they used (the SMTP pool) can go.
      deps.live.state().close?.();
    },
  };
}

/** The public and the internal listener as one for shutdown: closed together, `close` calling back once both have. */
function together(a: Server, b: Server): NonNullable<ShutDownDeps['server']> {
  return {
    close(callback) {
      let open = 2;
      const closed = () => {
        open -= 1;
        if (open === 0) callback?.();
      };
      a.close(closed);
      b.close(closed);
      return a;
    },
    closeIdleConnections() {
      a.closeIdleConnections();
      b.closeIdleConnections();
    },
    closeAllConnections() {
      a.closeAllConnections();
      b.closeAllConnections();
    },
  };
}
