import { describeDiscordLogin } from "@guildkit/example-shared/testing";
import { startExpressExample } from "../src/app";

describeDiscordLogin("Express", (config) => startExpressExample({ ...config, port: 0 }));
