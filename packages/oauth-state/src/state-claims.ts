import { z } from "zod";
import type { StateKind, StatePayloads } from "./state-token";

const baseClaims = z.object({
  jti: z.string().min(16).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
  bh: z.string().length(43),
});
/** A Discord profile in a token: the email only when verified (`null` otherwise). */
const profileClaim = z.object({
  id: z.string().min(1).max(32),
  em: z.string().min(3).max(320).nullable(),
  un: z.string().max(64),
  gn: z.string().max(64).nullable(),
  av: z.string().max(128).nullable(),
});

/** The claims of each kind of state token, checked after the signature (internal). */
export const CLAIM_SCHEMAS = {
  link: baseClaims.extend({ sub: z.string().min(1).max(128), rp: z.string().max(2048) }),
  login: baseClaims.extend({ rp: z.string().max(2048) }),
  signup: baseClaims.extend({
    rp: z.string().max(2048),
    idn: profileClaim.extend({ em: z.string().min(3).max(320) }),
  }),
  replace: baseClaims.extend({
    sub: z.string().min(1).max(128),
    rp: z.string().max(2048),
    prv: z.object({ id: z.string().min(1).max(32), un: z.string().max(64).nullable() }),
    idn: profileClaim,
  }),
} as const;

type Claims<K extends StateKind> = z.infer<(typeof CLAIM_SCHEMAS)[K]>;

/** The claims that carry a kind's payload. */
export function payloadClaims(kind: StateKind, payload: StatePayloads[StateKind]): Record<string, unknown> {
  switch (kind) {
    case "link": {
      const link = payload as StatePayloads["link"];
      return { sub: link.memberId, rp: link.returnPath };
    }
    case "login":
      return { rp: (payload as StatePayloads["login"]).postLoginPath };
    case "signup": {
      const { identity, postLoginPath } = payload as StatePayloads["signup"];
      return {
        rp: postLoginPath,
        idn: {
          id: identity.discordUserId,
          em: identity.email,
          un: identity.username,
          gn: identity.globalName,
          av: identity.avatar,
        },
      };
    }
    case "replace": {
      const { memberId, returnPath, previous, profile } = payload as StatePayloads["replace"];
      return {
        sub: memberId,
        rp: returnPath,
        prv: { id: previous.discordUserId, un: previous.username },
        idn: {
          id: profile.discordUserId,
          em: profile.email,
          un: profile.username,
          gn: profile.globalName,
          av: profile.avatar,
        },
      };
    }
  }
}

/** A kind's payload, read back from its verified claims. */
export function payloadFields(kind: StateKind, data: Record<string, unknown>): StatePayloads[StateKind] {
  switch (kind) {
    case "link": {
      const { sub, rp } = data as Claims<"link">;
      return { memberId: sub, returnPath: rp };
    }
    case "login":
      return { postLoginPath: (data as Claims<"login">).rp };
    case "signup": {
      const { idn, rp } = data as Claims<"signup">;
      return {
        identity: {
          discordUserId: idn.id,
          email: idn.em,
          username: idn.un,
          globalName: idn.gn,
          avatar: idn.av,
        },
        postLoginPath: rp,
      };
    }
    case "replace": {
      const { sub, rp, prv, idn } = data as Claims<"replace">;
      return {
        memberId: sub,
        returnPath: rp,
        previous: { discordUserId: prv.id, username: prv.un },
        profile: {
          discordUserId: idn.id,
          email: idn.em,
          username: idn.un,
          globalName: idn.gn,
          avatar: idn.av,
        },
      };
    }
  }
}
