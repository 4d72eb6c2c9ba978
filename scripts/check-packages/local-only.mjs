// Preloaded (`node --import`) into every README example `pnpm check:packages` runs: a connection to
// anything but this machine is refused, and the run then fails even if the example caught the
// error. README examples talk to discord-sim, PostgreSQL and Redis here — never to Discord or
// PluralKit (their packages' defaults): an example that forgets a base URL fails instead.
import net from "node:net";

const refused = [];
const isLocal = (host) =>
  host === "localhost" || host === "::1" || host === "::" || host === "0.0.0.0" || /^127\./.test(host);

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0]; // net.connect() passes normalised args
  const options = first !== null && typeof first === "object" ? first : { port: first, host: args[1] };
  const host = typeof options.host === "string" ? options.host : "localhost";
  if (options.path === undefined && !isLocal(host)) {
    const target = `${host}:${options.port}`;
    refused.push(target);
    process.nextTick(() =>
      this.destroy(
        new Error(`check:packages: README examples may connect only to this machine; refused ${target}`),
      ),
    );
    return this;
  }
  return connect.apply(this, args);
};

process.on("exit", () => {
  if (!refused.length) return;
  console.error(
    `check:packages: the example tried to reach ${[...new Set(refused)].join(", ")} (not this machine)`,
  );
  process.exitCode = 1;
});
