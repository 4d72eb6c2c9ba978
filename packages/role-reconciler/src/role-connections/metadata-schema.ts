import { z } from "zod";
import { columnNameSchema } from "../entitlement";
import { RoleConnectionSchemaError } from "./errors";

/**
 * Discord's 8 comparison types of a role connection metadata record.
 * @see https://discord.com/developers/docs/resources/application-role-connection-metadata#application-role-connection-metadata-object-application-role-connection-metadata-type
 */
export const METADATA_TYPES = {
  INTEGER_LESS_THAN_OR_EQUAL: 1,
  INTEGER_GREATER_THAN_OR_EQUAL: 2,
  INTEGER_EQUAL: 3,
  INTEGER_NOT_EQUAL: 4,
  DATETIME_LESS_THAN_OR_EQUAL: 5,
  DATETIME_GREATER_THAN_OR_EQUAL: 6,
  BOOLEAN_EQUAL: 7,
  BOOLEAN_NOT_EQUAL: 8,
} as const;

/** One of {@link METADATA_TYPES}' values (1–8). */
export type MetadataType = (typeof METADATA_TYPES)[keyof typeof METADATA_TYPES];

/** An application has at most 5 metadata records. */
export const MAX_METADATA_RECORDS = 5;

/** The family of a type: integer (1–4), datetime (5–6) or boolean (7–8). */
export function metadataFamily(type: MetadataType): "integer" | "datetime" | "boolean" {
  return type <= 4 ? "integer" : type <= 6 ? "datetime" : "boolean";
}

/**
 * Where a record's value comes from, evaluated with the same entitlement rules as bot roles:
 * - `paying`: 1 when the rules entitle the member to any role (boolean record);
 * - `tier`: the integer of the member's `column` value in `values` (`{ "gold": 3, "silver": 2 }`),
 *   0 when it has none (integer record);
 * - `member_since`: the date in the member's `column` (datetime record).
 */
export const metadataSourceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("paying") }),
  z.object({
    kind: z.literal("tier"),
    column: columnNameSchema,
    values: z.record(z.string().min(1), z.number().int().min(-2_147_483_648).max(2_147_483_647)),
    ignoreCase: z.boolean().optional(),
  }),
  z.object({ kind: z.literal("member_since"), column: columnNameSchema }),
]);

/** See {@link metadataSourceSchema}. */
export type MetadataSource = z.infer<typeof metadataSourceSchema>;

const localizations = (max: number) => z.record(z.string().min(2).max(10), z.string().min(1).max(max));

/**
 * One metadata record as configured: Discord's fields plus the `source` of its values. Discord's
 * limits: key `a-z0-9_` of 1–50, name 1–100, description 1–200, type 1–8.
 */
export const metadataRecordSchema = z.object({
  key: z.string().regex(/^[a-z0-9_]{1,50}$/, "must be 1–50 characters of a-z, 0-9 and _"),
  name: z.string().min(1).max(100),
  description: z.string().min(1).max(200),
  type: z
    .number()
    .int()
    .min(1, "must be one of Discord's types 1–8")
    .max(8, "must be one of Discord's types 1–8"),
  name_localizations: localizations(100).optional(),
  description_localizations: localizations(200).optional(),
  source: metadataSourceSchema,
});

/** A configured metadata record. */
export type MetadataRecord = Omit<z.infer<typeof metadataRecordSchema>, "type"> & { type: MetadataType };

/** What a source produces, and so which type family its record must have. */
const SOURCE_FAMILY: Record<MetadataSource["kind"], "integer" | "datetime" | "boolean"> = {
  paying: "boolean",
  tier: "integer",
  member_since: "datetime",
};

/** Every configured record list: at most 5, unique keys, each source on a record of its family. */
export const metadataRecordsSchema = z
  .array(metadataRecordSchema)
  .min(1, "needs at least one record")
  .max(MAX_METADATA_RECORDS, `Discord takes at most ${MAX_METADATA_RECORDS} records`)
  .superRefine((records, ctx) => {
    const seen = new Set<string>();
    records.forEach((record, index) => {
      if (seen.has(record.key)) {
        ctx.addIssue({ code: "custom", path: [index, "key"], message: `repeats the key "${record.key}"` });
      }
      seen.add(record.key);
      const family = metadataFamily(record.type as MetadataType);
      const wanted = SOURCE_FAMILY[record.source.kind];
      if (family !== wanted) {
        ctx.addIssue({
          code: "custom",
          path: [index, "type"],
          message: `a ${record.source.kind} source needs a ${wanted} type (${typesOf(wanted)}), not ${record.type}`,
        });
      }
    });
  });

function typesOf(family: "integer" | "datetime" | "boolean"): string {
  return family === "integer" ? "1–4" : family === "datetime" ? "5–6" : "7–8";
}

/**
 * The default records: "paying" (boolean equal), and "member since" when a date column is named.
 */
export function defaultMetadataRecords(
  options: { memberSinceColumn?: string | null } = {},
): MetadataRecord[] {
  const records: MetadataRecord[] = [
    {
      key: "paying",
      name: "Paying member",
      description: "Has an active paid membership",
      type: METADATA_TYPES.BOOLEAN_EQUAL,
      source: { kind: "paying" },
    },
  ];
  if (options.memberSinceColumn) {
    records.push({
      key: "member_since",
      name: "Member since",
      description: "Days since the membership started",
      type: METADATA_TYPES.DATETIME_LESS_THAN_OR_EQUAL,
      source: { kind: "member_since", column: options.memberSinceColumn },
    });
  }
  return records;
}

/**
 * Validates configured records (data from settings or a file). Throws
 * {@link RoleConnectionSchemaError} naming every problem; nothing is registered then.
 */
export function parseMetadataRecords(input: unknown): MetadataRecord[] {
  const parsed = metadataRecordsSchema.safeParse(input);
  if (!parsed.success) {
    throw new RoleConnectionSchemaError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "records"}: ${issue.message}`),
    );
  }
  return parsed.data as MetadataRecord[];
}

/** A record as Discord takes it (`PUT /applications/{id}/role-connections/metadata`): without `source`. */
export interface DiscordMetadataRecord {
  type: MetadataType;
  key: string;
  name: string;
  description: string;
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
}

/** The body of the schema registration: the records without their sources. */
export function discordMetadataRecords(records: readonly MetadataRecord[]): DiscordMetadataRecord[] {
  return records.map(({ source: _source, ...record }) => ({ ...record }));
}

/** The member columns the records read (besides the rules' columns). */
export function metadataColumns(records: readonly MetadataRecord[]): string[] {
  const columns = new Set<string>();
  for (const { source } of records) if (source.kind !== "paying") columns.add(source.column);
  return [...columns].sort();
}
