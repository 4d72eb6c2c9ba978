import { createTsupConfig } from "../../tsup.config.base";

export default createTsupConfig({ entry: ["src/index.ts", "src/system.ts", "src/testing.ts"] });
