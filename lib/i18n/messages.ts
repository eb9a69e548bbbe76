import type { Locale } from "./config";
import enApiKeys from "./messages/en/apiKeys.json";
import enAuth from "./messages/en/auth.json";
import enClients from "./messages/en/clients.json";
import enCommon from "./messages/en/common.json";
import enConnections from "./messages/en/connections.json";
import enConnectors from "./messages/en/connectors.json";
import enDev from "./messages/en/dev.json";
import enDispatch from "./messages/en/dispatch.json";
import enDocuments from "./messages/en/documents.json";
import enDossier from "./messages/en/dossier.json";
import enDuplicates from "./messages/en/duplicates.json";
import enErrorPages from "./messages/en/errorPages.json";
import enErrors from "./messages/en/errors.json";
import enFailures from "./messages/en/failures.json";
import enHelp from "./messages/en/help.json";
import enIntegrations from "./messages/en/integrations.json";
import enInvitations from "./messages/en/invitations.json";
import enMembers from "./messages/en/members.json";
import enOnboarding from "./messages/en/onboarding.json";
import enPortal from "./messages/en/portal.json";
import enRecognition from "./messages/en/recognition.json";
import enSendAll from "./messages/en/sendAll.json";
import enSendingOff from "./messages/en/sendingOff.json";
import enShare from "./messages/en/share.json";
import enSignUp from "./messages/en/signUp.json";
import enUblRendering from "./messages/en/ublRendering.json";
import enWaitingDocuments from "./messages/en/waitingDocuments.json";
import enWebhooks from "./messages/en/webhooks.json";
import frApiKeys from "./messages/fr/apiKeys.json";
import frAuth from "./messages/fr/auth.json";
import frClients from "./messages/fr/clients.json";
import frCommon from "./messages/fr/common.json";
import frConnections from "./messages/fr/connections.json";
import frConnectors from "./messages/fr/connectors.json";
import frDev from "./messages/fr/dev.json";
import frDispatch from "./messages/fr/dispatch.json";
import frDocuments from "./messages/fr/documents.json";
import frDossier from "./messages/fr/dossier.json";
import frDuplicates from "./messages/fr/duplicates.json";
import frErrorPages from "./messages/fr/errorPages.json";
import frErrors from "./messages/fr/errors.json";
import frFailures from "./messages/fr/failures.json";
import frHelp from "./messages/fr/help.json";
import frIntegrations from "./messages/fr/integrations.json";
import frInvitations from "./messages/fr/invitations.json";
import frMembers from "./messages/fr/members.json";
import frOnboarding from "./messages/fr/onboarding.json";
import frPortal from "./messages/fr/portal.json";
import frRecognition from "./messages/fr/recognition.json";
import frSendAll from "./messages/fr/sendAll.json";
import frSendingOff from "./messages/fr/sendingOff.json";
import frShare from "./messages/fr/share.json";
import frSignUp from "./messages/fr/signUp.json";
import frUblRendering from "./messages/fr/ublRendering.json";
import frWaitingDocuments from "./messages/fr/waitingDocuments.json";
import frWebhooks from "./messages/fr/webhooks.json";
import nlApiKeys from "./messages/nl/apiKeys.json";
import nlAuth from "./messages/nl/auth.json";
import nlClients from "./messages/nl/clients.json";
import nlCommon from "./messages/nl/common.json";
import nlConnections from "./messages/nl/connections.json";
import nlConnectors from "./messages/nl/connectors.json";
import nlDev from "./messages/nl/dev.json";
import nlDispatch from "./messages/nl/dispatch.json";
import nlDocuments from "./messages/nl/documents.json";
import nlDossier from "./messages/nl/dossier.json";
import nlDuplicates from "./messages/nl/duplicates.json";
import nlErrorPages from "./messages/nl/errorPages.json";
import nlErrors from "./messages/nl/errors.json";
import nlFailures from "./messages/nl/failures.json";
import nlHelp from "./messages/nl/help.json";
import nlIntegrations from "./messages/nl/integrations.json";
import nlInvitations from "./messages/nl/invitations.json";
import nlMembers from "./messages/nl/members.json";
import nlOnboarding from "./messages/nl/onboarding.json";
import nlPortal from "./messages/nl/portal.json";
import nlRecognition from "./messages/nl/recognition.json";
import nlSendAll from "./messages/nl/sendAll.json";
import nlSendingOff from "./messages/nl/sendingOff.json";
import nlShare from "./messages/nl/share.json";
import nlSignUp from "./messages/nl/signUp.json";
import nlUblRendering from "./messages/nl/ublRendering.json";
import nlWaitingDocuments from "./messages/nl/waitingDocuments.json";
import nlWebhooks from "./messages/nl/webhooks.json";

// One file per area and language, so each area's strings stay together; the namespaces here
// are the first segment of every translation key ("documents.tabs.inbox").
export const MESSAGES = {
  nl: {
    common: nlCommon,
    auth: nlAuth,
    portal: nlPortal,
    dossier: nlDossier,
    documents: nlDocuments,
    errors: nlErrors,
    errorPages: nlErrorPages,
    dev: nlDev,
    connectors: nlConnectors,
    connections: nlConnections,
    integrations: nlIntegrations,
    recognition: nlRecognition,
    dispatch: nlDispatch,
    failures: nlFailures,
    webhooks: nlWebhooks,
    invitations: nlInvitations,
    clients: nlClients,
    members: nlMembers,
    apiKeys: nlApiKeys,
    share: nlShare,
    signUp: nlSignUp,
    onboarding: nlOnboarding,
    sendingOff: nlSendingOff,
    sendAll: nlSendAll,
    duplicates: nlDuplicates,
    ublRendering: nlUblRendering,
    waitingDocuments: nlWaitingDocuments,
    help: nlHelp,
  },
  fr: {
    common: frCommon,
    auth: frAuth,
    portal: frPortal,
    dossier: frDossier,
    documents: frDocuments,
    errors: frErrors,
    errorPages: frErrorPages,
    dev: frDev,
    connectors: frConnectors,
    connections: frConnections,
    integrations: frIntegrations,
    recognition: frRecognition,
    dispatch: frDispatch,
    failures: frFailures,
    webhooks: frWebhooks,
    invitations: frInvitations,
    clients: frClients,
    members: frMembers,
    apiKeys: frApiKeys,
    share: frShare,
    signUp: frSignUp,
    onboarding: frOnboarding,
    sendingOff: frSendingOff,
    sendAll: frSendAll,
    duplicates: frDuplicates,
    ublRendering: frUblRendering,
    waitingDocuments: frWaitingDocuments,
    help: frHelp,
  },
  en: {
    common: enCommon,
    auth: enAuth,
    portal: enPortal,
    dossier: enDossier,
    documents: enDocuments,
    errors: enErrors,
    errorPages: enErrorPages,
    dev: enDev,
    connectors: enConnectors,
    connections: enConnections,
    integrations: enIntegrations,
    recognition: enRecognition,
    dispatch: enDispatch,
    failures: enFailures,
    webhooks: enWebhooks,
    invitations: enInvitations,
    clients: enClients,
    members: enMembers,
    apiKeys: enApiKeys,
    share: enShare,
    signUp: enSignUp,
    onboarding: enOnboarding,
    sendingOff: enSendingOff,
    sendAll: enSendAll,
    duplicates: enDuplicates,
    ublRendering: enUblRendering,
    waitingDocuments: enWaitingDocuments,
    help: enHelp,
  },
} satisfies Record<Locale, Record<string, unknown>>;

export type Messages = (typeof MESSAGES)["nl"];
