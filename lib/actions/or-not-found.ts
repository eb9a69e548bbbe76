import "server-only";
import { notFound } from "next/navigation";
import { NotFoundError } from "@/lib/errors";

/**
 * For pages: a service's NotFoundError (unknown id, malformed id, or another tenant's id)
 * becomes Next's 404 page; every other error goes on to the error boundary.
 *
 * `const portal = await orNotFound(getPortal(db, actor, portalId));`
 */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}
