import { useEffect, useRef, useState } from 'preact/hooks';
import type { FeedItem, FeedStatus } from './lib/live-feed.js';
import { throttle } from './lib/throttle.js';
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

/** `throttle` for a component: the latest `task` runs; a pending run is dropped on unmount. */
export function useThrottled(task: () => Promise<void>, gapMs: number): () => void {
  const latest = useRef(task);
  latest.current = task;
  const [throttled] = useState(() => throttle(() => latest.current(), gapMs));
  useEffect(() => () => {
    throttled.cancel();
  }, [throttled]);
  return throttled.trigger;
}
