import { describe, expect, it } from "vitest";
import { emailConnector } from "@/lib/connectors/email";
import { isConnectorAvailable, loadConnector } from "@/lib/connectors/registry";
import { emailPackages, PACKAGES, type PackageId } from "@/lib/packages/catalog";

const cells = PACKAGES.flatMap((entry) => entry.channels.map((channel) => [entry.id as PackageId, channel] as const));

describe("connector registry", () => {
  it.each(cells)(
    "%s over %s resolves to a connector of that channel, or null while it is not built",
    async (id, channel) => {
      const connector = await loadConnector(id, channel);
      if (connector !== null) {
        expect(connector.channel).toBe(channel);
        expect(typeof connector.deliver).toBe("function");
        expect(typeof connector.check).toBe("function");
      }
    },
  );

  it.each(emailPackages().map((entry) => entry.id as PackageId))(
    "%s over e-mail uses the one e-mail connector",
    async (id) => {
      expect(await loadConnector(id, "email")).toBe(emailConnector);
      expect(await isConnectorAvailable(id, "email")).toBe(true);
    },
  );

  it("refuses an unknown channel loudly instead of returning nothing", async () => {
    await expect(loadConnector("yuki", "fax" as never)).rejects.toThrow(/unknown channel/);
  });

  it("refuses an unknown package on the API channel loudly", async () => {
    await expect(loadConnector("nope" as never, "api")).rejects.toThrow(/unknown package/);
  });
});
