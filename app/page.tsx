import { redirect } from "next/navigation";
import { requireActor } from "@/lib/auth/session";
import { landingPath } from "@/lib/portals/landing";

export default async function HomePage() {
  const actor = await requireActor();
  redirect(landingPath(actor));
}
