import { collectDefaultMetrics, Registry } from "prom-client";

/** A Prometheus registry with Node's default metrics, labelled with the app name. */
export function createMetrics(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}
