import { checkPostgres, createPostgresTestStore, runStoreConformance } from "@guildkit/store-testkit";
import * as postgres from "../src/index";

const target = await checkPostgres();

runStoreConformance({
  name: "store-postgres",
  dialect: "postgres",
  skip: target.skipReason,
  setup: (options) => createPostgresTestStore(postgres, { ...options, connectionString: target.url }),
});
