import { env } from "@/lib/env";

/** The app's public base URL for links in mails (a job has no request to take it from). */
export function appBaseUrl(): string {
  const configured = env().AUTH_URL;
  return configured ? new URL(configured).origin : "http://localhost:3000";
}
