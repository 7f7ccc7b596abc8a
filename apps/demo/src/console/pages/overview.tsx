import type { StatsResponse } from '@kilndb/server/client';
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/messages.js';
import { failureText, useStudio } from '../context.js';
import { useThrottled, useFeed } from '../hooks.js';
import type { FeedItem } from '../lib/live-feed.js';
import { hrefOf } from '../lib/route.js';
import { applyChange } from '../lib/stats-change.js';

/** The first screen: collections with their counts, and the live change feed; both follow writes as they happen. */
export function OverviewPage() {
  const studio = useStudio();
  const [stats, setStats] = useState<StatsResponse>();
  const [error, setError] = useState<string>();
  const refresh = useThrottled(async () => {
    try {
      setStats(await studio.client.stats());
      setError(undefined);
    } catch (failure) {
      setError(failureText(studio, failure));
    }
  }, 2000);
  useEffect(refresh, []);
  const { items, status } = useFeed((change) => {
    setStats((current) => (current === undefined ? current : applyChange(current, change)));
    refresh();
  });
  const names = Object.keys(stats?.collections ?? {}).sort();

  return (
    <div class="overview">
      <section aria-labelledby="collections-heading">
        <h1 id="collections-heading">Collections</h1>
        <ErrorMessage text={error} />
        {stats === undefined ? (
          <p>Loading…</p>
        ) : names.length === 0 ? (
          <p>No collections yet. Insert a document from the Query page or through the API.</p>
        ) : (
          <table class="collections">
            <thead>
              <tr>
                <th scope="col">Collection</th>
                <th scope="col" class="num">
                  Documents
                </th>
              </tr>
            </thead>
            <tbody>
              {names.map((name) => (
                <tr key={name} data-collection={name}>
                  <td>
                    <a href={hrefOf({ page: 'collection', name })}>{name}</a>
                  </td>
                  <td class="num" data-testid={`count-${name}`}>
                    {stats.collections[name]?.count ?? 0}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td class="num">{stats.total}</td>
              </tr>
            </tfoot>
          </table>
        )}
      </section>
      <section aria-labelledby="feed-heading">
        <h2 id="feed-heading">
          Live changes <span class={`badge ${status}`}>{status}</span>
        </h2>
        {items.length === 0 ? (
          <p>Waiting for writes… (changes made anywhere appear here as they happen)</p>
        ) : (
          <ol class="feed" aria-label="Recent changes, newest first">
            {items.map((item) => (
              <li key={item.id}>
                <time dateTime={new Date(item.at).toISOString()}>{new Date(item.at).toLocaleTimeString()}</time>{' '}
                <a href={hrefOf({ page: 'collection', name: item.collection })}>{item.collection}</a> <code>{item.key}</code> {describe(item)}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function describe(item: FeedItem): string {
  if (item.key === '*') return 'collection dropped';
  return item.new_v === null ? 'deleted' : `written (v${item.new_v})`;
}
