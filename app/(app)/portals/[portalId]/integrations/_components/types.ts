import type { ConnectionField } from "@/lib/connections/form";

/** A generated form field with its label already translated on the server. */
export type FormField = ConnectionField & {
  label: string;
  hint: string | null;
  /** Enum values as the user reads them, by value; a value without one shows as it is. */
  optionLabels?: Record<string, string>;
  /** The field's section of the help (lib/help/links.ts connectionFieldHelpHref). */
  helpHref?: string;
};

/** null: the package's connector is not built, so only the label can be edited. */
export type FormSpec = { settings: FormField[]; secrets: FormField[] } | null;

/** A package and channel in the "add connection" picker. */
export type PickerOption = {
  key: string;
  packageId: string;
  packageName: string;
  packageInitials: string;
  channel: "api" | "ftp";
  isAvailable: boolean;
  form: FormSpec;
};

/** What the edit form starts from: the public view only (secrets as set / not set). */
export type EditableConnection = {
  id: string;
  label: string;
  status: "not_checked" | "connected" | "needs_reauth" | "error" | "disabled";
  dossierCount: number;
  settings: Record<string, unknown>;
  secretsSet: Record<string, boolean>;
  form: FormSpec;
};
