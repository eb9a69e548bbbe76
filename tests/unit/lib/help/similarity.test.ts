import { describe, expect, it } from "vitest";
import { packageSimilarity, SIMILARITY_THRESHOLD } from "../../../helpers/help-similarity";

const TEMPLATE = (name: string, folder: string) => `
${name} takes documents from a folder on your FTP server. Ask your ${name} partner which folder the
import reads, and whether it picks up purchase and sales invoices from separate folders. In Koppel,
open the office's Integrations page, click Add connection and choose ${name} under FTP. Fill in the
server, the port and the user name that ${name} gave you, then save. On the dossier's Integration
tab choose ${name} and type the dossier's folder, by default ${folder}. When a document fails,
the failure queue says why: a wrong password, a folder that does not exist or a server that is down.
`;

describe("the package articles' similarity measure", () => {
  it("scores a copy with the name swapped as near-identical, even with a sentence changed", () => {
    const a = TEMPLATE("Expert/M", "the enterprise number");
    const b = TEMPLATE("Adsolut", "the enterprise number").replace("then save.", "then click Save.");
    expect(packageSimilarity(a, b)).toBeGreaterThanOrEqual(0.8);
    expect(packageSimilarity(a, TEMPLATE("Sage BOB", "the enterprise number"))).toBe(1);
  });

  it("scores articles written for their own package below the threshold", () => {
    const yuki = `Yuki reads documents through its web service. Create an access key in Yuki under
      Settings, Web service, and paste it in Koppel. Each dossier needs its administration; Koppel
      lists the administrations the key can reach. Yuki's mailbox recognises only PDF files, so an
      e-invoice goes by API with its PDF attached. When Yuki refuses the key, reconnect.`;
    const octopus = `Octopus takes documents by e-mail at an address built from the dossier's mailbox
      code. You find the code in Octopus under the dossier's settings. Koppel computes the address;
      check it once against what Octopus shows. Mail from unknown senders is dropped unless you allow
      Koppel's sender address in Octopus. A bounced mail means the code is wrong.`;
    expect(packageSimilarity(yuki, octopus)).toBeLessThan(SIMILARITY_THRESHOLD);
  });
});
