import { serve } from "inngest/next";
import { functions, inngest } from "@/inngest";
import { selectJobDriver } from "@/lib/jobs/driver";

/**
 * The Inngest serve endpoint: Inngest (cloud, self-hosted or the dev server) syncs the functions
 * here and calls them to run steps; outside dev mode the SDK verifies each call with
 * INNGEST_SIGNING_KEY. When no Inngest is configured the in-process driver runs the jobs and this
 * endpoint answers 404 instead of the SDK's "no signing key" error.
 */
const handlers = serve({ client: inngest, functions });

type Handler = typeof handlers.GET;

function whenInngestConfigured(handler: Handler): Handler {
  return (...args) => (selectJobDriver() === "inngest" ? handler(...args) : Promise.resolve(notConfigured()));
}

function notConfigured(): Response {
  return Response.json({ error: "Inngest is not configured: jobs run in process" }, { status: 404 });
}

export const GET = whenInngestConfigured(handlers.GET);
export const POST = whenInngestConfigured(handlers.POST);
export const PUT = whenInngestConfigured(handlers.PUT);
