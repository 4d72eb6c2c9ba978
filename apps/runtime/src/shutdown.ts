/**
 * An AbortSignal that fires on SIGTERM or SIGINT, so loops can finish the item in hand and stop.
 * A second signal exits at once.
 */
export function shutdownSignal(onSignal?: (signal: NodeJS.Signals) => void): AbortSignal {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onSignal?.(signal);
    controller.abort(new Error(`received ${signal}`));
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return controller.signal;
}
