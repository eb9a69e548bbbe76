"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type DragEvent, useId, useRef, useState } from "react";
import { DOCUMENT_TYPES } from "@/lib/documents/document-types";
import { MAX_DOCUMENT_BYTES, sniffDocument } from "@/lib/documents/sniff";
import type { UploadFileResult } from "./types";

/** The types the pickers offer; the server judges by content anyway. */
const ACCEPT = "application/pdf,image/jpeg,image/png,.xml,application/xml,text/xml";
/** The first bytes are enough to tell PDF, JPEG, PNG and a UBL root element apart. */
const HEAD_BYTES = 64 * 1024;

type FileLine = { key: string; fileName: string } & (
  | { state: "uploading" }
  | { state: "added"; documentId: string }
  | { state: "refused"; message: string; existingDocumentId?: string }
);

/**
 * Adding documents to a dossier: several files at once (picker or drag and drop), and on phones a
 * separate "Take a photo" that opens the camera. Each file is checked here first (20 MB, PDF,
 * JPEG, PNG or UBL by its content, like the server does) and then posted on its own, so every file
 * gets its own answer: added, or refused with the reason in the user's language.
 */
export function UploadForm({
  dossierId,
  documentsPath,
  hasRecognitionStep,
}: {
  dossierId: string;
  /** Where a document's page lives: `${documentsPath}/${id}`. */
  documentsPath: string;
  /** The office's recognition step reports types (lib/recognition/step.ts): only then is a file "to be recognised". */
  hasRecognitionStep: boolean;
}) {
  const t = useTranslations("documents.upload");
  const tTypes = useTranslations("documents.types");
  const tErrors = useTranslations("errors");
  const tDuplicates = useTranslations("duplicates");
  const router = useRouter();
  const [lines, setLines] = useState<FileLine[]>([]);
  const [documentType, setDocumentType] = useState("");
  const [isDragging, setIsDragging] = useState(false);
  const [isBusy, setIsBusy] = useState(false);
  const counter = useRef(0);
  const filesId = useId();
  const cameraId = useId();
  const typeId = useId();

  const update = (key: string, line: FileLine) =>
    setLines((current) => current.map((entry) => (entry.key === key ? line : entry)));

  /** The same refusals the server gives, before a byte is sent. */
  async function precheck(file: File): Promise<string | null> {
    if (file.size > MAX_DOCUMENT_BYTES) return tErrors("upload.tooLarge");
    if (file.size === 0) return tErrors("upload.empty");
    const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
    const sniffed = sniffDocument(head);
    if (!sniffed.ok && sniffed.reason === "unsupportedType") return tErrors("upload.unsupportedType");
    return null;
  }

  async function uploadOne(file: File, key: string): Promise<boolean> {
    const refused = await precheck(file);
    if (refused) {
      update(key, { key, fileName: file.name, state: "refused", message: refused });
      return false;
    }
    const body = new FormData();
    body.append("file", file);
    if (documentType) body.append("documentType", documentType);
    try {
      const response = await fetch(`/api/dossiers/${dossierId}/documents`, { method: "POST", body });
      const answer = (await response.json().catch(() => null)) as {
        results?: UploadFileResult[];
        detail?: string;
      } | null;
      const result = answer?.results?.[0];
      if (result?.ok) {
        update(key, { key, fileName: file.name, state: "added", documentId: result.document.id });
        return true;
      }
      const message = result && !result.ok ? result.message : (answer?.detail ?? tErrors("generic"));
      // The same file is already in the dossier: the line links to the document that has it.
      const existingDocumentId = result && !result.ok ? result.existingDocumentId : undefined;
      update(key, { key, fileName: file.name, state: "refused", message, existingDocumentId });
    } catch {
      update(key, { key, fileName: file.name, state: "refused", message: t("offline") });
    }
    return false;
  }

  async function upload(files: readonly File[]) {
    if (files.length === 0) return;
    const batch = files.map((file) => ({ file, key: `${++counter.current}` }));
    setLines((current) => [
      ...batch.map(({ file, key }) => ({ key, fileName: file.name, state: "uploading" as const })),
      ...current,
    ]);
    setIsBusy(true);
    let added = 0;
    // One after the other: a phone on a slow line finishes one file before starting the next.
    for (const { file, key } of batch) if (await uploadOne(file, key)) added++;
    setIsBusy(false);
    if (added > 0) router.refresh();
  }

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setIsDragging(false);
    void upload([...event.dataTransfer.files]);
  };

  const buttonClass =
    "inline-flex min-h-11 cursor-pointer items-center justify-center gap-2 rounded-md px-4 text-sm font-medium whitespace-nowrap shadow-xs focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-brand-500";

  return (
    <section
      aria-labelledby={`${filesId}-title`}
      onDragOver={(event) => {
        event.preventDefault();
        setIsDragging(true);
      }}
      onDragLeave={() => setIsDragging(false)}
      onDrop={onDrop}
      className={`flex flex-col gap-3 rounded-xl border border-dashed p-4 transition-colors ${
        isDragging ? "border-brand-500 bg-brand-50" : "border-slate-300 bg-white"
      }`}
    >
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div className="min-w-0">
          <h2 id={`${filesId}-title`} className="text-sm font-semibold text-slate-900">
            {t("title")}
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">{t("hint")}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {/* The camera first on phones: that is how receipts come in. */}
          <label
            htmlFor={cameraId}
            className={`${buttonClass} bg-brand-600 text-white hover:bg-brand-700 md:hidden ${isBusy ? "opacity-60" : ""}`}
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4">
              <path
                fill="currentColor"
                d="M7.2 3.5a1 1 0 0 0-.9.55L5.7 5.2H4A1.5 1.5 0 0 0 2.5 6.7v8A1.5 1.5 0 0 0 4 16.2h12a1.5 1.5 0 0 0 1.5-1.5v-8A1.5 1.5 0 0 0 16 5.2h-1.7l-.6-1.15a1 1 0 0 0-.9-.55H7.2ZM10 7.5a3.25 3.25 0 1 1 0 6.5 3.25 3.25 0 0 1 0-6.5Z"
              />
            </svg>
            {t("takePhoto")}
            <input
              id={cameraId}
              type="file"
              accept="image/jpeg,image/png"
              capture="environment"
              className="sr-only"
              disabled={isBusy}
              onChange={(event) => {
                void upload([...(event.target.files ?? [])]);
                event.target.value = "";
              }}
            />
          </label>
          <label
            htmlFor={filesId}
            className={`${buttonClass} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 md:border-transparent md:bg-brand-600 md:text-white md:hover:bg-brand-700 ${isBusy ? "opacity-60" : ""}`}
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4">
              <path
                fill="currentColor"
                d="M10 2.5a.75.75 0 0 1 .53.22l3.5 3.5a.75.75 0 1 1-1.06 1.06l-2.22-2.22v7.19a.75.75 0 0 1-1.5 0V5.06L7.03 7.28a.75.75 0 0 1-1.06-1.06l3.5-3.5A.75.75 0 0 1 10 2.5ZM3.75 12a.75.75 0 0 1 .75.75v2c0 .41.34.75.75.75h9.5c.41 0 .75-.34.75-.75v-2a.75.75 0 0 1 1.5 0v2A2.25 2.25 0 0 1 14.75 17h-9.5A2.25 2.25 0 0 1 3 14.75v-2a.75.75 0 0 1 .75-.75Z"
              />
            </svg>
            {t("chooseFiles")}
            <input
              id={filesId}
              type="file"
              multiple
              accept={ACCEPT}
              className="sr-only"
              disabled={isBusy}
              onChange={(event) => {
                void upload([...(event.target.files ?? [])]);
                event.target.value = "";
              }}
            />
          </label>
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <label htmlFor={typeId} className="text-slate-600">
          {t("typeLabel")}
        </label>
        <select
          id={typeId}
          value={documentType}
          onChange={(event) => setDocumentType(event.target.value)}
          className="min-h-10 rounded-md border border-slate-300 bg-white py-1.5 pr-8 pl-2.5 text-sm text-slate-900 shadow-xs"
        >
          <option value="">{hasRecognitionStep ? t("typeUnknown") : t("typeLater")}</option>
          {DOCUMENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {tTypes(type)}
            </option>
          ))}
        </select>
      </div>
      {lines.length > 0 ? (
        <ul
          aria-label={t("resultsLabel")}
          aria-live="polite"
          className="flex flex-col gap-1.5"
          data-testid="upload-results"
        >
          {lines.map((line) => (
            <li
              key={line.key}
              className={`flex flex-col gap-0.5 rounded-md px-3 py-2 text-sm sm:flex-row sm:items-baseline sm:justify-between sm:gap-3 ${
                line.state === "refused"
                  ? "bg-red-50 text-red-900"
                  : line.state === "added"
                    ? "bg-emerald-50 text-emerald-900"
                    : "bg-slate-50 text-slate-700"
              }`}
            >
              <span className="min-w-0 font-medium break-all">
                {line.state === "added" ? (
                  <Link href={`${documentsPath}/${line.documentId}`} className="hover:underline">
                    {line.fileName}
                  </Link>
                ) : (
                  line.fileName
                )}
              </span>
              <span className="shrink-0 sm:text-right">
                {line.state === "uploading" ? t("uploading") : line.state === "added" ? t("added") : line.message}
                {line.state === "refused" && line.existingDocumentId ? (
                  <>
                    {" "}
                    <Link
                      href={`${documentsPath}/${line.existingDocumentId}`}
                      className="font-medium underline"
                      data-testid="upload-existing-document"
                    >
                      {tDuplicates("openExisting")}
                    </Link>
                  </>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
