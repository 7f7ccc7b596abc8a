import { useEffect, useRef, useState } from 'preact/hooks';
import type { FeedItem, FeedStatus } from './lib/live-feed.js';
import { useStudio } from './context.js';

/** The shared feed's recent changes and status, re-rendering on each change; `onChange` also runs per change. */
export function useFeed(onChange?: (item: FeedItem) => void): { items: readonly FeedItem[]; status: FeedStatus } {
  const { feed } = useStudio();
  const [state, setState] = useState({ items: feed.items, status: feed.status });
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(
    () =>
      feed.listen((item) => {
        setState({ items: feed.items, status: feed.status });
        if (item !== undefined) callback.current?.(item);
      }),
    [feed],
  );
  return state;
}

/**
 * A throttle for refreshes: `trigger()` runs `task` at once unless one ran less than `gapMs` ago (or is still
 * running), in which case one more run follows the gap. A burst of writes costs two refreshes, and the last
 * write is always covered by a refresh that starts after it.
 */
export function useCoalesced(task: () => Promise<void>, gapMs: number): () => void {
  const latest = useRef(task);
  latest.current = task;
  const state = useRef({ busy: false, again: false, timer: undefined as ReturnType<typeof setTimeout> | undefined });
  useEffect(() => () => {
    clearTimeout(state.current.timer);
  }, []);
  const run = (): void => {
    const s = state.current;
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    void latest.current().finally(() => {
      s.timer = setTimeout(() => {
        s.busy = false;
        if (s.again) {
          s.again = false;
          run();
        }
      }, gapMs);
    });
  };
  return run;
}
