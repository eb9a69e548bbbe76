import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { getActor } from "@/lib/auth/session";
import { listOutboxEmails, outboxAccessFor } from "@/lib/email/outbox";

export const dynamic = "force-dynamic";

/**
 * Development page: the mails Koppel would have sent (sign-in links included). Under `next dev`
 * for anyone; on a demo server for admins, their own offices' mail only (lib/email/outbox.ts).
 */
export default async function OutboxPage() {
  const access = outboxAccessFor(await getActor());
  if (!access) notFound();
  const [t, format, emails] = await Promise.all([
    getTranslations("dev.outbox"),
    getFormatter(),
    getDb().then((db) => listOutboxEmails(db, access)),
  ]);
  return (
    <main className="mx-auto w-full max-w-3xl px-4 py-8">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="mt-1 text-sm text-slate-600">{t("intro")}</p>
      {emails.length === 0 ? (
        <p className="mt-6 text-slate-500">{t("empty")}</p>
      ) : (
        <ul className="mt-6 flex flex-col gap-4">
          {emails.map((email) => (
            <li
              key={email.id}
              className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
              data-testid="outbox-email"
            >
              <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
                <span>
                  <span className="text-slate-500">{t("to")}:</span> {email.to.join(", ")}
                </span>
                <time className="text-slate-500" dateTime={email.createdAt.toISOString()}>
                  {format.dateTime(email.createdAt, { dateStyle: "medium", timeStyle: "short" })}
                </time>
              </div>
              <p className="mt-1 font-medium">{email.subject}</p>
              <pre className="mt-3 overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-3 text-sm">
                {linkify(email.text)}
              </pre>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

/** Makes the URLs in a plain-text mail clickable. */
function linkify(text: string) {
  return text.split(/(https?:\/\/\S+)/g).map((part, index) =>
    /^https?:\/\//.test(part) ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: parts of one fixed string
      <a key={index} href={part} className="text-brand-600 underline">
        {part}
      </a>
    ) : (
      part
    ),
  );
}
