/**
 * One stream read once, consumed by several readers (parser, signature verifier, blob writer)
 * at the pace of the slowest: at most `window` chunks are held, so memory stays bounded
 * whatever the package size. `fail(error)` makes every reader throw on its next read.
 */
export interface Tee {
  readonly branches: AsyncIterable<Buffer>[];
  fail(error: unknown): void;
}

export function tee(source: AsyncIterable<Buffer>, count: number, window = 4): Tee {
  const iterator = source[Symbol.asyncIterator]();
  const queue: Buffer[] = [];
  let base = 0; // index of queue[0]
  const positions = new Array<number>(count).fill(0);
  const detached = new Array<boolean>(count).fill(false);
  let done = false;
  let failure: { error: unknown } | undefined;
  let pulling: Promise<void> | undefined;
  let waiters: (() => void)[] = [];

  const notify = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));
  const trim = () => {
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) if (!detached[i]) min = Math.min(min, positions[i]!);
    if (min === Number.POSITIVE_INFINITY) min = base + queue.length;
    while (base < min && queue.length > 0) {
      queue.shift();
      base++;
    }
  };
  const pull = () => {
    pulling ??= (async () => {
      try {
        const r = await iterator.next();
        if (r.done) done = true;
        else queue.push(Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value));
      } catch (error) {
        failure ??= { error };
      } finally {
        pulling = undefined;
        notify();
      }
    })();
  };

  const branch = (i: number): AsyncIterable<Buffer> => ({
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<Buffer>> {
        for (;;) {
          if (failure) throw failure.error;
          const at = positions[i]!;
          if (at < base + queue.length) {
            positions[i] = at + 1;
            const chunk = queue[at - base]!;
            trim();
            notify();
            return { done: false, value: chunk };
          }
          if (done) return { done: true, value: undefined };
          if (queue.length < window) pull();
          await changed();
        }
      },
      async return(): Promise<IteratorResult<Buffer>> {
        detached[i] = true;
        trim();
        notify();
        return { done: true, value: undefined };
      },
    }),
  });

  return {
    branches: Array.from({ length: count }, (_, i) => branch(i)),
    fail(error) {
      failure ??= { error };
      notify();
      void iterator.return?.();
    },
  };
}
