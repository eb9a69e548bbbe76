import type { Metadata, Viewport } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { RootClientMessages } from "@/components/ui/root-client-messages";
import { BRAND_COLOR } from "@/lib/brand";
import { geistSans } from "./fonts/geist";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("common");
  return {
    title: { default: "Koppel", template: "%s · Koppel" },
    description: t("tagline"),
    applicationName: "Koppel",
    // app/manifest.ts is linked by Next itself; iOS reads its home-screen icon and title from here.
    icons: { icon: { url: "/icons/icon.svg", type: "image/svg+xml" }, apple: "/apple-touch-icon.png" },
    appleWebApp: { capable: true, title: "Koppel", statusBarStyle: "default" },
  };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: BRAND_COLOR };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  return (
    <html lang={locale} className={geistSans.variable}>
      <body className="min-h-dvh bg-slate-50 font-sans text-slate-900 antialiased">
        <RootClientMessages>{children}</RootClientMessages>
      </body>
    </html>
  );
}
