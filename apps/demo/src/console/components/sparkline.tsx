export interface Series {
  readonly label: string;
  readonly values: readonly (number | undefined)[];
  /** A CSS class giving the line its colour. */
  readonly tone: 'a' | 'b';
}

const WIDTH = 240;
const HEIGHT = 60;

/**
 * A small line chart in plain SVG: one or two series over the last samples, scaled to their joint maximum.
 * The latest values are printed beside it, so the chart is decoration and the numbers are the content.
 */
export function Sparkline({ title, series, format }: { title: string; series: readonly Series[]; format: (value: number) => string }) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const max = Math.max(1e-9, ...all);
  const latest = series.map((s) => ({ label: s.label, tone: s.tone, value: [...s.values].reverse().find((v) => v !== undefined) }));
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={`${title}: ${latest.map((l) => `${l.label} ${l.value === undefined ? 'not reported' : format(l.value)}`).join(', ')}`}>
        <line x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} class="axis" />
        {series.map((s) => (
          <polyline key={s.label} class={`line tone-${s.tone}`} points={points(s.values, max)} />
        ))}
      </svg>
      <dl class="latest">
        {latest.map((l) => (
          <div key={l.label}>
            <dt class={`tone-${l.tone}`}>{l.label}</dt>
            <dd>{l.value === undefined ? 'not reported' : format(l.value)}</dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}

function points(values: readonly (number | undefined)[], max: number): string {
  const step = values.length > 1 ? WIDTH / (values.length - 1) : WIDTH;
  const out: string[] = [];
  values.forEach((value, i) => {
    if (value === undefined) return;
    const y = HEIGHT - 2 - (value / max) * (HEIGHT - 6);
    out.push(`${(i * step).toFixed(1)},${y.toFixed(1)}`);
  });
  return out.join(' ');
}
