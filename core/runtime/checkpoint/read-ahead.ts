/**
 * Pulls chunks from a snapshot ahead of the consumer, up to `maxBytes` buffered, so the
 * state is serialised while earlier chunks are still being written to the store. A state
 * capture costs the running job something on every access while it is open; this way it
 * stays open for the serialisation only, not for the store's I/O as well.
 */
export async function* readAhead(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = [];
  let buffered = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const signal = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const producer = (async () => {
    try {
      for await (const chunk of source) {
        ready.push(chunk);
        buffered += chunk.byteLength;
        signal();
        while (buffered >= maxBytes && !stopped) await new Promise<void>((resolve) => (wakeProducer = resolve));
        if (stopped) return;
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      signal();
    }
  })();
  try {
    for (;;) {
      if (ready.length > 0) {
        const chunk = ready.shift()!;
        buffered -= chunk.byteLength;
        wakeProducer?.();
        wakeProducer = undefined;
        yield chunk;
        continue;
      }
      if (failure) throw failure.error;
      if (done) return;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    // The consumer stopped (done, or failed): the producer leaves at its next chunk, closing
    // the source; it catches its own errors, so it is not awaited.
    stopped = true;
    wakeProducer?.();
    void producer;
  }
}
