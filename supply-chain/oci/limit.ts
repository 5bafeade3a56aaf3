/** Bounded concurrency: at most `n` tasks of one limiter run at once. */

/** Runs tasks given to it with at most `n` at a time, in the order given. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** A limiter of `n` (at least 1). */
export function limiter(n: number): Limiter {
  const max = Math.max(1, Math.floor(n));
  let active = 0;
  const waiting: Array<() => void> = [];
  const next = (): void => {
    if (active < max && waiting.length > 0) {
      active++;
      waiting.shift()!();
    }
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}
