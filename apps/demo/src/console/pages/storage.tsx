import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage, Notice } from '../components/messages.js';
import { Sparkline } from '../components/sparkline.js';
import { failureText, useStudio } from '../context.js';
import { formatBytes, formatDuration } from '../lib/format.js';
import { batchBetween, readStorageFigures, type StorageFigures } from '../lib/storage-figures.js';
import { IndexesAndSchema } from './indexes-schema.js';
import { Tokens } from './tokens.js';

const SAMPLES = 60;
const POLL_MS = 1000;

interface Sample {
  readonly figures: StorageFigures;
  readonly batch: number | undefined;
}

/** The log and snapshot figures, sampled every second and charted; snapshot and compaction; indexes, schemas, tokens. */
export function StoragePage() {
  const studio = useStudio();
  const [samples, setSamples] = useState<readonly Sample[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState<'snapshot' | 'compact'>();
  const previous = useRef<StorageFigures>();

  const sample = async (): Promise<void> => {
    try {
      const figures = readStorageFigures(await studio.client.storage());
      const batch = batchBetween(previous.current, figures);
      previous.current = figures;
      setSamples((list) => [...list, { figures, batch }].slice(-SAMPLES));
      setError(undefined);
    } catch (failure) {
      setError(failureText(studio, failure));
    }
  };

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = (): void => {
      void sample().finally(() => {
        if (!stopped) timer = setTimeout(tick, POLL_MS);
      });
    };
    tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [studio]);

  const act = async (what: 'snapshot' | 'compact'): Promise<void> => {
    setBusy(what);
    setNotice('');
    try {
      const started = performance.now();
      await (what === 'snapshot' ? studio.client.snapshot() : studio.client.compact());
      setNotice(`${what === 'snapshot' ? 'Snapshot written' : 'Compaction finished'} in ${(performance.now() - started).toFixed(0)} ms.`);
      await sample();
    } catch (failure) {
      setError(failureText(studio, failure));
    } finally {
      setBusy(undefined);
    }
  };

  const latest = samples.at(-1)?.figures;
  const series = (pick: (s: Sample) => number | undefined) => samples.map(pick);
  return (
    <div class="storage">
      <h1>Storage</h1>
      <ErrorMessage text={error} />
      {latest === undefined ? (
        <p>Loading…</p>
      ) : (
        <>
          <dl class="figures">
            <Figure label="Log size" value={opt(latest.logBytes, formatBytes)} />
            <Figure label="Live bytes" value={opt(latest.liveBytes, formatBytes)} />
            <Figure label="Dead bytes" value={opt(latest.deadBytes, formatBytes)} />
            <Figure label="Segments" value={opt(latest.segments, String)} />
            <Figure label="Snapshot" value={latest.snapshotSeq === undefined ? 'none yet' : `seq ${latest.snapshotSeq}`} />
            <Figure label="Snapshot age" value={opt(latest.snapshotAgeMs, formatDuration)} />
            <Figure label="Compactions" value={opt(latest.compactions, String)} />
          </dl>
          <div class="charts">
            <Sparkline title="Log size" format={formatBytes} series={[{ label: 'log', tone: 'a', values: series((s) => s.figures.logBytes) }]} />
            <Sparkline
              title="Live and dead bytes"
              format={formatBytes}
              series={[
                { label: 'live', tone: 'a', values: series((s) => s.figures.liveBytes) },
                { label: 'dead', tone: 'b', values: series((s) => s.figures.deadBytes) },
              ]}
            />
            <Sparkline title="Group-commit batch (writes per sync)" format={(v) => v.toFixed(1)} series={[{ label: 'mean batch', tone: 'a', values: series((s) => s.batch) }]} />
            <Sparkline
              title="Write latency (recent writes)"
              format={(v) => `${v.toFixed(1)} ms`}
              series={[
                { label: 'p50', tone: 'a', values: series((s) => s.figures.writeP50Ms) },
                { label: 'p99', tone: 'b', values: series((s) => s.figures.writeP99Ms) },
              ]}
            />
          </div>
        </>
      )}
      <p class="toolbar">
        <button type="button" disabled={busy !== undefined} onClick={() => void act('snapshot')}>
          {busy === 'snapshot' ? 'Writing snapshot…' : 'Take snapshot'}
        </button>
        <button type="button" disabled={busy !== undefined} onClick={() => void act('compact')}>
          {busy === 'compact' ? 'Compacting…' : 'Compact now'}
        </button>
      </p>
      {notice === '' ? null : <Notice>{notice}</Notice>}
      <IndexesAndSchema />
      <Tokens />
    </div>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function opt(value: number | undefined, format: (value: number) => string): string {
  return value === undefined ? 'not reported' : format(value);
}
