import type { ProjectViewProps } from "./props.ts";

/** Placeholder until built. */
export function Film(_props: ProjectViewProps) {
  return null;
}
