import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What `/metrics` reports about the database when scraped. */
export interface MetricsSource {
  diskSize(): Promise<number>;
}

type RequestLabels = 'method' | 'route' | 'status';

/**
 * Prometheus metrics of one server (its own registry, so several servers in one process do not
 * collide). Per-request updates go through cached label children: the label lookup is the costly
 * part of prom-client on a hot path.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<RequestLabels>;
  readonly #latency: Histogram<RequestLabels>;
  readonly #writes: Counter;
  readonly #reads: Counter;
  readonly #subscribers: Gauge;
  readonly #children = new Map<string, { count: Counter.Internal; latency: Histogram.Internal<RequestLabels> }>();

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'korudelta_' });
    this.#requests = new Counter({ name: 'korudelta_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers });
    this.#latency = new Histogram({
      name: 'korudelta_http_request_duration_seconds', help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'], registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    });
    this.#writes = new Counter({ name: 'korudelta_writes_total', help: 'Versions committed by this server process (puts, deletes, batch entries, imports)', registers });
    this.#reads = new Counter({ name: 'korudelta_reads_total', help: 'Read operations served (gets, history, lists, queries, exports)', registers });
    this.#subscribers = new Gauge({ name: 'korudelta_sse_subscribers', help: 'Open change-feed (SSE) connections', registers });
    new Gauge({
      name: 'korudelta_db_size_bytes', help: 'Bytes the database occupies on disk', registers,
      async collect() {
        this.set(await source.diskSize().catch(() => 0));
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const id = `${method} ${route} ${status}`;
    let child = this.#children.get(id);
    if (!child) {
      const labels = { method, route, status: String(status) };
      child = { count: this.#requests.labels(labels), latency: this.#latency.labels(labels) };
      // Unknown paths are all reported as one route, so this map stays bounded by the route table.
      this.#children.set(id, child);
    }
    child.count.inc();
    child.latency.observe(seconds);
  }

  countWrites(n: number): void {
    this.#writes.inc(n);
  }

  countRead(): void {
    this.#reads.inc();
  }

  subscriberOpened(): void {
    this.#subscribers.inc();
  }

  subscriberClosed(): void {
    this.#subscribers.dec();
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
