import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** What `/metrics` reports about the database when scraped. */
export interface MetricsSource {
  diskSize(): Promise<number>;
}

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Count, latency sum and latency buckets of one (method, route, status) series. */
interface RequestSeries {
  labels: string;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last slot is above the largest bound. */
  buckets: Float64Array;
}

function observe(series: RequestSeries, seconds: number): void {
  series.count++;
  series.sum += seconds;
  let i = 0;
  while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
  series.buckets[i]++;
}

/** A Prometheus label value, escaped. */
const labelValue = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/**
 * Prometheus metrics of one server (its own registry, so several servers in one process do not
 * collide). The per-request series (`korudelta_http_requests_total`,
 * `korudelta_http_request_duration_seconds`) and the read counter are plain numbers updated in a few
 * nanoseconds and rendered at scrape time: prom-client re-hashes the labels of every observation,
 * a real cost on the GET hot path. Everything else is prom-client's.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #writes: Counter;
  readonly #subscribers: Gauge;
  readonly #series = new Map<string, RequestSeries>();
  #reads = 0;

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'korudelta_' });
    this.#writes = new Counter({ name: 'korudelta_writes_total', help: 'Versions committed by this server process (puts, deletes, batch entries, imports)', registers });
    const reads = () => this.#reads;
    new Counter({
      name: 'korudelta_reads_total', help: 'Read operations served (gets, history, lists, queries, exports)', registers,
      collect() {
        this.reset();
        this.inc(reads());
      },
    });
    this.#subscribers = new Gauge({ name: 'korudelta_sse_subscribers', help: 'Open change-feed (SSE) connections', registers });
    new Gauge({
      name: 'korudelta_db_size_bytes', help: 'Bytes the database occupies on disk', registers,
      async collect() {
        this.set(await source.diskSize().catch(() => 0));
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    observe(this.#seriesOf(method, route, status), seconds);
  }

  /** An observer of one (method, route, status) series, found once: for the paths that answer one kind of request. */
  requestObserver(method: string, route: string, status: number): (seconds: number) => void {
    const series = this.#seriesOf(method, route, status);
    return (seconds) => observe(series, seconds);
  }

  #seriesOf(method: string, route: string, status: number): RequestSeries {
    const id = `${method} ${route} ${status}`;
    let series = this.#series.get(id);
    if (series === undefined) {
      // Unknown paths are all reported as one route, so this map stays bounded by the route table.
      series = {
        labels: `method=${labelValue(method)},route=${labelValue(route)},status=${labelValue(String(status))}`,
        count: 0, sum: 0, buckets: new Float64Array(BUCKETS.length + 1),
      };
      this.#series.set(id, series);
    }
    return series;
  }

  countWrites(n: number): void {
    this.#writes.inc(n);
  }

  countRead(): void {
    this.#reads++;
  }

  subscriberOpened(): void {
    this.#subscribers.inc();
  }

  subscriberClosed(): void {
    this.#subscribers.dec();
  }

  /** The request series in Prometheus text format. */
  #renderRequests(): string {
    const all = [...this.#series.values()];
    const out = [
      '# HELP korudelta_http_requests_total HTTP requests by route and status',
      '# TYPE korudelta_http_requests_total counter',
      ...all.map((s) => `korudelta_http_requests_total{${s.labels}} ${s.count}`),
      '# HELP korudelta_http_request_duration_seconds HTTP request latency by route and status',
      '# TYPE korudelta_http_request_duration_seconds histogram',
    ];
    for (const s of all) {
      let cumulative = 0;
      BUCKETS.forEach((bound, i) => {
        cumulative += s.buckets[i];
        out.push(`korudelta_http_request_duration_seconds_bucket{le="${bound}",${s.labels}} ${cumulative}`);
      });
      out.push(`korudelta_http_request_duration_seconds_bucket{le="+Inf",${s.labels}} ${s.count}`);
      out.push(`korudelta_http_request_duration_seconds_sum{${s.labels}} ${s.sum}`);
      out.push(`korudelta_http_request_duration_seconds_count{${s.labels}} ${s.count}`);
    }
    return `${out.join('\n')}\n`;
  }

  async render(): Promise<string> {
    const rest = await this.registry.metrics();
    return `${this.#renderRequests()}\n${rest}`;
  }
}
