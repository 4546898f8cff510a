import type { StudioClient } from "@storyboard-studio/client";
import type { Schemas } from "../api.ts";

/** What every view of a project gets: the client, and a way to ask for a fresh project. */
export interface ProjectViewProps {
  api: StudioClient;
  project: Schemas["Project"];
  /** Reload the project (after any change a view made). */
  onChanged: () => void | Promise<void>;
}

/** A view of one shot inside the storyboard list. */
export interface ShotViewProps extends ProjectViewProps {
  shot: Schemas["Storyboard"];
}
