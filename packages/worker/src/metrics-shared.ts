import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Seconds from milliseconds. */
export const seconds = (ms: number): number => Math.max(0, ms) / 1000;

/**
 * The registry's metric `name`, or a new one made by `make`: counters and histograms survive a
 * task's restart (the series keep counting) and several components built on one registry (tests,
 * embedding) share them.
 */
function reuse<TMetric>(registry: Registry, name: string, make: () => TMetric): TMetric {
  return (registry.getSingleMetric(name) as TMetric | undefined) ?? make();
}

/** A counter registered once per registry. */
export function counterOn<TLabel extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly TLabel[] = [],
): Counter<TLabel> {
  return reuse(registry, name, () => new Counter({ name, help, labelNames, registers: [registry] }));
}

/** A gauge set by its owner (not read at scrape time), registered once per registry. */
export function gaugeOn<TLabel extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly TLabel[] = [],
): Gauge<TLabel> {
  return reuse(registry, name, () => new Gauge({ name, help, labelNames, registers: [registry] }));
}

/** A histogram registered once per registry. */
export function histogramOn<TLabel extends string>(
  registry: Registry,
  name: string,
  help: string,
  buckets: number[],
  labelNames: readonly TLabel[] = [],
): Histogram<TLabel> {
  return reuse(
    registry,
    name,
    () => new Histogram({ name, help, labelNames, buckets, registers: [registry] }),
  );
}

/**
 * A gauge (or a counter whose total a source keeps) read at scrape time: registering again (a
 * restarted task) replaces it, so it reads from the newest source. A `read` that fails (the
 * database is away) keeps the last values: one failing source never fails the whole scrape.
 */
export function replaceGauge<TLabel extends string>(
  registry: Registry,
  opts: {
    name: string;
    help: string;
    labelNames?: readonly TLabel[];
    /** `counter`: the source reports a running total (exposed with the counter type). */
    type?: "gauge" | "counter";
    read: () => Promise<ReadonlyArray<readonly [Partial<Record<TLabel, string>>, number]>>;
  },
): void {
  registry.removeSingleMetric(opts.name);
  const config = {
    name: opts.name,
    help: opts.help,
    labelNames: opts.labelNames ?? [],
    registers: [registry],
  };
  const refresh = async (write: (values: Awaited<ReturnType<typeof opts.read>>) => void) => {
    try {
      write(await opts.read());
    } catch {
      // keep the last values
    }
  };
  if (opts.type === "counter") {
    new Counter<TLabel>({
      ...config,
      async collect() {
        await refresh((values) => {
          this.reset();
          for (const [labels, value] of values) this.inc(labels, Math.max(0, value));
        });
      },
    });
    return;
  }
  new Gauge<TLabel>({
    ...config,
    async collect() {
      await refresh((values) => {
        this.reset();
        for (const [labels, value] of values) this.set(labels, value);
      });
    },
  });
}

/**
 * `target` with some methods replaced; every other property is the target's (methods bound to it),
 * so a port that grows a method is still served whole.
 */
export function intercept<TTarget extends object>(target: TTarget, overrides: Partial<TTarget>): TTarget {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (Object.hasOwn(overrides, prop)) return (overrides as Record<PropertyKey, unknown>)[prop];
      const value = Reflect.get(obj, prop, receiver);
      return typeof value === "function" ? value.bind(obj) : value;
    },
  });
}
