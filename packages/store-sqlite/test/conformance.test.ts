import {
  createSqliteTestStore,
  HOST_USERS,
  hostMemberCases,
  runStoreConformance,
} from "@guildkit/store-testkit";
import * as sqlite from "../src/index";

runStoreConformance({
  name: "store-sqlite",
  dialect: "sqlite",
  setup: (options) => createSqliteTestStore(sqlite, options),
});

// Once more on a host's own users table (`members: { table: "app_users", id: "user_id", … }`).
runStoreConformance(
  {
    name: "store-sqlite",
    dialect: "sqlite",
    hostMembers: HOST_USERS,
    setup: (options) => createSqliteTestStore(sqlite, options),
  },
  [hostMemberCases],
);
