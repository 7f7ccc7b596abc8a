/** A refresh throttle: see `throttle`. */
export interface Throttle {
  readonly trigger: () => void;
  readonly cancel: () => void;
}

/**
 * `trigger()` runs `task` at once unless a run is going on or ended less than `gapMs` ago; then one more run
 * follows the gap, however many triggers came meanwhile. A burst of writes costs two refreshes, and the last
 * write is always covered by a run that starts after it.
 */
export function throttle(task: () => Promise<void>, gapMs: number): Throttle {
  let busy = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const trigger = (): void => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    void task()
      .catch(() => undefined)
      .finally(() => {
        timer = setTimeout(() => {
          busy = false;
          if (again) {
            again = false;
            trigger();
          }
        }, gapMs);
      });
  };
  return {
    trigger,
    cancel: () => {
      clearTimeout(timer);
      again = false;
    },
  };
}
