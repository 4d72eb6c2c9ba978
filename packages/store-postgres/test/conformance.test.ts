import {
  checkPostgres,
  createPostgresTestStore,
  HOST_USERS,
  hostMemberCases,
  runStoreConformance,
} from "@guildkit/store-testkit";
import * as postgres from "../src/index";

const target = await checkPostgres();

runStoreConformance({
  name: "store-postgres",
  dialect: "postgres",
  skip: target.skipReason,
  setup: (options) => createPostgresTestStore(postgres, { ...options, connectionString: target.url }),
});

// Once more on a host's own users table (`members: { table: "app_users", id: "user_id", … }`).
runStoreConformance(
  {
    name: "store-postgres",
    dialect: "postgres",
    skip: target.skipReason,
    hostMembers: HOST_USERS,
    setup: (options) => createPostgresTestStore(postgres, { ...options, connectionString: target.url }),
  },
  [hostMemberCases],
);
