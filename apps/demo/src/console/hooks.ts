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
 * Runs `task` now and again at most every `gapMs` when `trigger()` is called, never two at once: a burst of
 * writes costs one refresh, and the last write is always covered by a refresh that starts after it.
 */
export function useCoalesced(task: () => Promise<void>, gapMs: number): () => void {
  const latest = useRef(task);
  latest.current = task;
  const state = useRef({ running: false, again: false, timer: undefined as ReturnType<typeof setTimeout> | undefined });
  useEffect(() => () => { clearTimeout(state.current.timer); }, []);
  const run = (): void => {
    const s = state.current;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    void latest.current().finally(() => {
      s.running = false;
      if (s.again) {
        s.again = false;
        s.timer = setTimeout(run, gapMs);
      }
    });
  };
  return run;
}
