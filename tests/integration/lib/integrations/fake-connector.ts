import { z } from "zod";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector, DeliveryDocument } from "@/lib/connectors/types";
import type { Channel, PackageId } from "@/lib/packages/catalog";

/**
 * A stand-in API connector for Exact Online (its real one comes with its own issue), so the green
 * option's form, save and test send can be exercised end to end: the dossier gives a division.
 */
export const fakeApiBehaviour: {
  next: "ok" | "auth" | "hang";
  delivered: DeliveryDocument[];
  /** Runs at the start of the next delivery (a change made while the package is being called). */
  beforeNext?: () => Promise<void>;
} = {
  next: "ok",
  delivered: [],
};

const dossierSettingsSchema = z.object({
  division: z.number({ error: "integrations.errors.settingsInvalid" }).int().positive().meta({ labelKey: "x" }),
});

export const fakeApiConnector = {
  id: "fake-exact-online",
  channel: "api",
  settingsSchema: z.object({}).passthrough(),
  secretsSchema: z.object({}).passthrough(),
  dossierSettingsSchema,
  async check() {
    return { ok: true, checkedAt: new Date() };
  },
  async deliver(ctx, document) {
    const before = fakeApiBehaviour.beforeNext;
    fakeApiBehaviour.beforeNext = undefined;
    await before?.();
    if (fakeApiBehaviour.next === "auth") throw new ConnectorError("auth", "auth_failed", { vendorDetail: "401" });
    if (fakeApiBehaviour.next === "hang") await new Promise(() => {});
    fakeApiBehaviour.delivered.push(document);
    return {
      packageReference: `EXACT-${ctx.dossierSettings?.division}-${document.id.slice(0, 8)}`,
      target: { division: ctx.dossierSettings?.division ?? null },
    };
  },
} satisfies Connector<z.ZodType, z.ZodType, typeof dossierSettingsSchema>;

/** The real registry, except that Exact Online's API connector is the fake above and Yuki's is missing. */
export async function mockedLoadConnector(
  actual: (packageId: PackageId, channel: Channel) => Promise<Connector | null>,
  packageId: PackageId,
  channel: Channel,
): Promise<Connector | null> {
  if (packageId === "exact-online" && channel === "api") return fakeApiConnector as unknown as Connector;
  // Yuki's API connector exists, but these tests use the Yuki connection as one whose connector is not built.
  if (packageId === "yuki" && channel === "api") return null;
  return actual(packageId, channel);
}
