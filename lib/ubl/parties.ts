import type { DocumentType } from "@/lib/documents/list";
import { normalizeCompanyNumber } from "@/lib/dossiers/company-number";
import { compactIdentifier } from "./read";
import type { DossierNumbers, UblDirection, UblDocument, UblIdentifier, UblParty } from "./types";

/**
 * Which side of a UBL document a dossier is on, from the numbers both carry. Peppol writes a
 * Belgian company in many forms: BE0123456749, BE 0123.456.749, 0123456749, the old 9-digit
 * 123456749, scheme 0208 (enterprise number), 9925 (Belgian VAT, "BE0123456749"), the deprecated
 * 9956 and "BE:…" schemes, as an EndpointID, a PartyIdentification, a PartyTaxScheme or a
 * PartyLegalEntity CompanyID. All reduce to one 10-digit enterprise number (mod-97 checked). A
 * foreign VAT number is matched as its whole compacted string (NL123456789B01).
 */

/**
 * Schemes under which a bare number is a Belgian enterprise or VAT number. Other schemes (GLN
 * 0088, DUNS 0060, KvK 0106, …) number other registers, where a 9- or 10-digit value can pass
 * the mod-97 check by chance, so their bare digits are never taken for a Belgian number.
 */
const BELGIAN_SCHEMES = new Set(["0208", "9925", "9956", "VAT", "BE:CBE", "BE:EN", "BE:VAT", "BE:KBO-BCE"]);

/**
 * The 10-digit Belgian enterprise number a value stands for, or null: BE0123456749,
 * "BE 0123.456.749", 0123456749 and the old 9-digit 123456749 all give "0123456749". The check
 * digits must be right.
 */
export function belgianEnterpriseNumberOf(value: string): string | null {
  return normalizeCompanyNumber(value);
}

/** "0208:0123456749" (a participant id written with its scheme) split into scheme and value. */
function splitParticipantId(identifier: UblIdentifier): UblIdentifier {
  const match = /^(\d{4}):(.+)$/.exec(identifier.value.trim());
  return match && identifier.scheme === null ? { scheme: match[1] as string, value: match[2] as string } : identifier;
}

/** The keys a party identifier matches on: "BE:<enterprise number>" and/or its compacted form. */
function keysOfIdentifier(raw: UblIdentifier): string[] {
  const identifier = splitParticipantId(raw);
  const compact = compactIdentifier(identifier.value);
  const keys = [compact];
  const scheme = identifier.scheme?.trim().toUpperCase() ?? null;
  const belgianByPrefix = compact.startsWith("BE");
  const belgianByScheme = scheme === null || BELGIAN_SCHEMES.has(scheme);
  if (belgianByPrefix || belgianByScheme) {
    const enterpriseNumber = belgianEnterpriseNumberOf(compact);
    if (enterpriseNumber) keys.push(`BE:${enterpriseNumber}`);
  }
  return keys;
}

function keysOfParty(party: UblParty): Set<string> {
  const identifiers: UblIdentifier[] = [...party.identifiers];
  if (party.vatNumber) identifiers.push({ value: party.vatNumber, scheme: "VAT" });
  return new Set(identifiers.flatMap(keysOfIdentifier));
}

/** The keys a dossier is known by: its enterprise number, and its VAT number (Belgian or not). */
function keysOfDossier(dossier: DossierNumbers): string[] {
  const keys: string[] = [];
  const enterpriseNumber = belgianEnterpriseNumberOf(dossier.companyNumber);
  if (enterpriseNumber) keys.push(`BE:${enterpriseNumber}`);
  if (dossier.vatNumber) {
    const vat = compactIdentifier(dossier.vatNumber);
    const belgianVat = vat.startsWith("BE") ? belgianEnterpriseNumberOf(vat) : null;
    if (belgianVat) keys.push(`BE:${belgianVat}`);
    // A foreign VAT number matches only as a whole ("NL123456789B01"), never by its digits.
    else if (vat.length >= 4 && /^[A-Z]{2}[0-9A-Z]+$/.test(vat)) keys.push(vat);
  }
  return keys;
}

/** Whether `party` carries any of the dossier's numbers, in any form Peppol writes them. */
export function isDossierParty(party: UblParty, dossier: DossierNumbers): boolean {
  const partyKeys = keysOfParty(party);
  return keysOfDossier(dossier).some((key) => partyKeys.has(key));
}

/**
 * The dossier is the buyer → "purchase"; the seller → "sales"; neither → "otherCompany". When
 * the dossier's numbers are on BOTH sides (an invoice to itself, or a file that copied one party
 * into the other), nothing tells which book it belongs in, so it is also "otherCompany": the
 * document stays in the Inbox for a person to type, rather than being guessed.
 */
export function ublDirection(document: UblDocument, dossier: DossierNumbers): UblDirection {
  const isBuyer = isDossierParty(document.customer, dossier);
  const isSeller = isDossierParty(document.supplier, dossier);
  if (isBuyer && !isSeller) return "purchase";
  if (isSeller && !isBuyer) return "sales";
  return "otherCompany";
}

const DOCUMENT_TYPES = {
  purchase: { Invoice: "purchase_invoice", CreditNote: "purchase_credit_note" },
  sales: { Invoice: "sales_invoice", CreditNote: "sales_credit_note" },
} as const satisfies Record<"purchase" | "sales", Record<UblDocument["kind"], DocumentType>>;

/** The document type of a UBL document: the root element (never the amount's sign) and the side. */
export function documentTypeOf(kind: UblDocument["kind"], direction: "purchase" | "sales"): DocumentType {
  return DOCUMENT_TYPES[direction][kind];
}
