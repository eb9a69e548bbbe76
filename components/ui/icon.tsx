/** The icons of public/icons/sprite.svg. */
export type IconName = "check" | "warning";

/**
 * A decorative icon from the sprite: one `<use>` of a symbol the browser fetches once and caches,
 * instead of the same path repeated in every row of a list (and again in the RSC payload).
 */
export function Icon({ name, className }: { name: IconName; className: string }) {
  return (
    <svg aria-hidden="true" className={className}>
      <use href={`/icons/sprite.svg#${name}`} />
    </svg>
  );
}
