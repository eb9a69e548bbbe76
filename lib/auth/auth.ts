import "server-only";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { eq } from "drizzle-orm";
import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import Resend from "next-auth/providers/resend";
import { cache } from "react";
import { z } from "zod";
import { getDb } from "@/db";
import { accounts, sessions, users, verificationTokens } from "@/db/schema";
import { authSecret, env, isDemoEnabled } from "@/lib/env";
import { acceptInvitation, InvitationUnusableError, type UnusableInvitationState } from "@/lib/invitations/accept";
import { AUTH_PAGES } from "./auth.config";
import { isDemoUserEmail } from "./demo-users";
import { sendSignInLink } from "./sign-in-link";

declare module "next-auth" {
  interface Session {
    user: { id: string } & DefaultSession["user"];
  }
}

const demoCredentialsSchema = z.object({ email: z.string().email() });
const invitationCredentialsSchema = z.object({ token: z.string().max(200) });

/** Accepting an invitation failed; `code` says why (the invitation page explains it). */
export class InvitationSignInError extends CredentialsSignin {
  constructor(state: UnusableInvitationState) {
    super();
    this.code = state;
  }
}

const nextAuth = NextAuth(async () => {
  const db = await getDb();
  return {
    adapter: DrizzleAdapter(db, {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    secret: authSecret(),
    trustHost: true,
    // JWT sessions: the Credentials (demo) provider cannot create database sessions, and the
    // token only carries the user id; memberships are read from the database on every request.
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: AUTH_PAGES,
    providers: [
      Resend({
        id: "email",
        name: "E-mail",
        from: env().EMAIL_FROM,
        apiKey: "sent-through-lib-email",
        maxAge: 60 * 60,
        // Auth.js' Resend provider posts to a hard-coded host; lib/email picks Resend or the outbox.
        sendVerificationRequest: ({ identifier, url }) => sendSignInLink(identifier, url),
      }),
      // Accepting an invitation (or confirming an office's sign-up) signs its person in: the
      // token came by mail to the invited address, which is what a magic link proves too.
      Credentials({
        id: "invitation",
        name: "Invitation",
        credentials: { token: {} },
        async authorize(credentials) {
          const parsed = invitationCredentialsSchema.safeParse(credentials);
          if (!parsed.success) throw new InvitationSignInError("unknown");
          try {
            const accepted = await acceptInvitation(db, parsed.data.token);
            return { id: accepted.userId, email: accepted.email, name: accepted.name };
          } catch (error) {
            if (error instanceof InvitationUnusableError) throw new InvitationSignInError(error.state);
            throw error;
          }
        },
      }),
      ...(isDemoEnabled()
        ? [
            Credentials({
              id: "demo",
              name: "Demo",
              credentials: { email: {} },
              async authorize(credentials) {
                const parsed = demoCredentialsSchema.safeParse(credentials);
                if (!parsed.success || !isDemoUserEmail(parsed.data.email)) return null;
                const [user] = await db
                  .select({ id: users.id, email: users.email, name: users.name })
                  .from(users)
                  .where(eq(users.email, parsed.data.email))
                  .limit(1);
                return user ?? null;
              },
            }),
          ]
        : []),
    ],
    events: {
      async signIn({ user }) {
        if (user.id) await db.update(users).set({ lastSignedInAt: new Date() }).where(eq(users.id, user.id));
      },
    },
    callbacks: {
      jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
  };
});

export const { handlers, signIn, signOut } = nextAuth;
/** Auth.js' auth(), once per request. */
export const auth = cache(nextAuth.auth);
