import { createSqliteTestStore, runStoreConformance } from "@guildkit/store-testkit";
import * as sqlite from "../src/index";

runStoreConformance({
  name: "store-sqlite",
  dialect: "sqlite",
  setup: (options) => createSqliteTestStore(sqlite, options),
});
