// autocannon ships no types and @types/autocannon is not a dependency; the bench uses a small part of its API.
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => import('node:events').EventEmitter;
  export default autocannon;
}
