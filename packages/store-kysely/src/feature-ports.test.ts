// The stores declare the ports of their optional-peer cores structurally (role-sync/ports.ts,
// speedbump/ports.ts) so their published types do not import those cores. These assertions are
// checked by `pnpm typecheck` (tsc over this file): a declaration that drifts from its original in
// @guildkit/role-reconciler or @guildkit/pk-speedbump — a field added, removed, renamed, made
// optional or given another type — fails the build. At run time they only prove the file loads.

import type * as Speedbump from "@guildkit/pk-speedbump";
import * as Reconciler from "@guildkit/role-reconciler";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { StorePorts } from "./ports";
import * as Connections from "./role-connections/ports";
import type * as RoleSync from "./role-sync/ports";
import type * as Bump from "./speedbump/ports";

describe("the stores' copies of optional-peer port types (checked by the typecheck)", () => {
  it("role-sync ports are exactly @guildkit/role-reconciler's", () => {
    expectTypeOf<RoleSync.SyncState>().toEqualTypeOf<Reconciler.SyncState>();
    expectTypeOf<RoleSync.MemberAttributes>().toEqualTypeOf<Reconciler.MemberAttributes>();
    expectTypeOf<RoleSync.StoredProfile>().toEqualTypeOf<Reconciler.StoredProfile>();
    expectTypeOf<RoleSync.StoredAvatar>().toEqualTypeOf<Reconciler.StoredAvatar>();
    expectTypeOf<RoleSync.SyncEntry>().toEqualTypeOf<Reconciler.SyncEntry>();
    expectTypeOf<RoleSync.SyncItem>().toEqualTypeOf<Reconciler.SyncItem>();
    expectTypeOf<RoleSync.SyncOutcome>().toEqualTypeOf<Reconciler.SyncOutcome>();
    expectTypeOf<RoleSync.ClaimOptions>().toEqualTypeOf<Reconciler.ClaimOptions>();
    expectTypeOf<RoleSync.SyncQueue>().toEqualTypeOf<Reconciler.SyncQueue>();
    expectTypeOf<RoleSync.LinkedMember>().toEqualTypeOf<Reconciler.LinkedMember>();
    expectTypeOf<RoleSync.LinkedMembers>().toEqualTypeOf<Reconciler.LinkedMembers>();
    expectTypeOf<RoleSync.Grant>().toEqualTypeOf<Reconciler.Grant>();
    expectTypeOf<RoleSync.GrantOrigin>().toEqualTypeOf<Reconciler.GrantOrigin>();
    expectTypeOf<RoleSync.NewGrant>().toEqualTypeOf<Reconciler.NewGrant>();
    expectTypeOf<RoleSync.LedgerRow>().toEqualTypeOf<Reconciler.LedgerRow>();
    expectTypeOf<RoleSync.GrantLedger>().toEqualTypeOf<Reconciler.GrantLedger>();
    expectTypeOf<RoleSync.ProfileUpdate>().toEqualTypeOf<Reconciler.ProfileUpdate>();
    expectTypeOf<RoleSync.MemberProfiles>().toEqualTypeOf<Reconciler.MemberProfiles>();
  });

  it("the Linked Roles queue port is exactly @guildkit/role-reconciler's, fingerprint and states included", () => {
    expectTypeOf<Connections.MetadataValues>().toEqualTypeOf<Reconciler.MetadataValues>();
    expectTypeOf<Connections.RoleConnectionState>().toEqualTypeOf<Reconciler.RoleConnectionState>();
    expectTypeOf<Connections.RoleConnectionEntry>().toEqualTypeOf<Reconciler.RoleConnectionEntry>();
    expectTypeOf<Connections.RoleConnectionItem>().toEqualTypeOf<Reconciler.RoleConnectionItem>();
    expectTypeOf<Connections.RoleConnectionOutcome>().toEqualTypeOf<Reconciler.RoleConnectionOutcome>();
    expectTypeOf<Connections.DesiredConnection>().toEqualTypeOf<Reconciler.DesiredConnection>();
    expectTypeOf<Connections.RoleConnectionQueue>().toEqualTypeOf<Reconciler.RoleConnectionQueue>();
    expect(Connections.ROLE_CONNECTION_STATES).toEqual(Reconciler.ROLE_CONNECTION_STATES);
    const samples: (Connections.MetadataValues | null)[] = [
      null,
      {},
      { tier: "2", paying: "1" },
      { b: "x", a: "y" },
    ];
    for (const values of samples)
      expect(Connections.metadataFingerprint(values)).toBe(Reconciler.metadataFingerprint(values));
  });

  it("speedbump ports are exactly @guildkit/pk-speedbump's", () => {
    expectTypeOf<Bump.MessageCreateEvent>().toEqualTypeOf<Speedbump.MessageCreateEvent>();
    expectTypeOf<Bump.ChannelState>().toEqualTypeOf<Speedbump.ChannelState>();
    expectTypeOf<Bump.PendingHold>().toEqualTypeOf<Speedbump.PendingHold>();
    expectTypeOf<Bump.UnresolvedProxyMessage>().toEqualTypeOf<Speedbump.UnresolvedProxyMessage>();
    expectTypeOf<Bump.SpeedbumpStore>().toEqualTypeOf<Speedbump.SpeedbumpStore>();
    expectTypeOf<Bump.ProxyMemberRecord>().toEqualTypeOf<Speedbump.ProxyMemberRecord>();
    expectTypeOf<Bump.StaleProxyMember>().toEqualTypeOf<Speedbump.StaleProxyMember>();
    expectTypeOf<Bump.ProxiedMember>().toEqualTypeOf<Speedbump.ProxiedMember>();
    expectTypeOf<Bump.ProxyMemberStore>().toEqualTypeOf<Speedbump.ProxyMemberStore>();
  });

  it("a store's role-sync and speedbump ports are what the cores take", () => {
    type Ports = StorePorts<"role-sync" | "speedbump">;
    expectTypeOf<Ports["roleSync"]["queue"]>().toExtend<Reconciler.SyncQueue>();
    expectTypeOf<Ports["roleSync"]["ledger"]>().toExtend<Reconciler.GrantLedger>();
    expectTypeOf<Ports["roleSync"]["linkedMembers"]>().toExtend<Reconciler.LinkedMembers>();
    expectTypeOf<Ports["roleSync"]["profiles"]>().toExtend<Reconciler.MemberProfiles>();
    expectTypeOf<Ports["speedbump"]>().toExtend<Speedbump.SpeedbumpStore & Speedbump.ProxyMemberStore>();
  });
});
