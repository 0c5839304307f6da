/** How much of an answer the webhook-style receivers read before giving up on it. */
export const ANSWER_READ_LIMIT = 65_536;

/**
 * Reads and drops the body of an answer whose status is all that counts, so the connection can be reused;
 * gives up on a large (or endless) one after `limit` bytes rather than buffer it. Never throws: a broken
 * answer body changes nothing.
 */
export async function drainAnswer(res: { body: ReadableStream<Uint8Array> | null }, limit = ANSWER_READ_LIMIT): Promise<void> {
  if (!res.body) return;
  const reader = res.body.getReader();
  try {
    for (let seen = 0; seen <= limit;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The status is what counts.
  }
}
