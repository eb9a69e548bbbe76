/** The seeded demo users offered by the development sign-in (see db/seed.ts). */
export const DEMO_USERS = [
  { email: "an.admin@demo.koppel.example", name: "An Peeters", role: "admin" },
  { email: "bram.accountant@demo.koppel.example", name: "Bram Janssens", role: "accountant" },
  { email: "eva.ondernemer@demo.koppel.example", name: "Eva Claes", role: "entrepreneur" },
  { email: "olivier.admin@ander.koppel.example", name: "Olivier Dubois", role: "admin" },
] as const;

export type DemoUser = (typeof DEMO_USERS)[number];

export function isDemoUserEmail(email: string): boolean {
  return DEMO_USERS.some((user) => user.email === email);
}

/**
 * The link of an invitation the demo office sent eight days ago, which has expired: the members
 * page shows it to resend, and the end-to-end run opens it. Its token is public (it is here), so it
 * is seeded expired and can never be accepted; resending it makes a new, secret one.
 */
export const DEMO_EXPIRED_INVITATION = {
  token: "demo-expired-invitation-0000000000000000000",
  email: "lotte.stagiair@demo.koppel.example",
} as const;
