import type { ApiExample } from "./world";

/** Example calls of the dossier operations (lib/api/operations/dossiers.ts). */
export const DOSSIER_EXAMPLES: ApiExample[] = [
  { operationId: "listDossiers", title: "lists the first page", status: 200, prepare: () => ({ path: "/dossiers" }) },
  {
    operationId: "listDossiers",
    title: "searches and pages, as an accountant",
    as: "accountant",
    status: 200,
    prepare: () => ({ path: "/dossiers?search=Dossier&limit=1" }),
  },
  {
    operationId: "listDossiers",
    title: "refuses a limit over 100",
    status: 400,
    prepare: () => ({ path: "/dossiers?limit=101" }),
  },
  {
    operationId: "listDossiers",
    title: "refuses a cursor it did not give out",
    status: 400,
    prepare: () => ({ path: "/dossiers?cursor=bm90LWEtY3Vyc29y" }),
  },
  {
    operationId: "createDossier",
    title: "creates a dossier",
    status: 201,
    prepare: (world) => ({
      path: "/dossiers",
      json: { name: "Bakkerij Peeters", companyNumber: world.freshCompanyNumber() },
    }),
  },
  {
    operationId: "createDossier",
    title: "creates a French dossier with a VAT number, as an accountant",
    as: "accountant",
    status: 201,
    prepare: (world) => {
      const companyNumber = world.freshCompanyNumber();
      return {
        path: "/dossiers",
        json: { name: "Garage Janssen SRL", companyNumber, vatNumber: `BE ${companyNumber}`, locale: "fr" },
      };
    },
  },
  {
    operationId: "createDossier",
    title: "refuses a company number the office already has",
    status: 400,
    prepare: (world) => ({
      path: "/dossiers",
      json: { name: "Tweede keer", companyNumber: world.dossier.companyNumber },
    }),
  },
  {
    operationId: "createDossier",
    title: "refuses a body without a name",
    status: 400,
    prepare: (world) => ({ path: "/dossiers", json: { companyNumber: world.freshCompanyNumber() } }),
  },
  {
    operationId: "getDossier",
    title: "reads a dossier",
    status: 200,
    prepare: (world) => ({ path: `/dossiers/${world.dossier.id}` }),
  },
  {
    operationId: "getDossier",
    title: "answers 404 for an id that names nothing",
    status: 404,
    prepare: (world) => ({ path: `/dossiers/${world.unknownId()}` }),
  },
  {
    operationId: "updateDossier",
    title: "renames a dossier and switches auto-send off",
    status: 200,
    prepare: async (world) => {
      const dossier = await world.newDossier();
      return { path: `/dossiers/${dossier.id}`, json: { name: "Nieuwe naam", isAutoSendEnabled: false } };
    },
  },
  {
    operationId: "updateDossier",
    title: "changes the numbers, as an accountant",
    as: "accountant",
    status: 200,
    prepare: async (world) => {
      const dossier = await world.newDossier();
      return { path: `/dossiers/${dossier.id}`, json: { companyNumber: world.freshCompanyNumber(), vatNumber: null } };
    },
  },
  {
    operationId: "updateDossier",
    title: "changes the language of the mails to the package",
    status: 200,
    prepare: async (world) => {
      const dossier = await world.newDossier();
      return { path: `/dossiers/${dossier.id}`, json: { locale: "fr" } };
    },
  },
  {
    operationId: "updateDossier",
    title: "refuses a language it does not know",
    status: 400,
    prepare: (world) => ({ path: `/dossiers/${world.dossier.id}`, json: { locale: "de" } }),
  },
  {
    operationId: "updateDossier",
    title: "refuses an empty change",
    status: 400,
    prepare: (world) => ({ path: `/dossiers/${world.dossier.id}`, json: {} }),
  },
  {
    operationId: "updateDossier",
    title: "refuses another dossier's company number",
    status: 400,
    prepare: async (world) => {
      const dossier = await world.newDossier();
      return { path: `/dossiers/${dossier.id}`, json: { companyNumber: world.dossier.companyNumber } };
    },
  },
  {
    operationId: "getDossierIntegration",
    title: "reads an e-mail integration",
    status: 200,
    prepare: (world) => ({ path: `/dossiers/${world.dossier.id}/integration` }),
  },
  {
    operationId: "getDossierIntegration",
    title: "reads a connection, as an accountant",
    as: "accountant",
    status: 200,
    prepare: (world) => ({ path: `/dossiers/${world.connectedDossier.id}/integration` }),
  },
  {
    operationId: "getDossierIntegration",
    title: "reads a dossier without an integration",
    status: 200,
    prepare: async (world) => ({ path: `/dossiers/${(await world.newDossier()).id}/integration` }),
  },
];
