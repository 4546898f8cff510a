import type { ShotViewProps } from "./props.ts";

/** Placeholder until built. */
export function ShotFrame(_props: ShotViewProps) {
  return null;
}
