import type { ShotViewProps } from "./props.ts";

/** Placeholder until built. */
export function ShotVersions(_props: ShotViewProps) {
  return null;
}
