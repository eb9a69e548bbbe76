/** A form's refusal that belongs to no field (no rights, too many requests, the unexpected). */
export function FormAlert({ message, className }: { message: string | null; className?: string }) {
  if (!message) return null;
  return (
    <p
      role="alert"
      className={`rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset${className ? ` ${className}` : ""}`}
    >
      {message}
    </p>
  );
}
