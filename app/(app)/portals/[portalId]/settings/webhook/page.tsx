import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { ClientMessages } from "@/components/ui/client-messages";
import { CopyButton } from "@/components/ui/copy-button";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { getPortal } from "@/lib/portals/overview";
import { getRecognitionWebhookSettings } from "@/lib/recognition/secret";
import { RotateSecretButton } from "./_components/rotate-secret-button";
import { SecretField } from "./_components/secret-field";

type Props = { params: Promise<{ portalId: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("recognition.page");
  return { title: t("metaTitle") };
}

/** The app's public base URL: AUTH_URL when set, otherwise what this request came in on. */
async function baseUrl(): Promise<string> {
  const configured = env().AUTH_URL;
  if (configured) return new URL(configured).origin;
  const incoming = await headers();
  const host = incoming.get("x-forwarded-host") ?? incoming.get("host") ?? "localhost:3000";
  const protocol = incoming.get("x-forwarded-proto") ?? (host.startsWith("localhost") ? "http" : "https");
  return `${protocol}://${host}`;
}

// Line breaks inside the body are fine: the signature covers the raw body, whatever it holds.
const EXAMPLE_BODY = `{"documentId":"<document id>","documentType":"purchase_invoice","confidence":0.97,
"fields":{"supplierName":"Drukkerij Janssens bv","invoiceNumber":"2026/0117",
"invoiceDate":"2026-03-02","totalAmount":484.0,"currency":"EUR","vatNumber":"BE0123456749"}}`;

function curlExample(url: string): string {
  return [
    `BODY='${EXAMPLE_BODY}'`,
    "TS=$(date +%s)",
    `SIG=$(printf '%s.%s' "$TS" "$BODY" \\`,
    `  | openssl dgst -sha256 -hmac "$KOPPEL_OFFICE_SECRET" | sed 's/^.* //')`,
    `curl -sS -X POST '${url}' \\`,
    "  -H 'Content-Type: application/json' \\",
    '  -H "X-Koppel-Timestamp: $TS" \\',
    '  -H "X-Koppel-Signature: v1=$SIG" \\',
    '  --data-binary "$BODY"',
  ].join("\n");
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
      <h2 className="text-base font-semibold text-slate-900">{title}</h2>
      <div className="mt-2 flex flex-col gap-3 text-sm text-slate-700">{children}</div>
    </section>
  );
}

const codeBlockClass =
  "overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed whitespace-pre text-slate-100";

/**
 * For the office's admins: the office's own address, its own secret (with its rotation), the
 * headers, and what the recognition step gets back. Accountants and everyone else get a 404. The
 * secret is fetched only when an admin presses "Show"; no other office's secret is ever read here.
 */
export default function RecognitionWebhookPage(props: Props) {
  return (
    <ClientMessages area="recognitionWebhook">
      <RecognitionWebhookPageContent {...props} />
    </ClientMessages>
  );
}

async function RecognitionWebhookPageContent({ params }: Props) {
  const { portalId } = await params;
  const actor = await requireActor();
  const db = await getDb();
  const portal = await orNotFound(getPortal(db, actor, portalId));
  if (!can(actor, "connection.manage", { portalId: portal.id })) notFound();
  const settings = await getRecognitionWebhookSettings(db, actor, portal.id);
  const url = `${await baseUrl()}${settings.path}`;
  const [t, format] = await Promise.all([getTranslations("recognition"), getFormatter()]);
  const dateTime = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });

  const answers = [
    ["200", t("answers.ok")],
    ["400", t("answers.badRequest")],
    ["401", t("answers.unauthorized")],
    ["404", t("answers.notFound")],
    ["409", t("answers.conflict")],
    ["413", t("answers.tooLarge")],
  ] as const;

  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: portal.name, href: `/portals/${portal.id}` }]}
        title={t("page.title")}
        description={t("page.description")}
      />
      <div className="flex max-w-3xl flex-col gap-4">
        <p className="text-sm text-slate-600">{t("page.intro")}</p>

        <Section title={t("endpoint.title")}>
          <p>{t("endpoint.body")}</p>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
            <code className="block min-w-0 flex-1 rounded-md bg-slate-100 px-3 py-2 font-mono text-sm break-all text-slate-900 ring-1 ring-slate-200 ring-inset">
              <span className="font-semibold text-brand-700">POST</span> {url}
            </code>
            <CopyButton value={url} label={t("endpoint.title")} />
          </div>
        </Section>

        <Section title={t("secret.title")}>
          <p>{t("secret.body")}</p>
          {/* Keyed on the secret: after a rotation the field forgets the old value it showed. */}
          <SecretField key={settings.current.id} portalId={portal.id} />
          <p className="text-slate-600">{t("secret.createdAt", { date: dateTime(settings.current.createdAt) })}</p>
          {settings.previousValidUntil ? (
            <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-950 ring-1 ring-amber-600/20 ring-inset">
              {t("secret.previousValidUntil", { date: dateTime(settings.previousValidUntil) })}
            </p>
          ) : null}
          <RotateSecretButton portalId={portal.id} />
        </Section>

        <Section title={t("signing.title")}>
          <p>{t("signing.intro")}</p>
          <dl className="flex flex-col gap-2">
            <div>
              <dt>
                <code className="font-mono text-sm font-semibold text-slate-900">X-Koppel-Timestamp</code>
              </dt>
              <dd className="mt-0.5">{t("signing.timestamp")}</dd>
            </div>
            <div>
              <dt>
                <code className="font-mono text-sm font-semibold text-slate-900">X-Koppel-Signature</code>
              </dt>
              <dd className="mt-0.5">{t("signing.signature")}</dd>
              <dd className="mt-1">
                <code className="font-mono text-xs break-all text-slate-800">
                  v1=hex(HMAC-SHA256(secret, &quot;&lt;timestamp&gt;.&lt;raw body&gt;&quot;))
                </code>
              </dd>
            </div>
          </dl>
          <p>{t("signing.tolerance")}</p>
        </Section>

        <Section title={t("example.title")}>
          <p>{t("example.body")}</p>
          <pre className={codeBlockClass}>{curlExample(url)}</pre>
        </Section>

        <Section title={t("answers.title")}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-2">
            {answers.map(([status, text]) => (
              <div key={status} className="contents">
                <dt className="font-mono font-semibold text-slate-900">{status}</dt>
                <dd>{text}</dd>
              </div>
            ))}
          </dl>
          <p>{t("answers.problem")}</p>
        </Section>
      </div>
    </>
  );
}
