"use client";

import { useTranslations } from "next-intl";
import { type ReactNode, useId, useState, useTransition } from "react";
import { setConnectionDisabledAction, testConnectionAction } from "../actions";
import { ConnectionForm } from "./connection-form";
import type { EditableConnection } from "./types";
import { useConnectionErrorMessage, useConnectorReason } from "./use-connection-error";

type Mode = "idle" | "edit" | "confirmDisable";
type Notice = { tone: "success" | "error" | "neutral"; text: string } | null;

const buttonClass =
  "inline-flex min-h-9 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";

/**
 * An admin's buttons on one connection: test (a real, bounded check), edit (the generated form),
 * disable with a confirmation, enable. Rendered only for admins; the server refuses everyone else
 * anyway (lib/connections/service.ts).
 */
export function ConnectionActions({
  portalId,
  connection,
  checkStatus = null,
}: {
  portalId: string;
  connection: EditableConnection;
  /** "Check status now", for connections that have it: in the same row, after the test. */
  checkStatus?: ReactNode;
}) {
  const t = useTranslations("connections.actions");
  const tForm = useTranslations("connections.form");
  const errorMessage = useConnectionErrorMessage();
  const reasonOf = useConnectorReason();
  const tCard = useTranslations("connections.card");
  const [mode, setMode] = useState<Mode>("idle");
  const [notice, setNotice] = useState<Notice>(null);
  const [pending, setPending] = useState<"test" | "toggle" | null>(null);
  const [, startTransition] = useTransition();
  const confirmId = useId();
  const isDisabled = connection.status === "disabled";

  function runTest() {
    setNotice(null);
    setPending("test");
    startTransition(async () => {
      const result = await testConnectionAction(portalId, connection.id);
      setPending(null);
      if (!result.ok) {
        setNotice({ tone: "error", text: errorMessage(result.error.messageKey) });
      } else if (result.status === "connected") {
        setNotice({ tone: "success", text: t("testResult.connected") });
      } else if (result.status === "disabled") {
        setNotice({ tone: "neutral", text: t("testResult.disabled") });
      } else {
        const reason = reasonOf(result.errorCode) ?? tCard("unknownReason");
        setNotice({ tone: "error", text: t("testResult.failed", { reason }) });
      }
    });
  }

  function setDisabled(disabled: boolean) {
    setNotice(null);
    setPending("toggle");
    startTransition(async () => {
      const result = await setConnectionDisabledAction(portalId, connection.id, disabled);
      setPending(null);
      setMode("idle");
      if (!result.ok) setNotice({ tone: "error", text: errorMessage(result.error.messageKey) });
    });
  }

  return (
    <div className="mt-4 border-t border-slate-100 pt-4">
      {mode === "edit" ? (
        <ConnectionForm
          mode="edit"
          portalId={portalId}
          connectionId={connection.id}
          secretsSet={connection.secretsSet}
          form={connection.form}
          initial={{ label: connection.label, settings: connection.settings }}
          onCancel={() => setMode("idle")}
          onSaved={() => {
            setMode("idle");
            setNotice({ tone: "success", text: tForm("saved") });
          }}
        />
      ) : mode === "confirmDisable" ? (
        <div
          role="alertdialog"
          aria-labelledby={`${confirmId}-title`}
          aria-describedby={`${confirmId}-body`}
          className="rounded-lg bg-amber-50 p-4 ring-1 ring-amber-600/20 ring-inset"
        >
          <p id={`${confirmId}-title`} className="text-sm font-semibold text-amber-950">
            {t("confirmDisable.title", { label: connection.label })}
          </p>
          <p id={`${confirmId}-body`} className="mt-1 text-sm text-amber-900">
            {t("confirmDisable.body", { count: connection.dossierCount })}
          </p>
          <div className="mt-3 flex flex-col-reverse gap-2 sm:flex-row">
            <button
              type="button"
              onClick={() => setDisabled(true)}
              disabled={pending !== null}
              className="inline-flex min-h-9 items-center justify-center rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white shadow-xs hover:bg-red-700 disabled:opacity-60"
            >
              {t("confirmDisable.confirm")}
            </button>
            <button type="button" onClick={() => setMode("idle")} className={buttonClass}>
              {t("confirmDisable.cancel")}
            </button>
          </div>
        </div>
      ) : (
        <div className="flex flex-wrap gap-2">
          {!isDisabled ? (
            <button type="button" onClick={runTest} disabled={pending !== null} className={buttonClass}>
              {pending === "test" ? t("testing") : t("test")}
            </button>
          ) : null}
          {checkStatus}
          <button
            type="button"
            onClick={() => {
              setNotice(null);
              setMode("edit");
            }}
            className={buttonClass}
          >
            {t("edit")}
          </button>
          {isDisabled ? (
            <button
              type="button"
              onClick={() => setDisabled(false)}
              disabled={pending !== null}
              className={buttonClass}
            >
              {pending === "toggle" ? t("enabling") : t("enable")}
            </button>
          ) : (
            <button
              type="button"
              onClick={() => {
                setNotice(null);
                setMode("confirmDisable");
              }}
              className={`${buttonClass} text-red-700 hover:bg-red-50`}
            >
              {t("disable")}
            </button>
          )}
        </div>
      )}
      <div aria-live="polite">
        {notice ? (
          <p
            role="status"
            className={`mt-3 text-sm ${
              notice.tone === "success"
                ? "text-emerald-800"
                : notice.tone === "error"
                  ? "text-red-700"
                  : "text-slate-700"
            }`}
          >
            {notice.text}
          </p>
        ) : null}
      </div>
    </div>
  );
}
