import { describe, expect, it } from "vitest";
import { projectFilesLoadedBy } from "../../../helpers/module-graph";

// The services send events through lib/jobs/client.ts, and the job handlers call the services:
// if importing the client or the registry loaded a handler or a service, the two would import
// each other again (the cycle issue 17 removed). Measured in a fresh process, so any new eager
// import, however indirect, shows up.

const SERVICE_CODE = [
  "lib/dispatch/",
  "lib/documents/",
  "lib/read-back/",
  "lib/digest/",
  "lib/connectors/",
  "lib/connections/",
  "lib/jobs/handlers/",
  "lib/jobs/handler-registry.ts",
  "db/",
];

describe.each(["@/lib/jobs/registry", "@/lib/jobs/client"])("importing %s", (specifier) => {
  it("loads the job definitions and no handler or service code", { timeout: 60_000 }, async () => {
    const files = await projectFilesLoadedBy(specifier);

    expect(files).toContain("lib/jobs/registry.ts");
    expect(files).toContain("lib/jobs/definitions/deliver.ts");
    expect(files.filter((file) => SERVICE_CODE.some((prefix) => file.startsWith(prefix)))).toEqual([]);
  });
});
