import { describeDiscordLogin } from "@guildkit/example-shared/testing";
import { startHonoExample } from "../src/app";

describeDiscordLogin("Hono", (config) => startHonoExample({ ...config, port: 0 }));
