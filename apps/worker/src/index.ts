/** The reference worker only wires `@guildkit/worker` (tasks, CLI, relay): nothing of its own to export. */
export {};
