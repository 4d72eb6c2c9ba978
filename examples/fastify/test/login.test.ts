import { describeDiscordLogin } from "@guildkit/example-shared/testing";
import { startFastifyExample } from "../src/app";

describeDiscordLogin("Fastify", (config) => startFastifyExample({ ...config, port: 0 }));
