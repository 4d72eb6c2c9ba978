import { createBrowserBindings, type VerifiedBrowserBinding } from "../src/browser-binding";
import { SECRET } from "./fakes";

/**
 * A browser binding issued by a server with `secret` (default: the tests' `SECRET`, i.e. the flows
 * under test) at `now` — another browser's binding of the same deployment, or (with another secret)
 * one this deployment never issued.
 */
export function issueBinding(opts: { secret?: string; now?: Date } = {}): VerifiedBrowserBinding {
  const now = opts.now ?? new Date();
  return createBrowserBindings({ secret: opts.secret ?? SECRET, clock: { now: () => now } }).issue();
}

/** The cookie value of {@link issueBinding}. */
export function bindingValue(opts: { secret?: string; now?: Date } = {}): string {
  return issueBinding(opts).value;
}
