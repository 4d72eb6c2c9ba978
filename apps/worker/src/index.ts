/** The reference worker's own pieces (the relay); the tasks and the CLI are `@guildkit/worker`'s. */
export { registerRelay } from "./commands/relay";
