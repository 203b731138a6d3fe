/**
 * Group commit: calls made while a batch is being written wait and go together in the next batch.
 * Nothing waits on a timer — an idle system writes a single item at once; under load the batches grow
 * by themselves (the WeCom callback endpoint stores ~7–10 deliveries per statement at 50 connections,
 * ~19 with one batch in flight, instead of one). Every caller gets its own item's result, or the batch's
 * error.
 */
export interface GroupCommitOptions {
  /** Most items in one batch. */
  maxBatch: number;
  /** Batches being written at once (each may use its own database connection). */
  maxInFlight: number;
}

export function groupCommit<I, O>(
  run: (items: I[]) => Promise<O[]>,
  opts: GroupCommitOptions,
): (item: I) => Promise<O> {
  const waiting: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = 0;

  const pump = (): void => {
    while (inFlight < opts.maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, opts.maxBatch);
      inFlight++;
      run(batch.map((w) => w.item))
        .then((results) => {
          if (results.length !== batch.length)
            throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
          for (const [i, w] of batch.entries()) w.resolve(results[i] as O);
        })
        .catch((err: unknown) => {
          for (const w of batch) w.reject(err);
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}
