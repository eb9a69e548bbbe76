"use client";

import { useId, useOptimistic, useState, useTransition } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import type { ActionResult } from "@/lib/actions/result";

/**
 * An on/off setting saved by a server action: it flips at once and goes back with a message in
 * the user's language if the server refuses. `description` may depend on the shown state.
 */
export function SettingSwitch({
  label,
  description,
  isEnabled,
  save,
  testId,
}: {
  label: string;
  description: string | ((isOn: boolean) => string);
  isEnabled: boolean;
  save: (enabled: boolean) => Promise<ActionResult>;
  testId?: string;
}) {
  const errorMessage = useErrorMessage();
  const [optimistic, setOptimistic] = useOptimistic(isEnabled);
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const labelId = useId();
  const descriptionId = useId();

  const toggle = () => {
    const enabled = !optimistic;
    setError(null);
    startTransition(async () => {
      setOptimistic(enabled);
      const result = await save(enabled);
      if (!result.ok) setError(errorMessage(result.error.messageKey));
    });
  };

  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-start justify-between gap-4">
        <div className="min-w-0">
          <p id={labelId} className="text-sm font-medium text-slate-900">
            {label}
          </p>
          <p id={descriptionId} className="mt-0.5 text-sm text-slate-600">
            {typeof description === "function" ? description(optimistic) : description}
          </p>
        </div>
        {/* The button is the 44 px tall touch target; the track inside it is what shows. */}
        <button
          type="button"
          role="switch"
          aria-checked={optimistic}
          aria-labelledby={labelId}
          aria-describedby={descriptionId}
          disabled={isPending}
          onClick={toggle}
          data-testid={testId}
          className="group -my-1.5 inline-flex h-11 w-14 shrink-0 cursor-pointer items-center rounded-full focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 disabled:cursor-default disabled:opacity-70"
        >
          <span
            aria-hidden="true"
            className={`relative inline-flex h-8 w-14 items-center rounded-full transition-colors ${
              optimistic ? "bg-brand-600" : "bg-slate-300"
            }`}
          >
            <span
              className={`inline-block size-6 rounded-full bg-white shadow transition-transform ${
                optimistic ? "translate-x-7" : "translate-x-1"
              }`}
            />
          </span>
        </button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
