/** Provider interfaces: one per capability. Live adapters and offline ones implement the same. */

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

/** A generated value with what produced it, kept as provenance. */
export interface Generated<T> {
  value: T;
  provider: string;
  model: string;
  usage?: Usage;
}

export interface ImageFile {
  bytes: Uint8Array;
  mimeType: string;
}

export interface AssetDraft {
  name: string;
  description: string;
  tags: string[];
}

export interface ScriptDraft {
  full_script: string;
  assets: AssetDraft[];
}

export interface ShotPlan {
  frame_prompt: string;
  frame_asset_ids: number[];
  shot_prompt: string;
}

export interface AssetBrief extends AssetDraft {
  id: number;
}

export interface TextProvider {
  readonly name: string;
  readonly model: string;
  readonly offline: boolean;
  /** `prompt` is the user's template with `${script_or_idea}` already filled in. */
  writeScript(input: { prompt: string; idea: string }): Promise<Generated<ScriptDraft>>;
  /** `prompt` is the template with `${materials_description}` and `${script}` filled in. */
  planStoryboards(input: {
    prompt: string;
    script: string;
    assets: AssetBrief[];
  }): Promise<Generated<ShotPlan[]>>;
  /** `prompt` is the regenerate template filled in with the shot and the user's note. */
  rewriteShot(input: {
    prompt: string;
    shot: ShotPrompts;
    detail: string;
  }): Promise<Generated<ShotPrompts>>;
  /**
   * Rewrites a prompt the image or video model refused for safety so it can pass while keeping
   * the shot's story. `prompt` is the `safety_rewrite` template filled in; `original` and
   * `reasons` are what it was filled with.
   */
  rewriteForSafety(input: SafetyRewriteInput): Promise<Generated<{ prompt: string }>>;
}

export interface SafetyRewriteInput {
  prompt: string;
  kind: "frame" | "video";
  original: string;
  /** The provider's refusal reasons (safety categories, block reasons); may be empty. */
  reasons: string[];
}

/** The two texts of a shot: its first frame's and its motion's. */
export interface ShotPrompts {
  frame_prompt: string;
  shot_prompt: string;
}

export interface ImageRequest {
  prompt: string;
  references: ImageFile[];
  aspectRatio: string;
  /** Shown on offline cards, and seeds their colours. */
  title: string;
}

export interface ImageProvider {
  readonly name: string;
  readonly model: string;
  readonly offline: boolean;
  generate(request: ImageRequest): Promise<Generated<ImageFile>>;
  /** Looks at an image and names it as an asset (legacy analyse endpoint). */
  describe(image: ImageFile): Promise<Generated<AssetDraft>>;
}

export interface Storage {
  readonly name: string;
  /** Stores the bytes under `key` and returns their public URL. */
  put(key: string, bytes: Uint8Array, mimeType: string): Promise<string>;
  /**
   * Stores the file at `path` under `key`, streamed so it is never held whole in memory (videos),
   * and returns its public URL. `onProgress` gets the bytes sent so far and the file's size.
   */
  putFile(
    key: string,
    path: string,
    mimeType: string,
    onProgress?: (sentBytes: number, totalBytes: number) => void,
  ): Promise<string>;
}

export interface VideoRequest {
  /** The first frame; absent only for reference-to-video (`referenceImages`). */
  image?: ImageFile;
  /** A frame the video must end on (first + last frame video); needs `image`. */
  lastFrame?: ImageFile;
  /** Up to the model's limit of asset images ("ingredients") for a shot with no first frame. */
  referenceImages?: ImageFile[];
  prompt: string;
  /** Where the provider should report completion, if it can (core/jobs/webhook.ts). */
  webhook?: { uri: string; metadata: Record<string, string> };
  aspectRatio: string;
  durationSeconds: number;
  resolution: string;
}

export type VideoCheck =
  | { state: "pending"; progress?: number }
  | { state: "done"; video: string }
  | {
      state: "failed";
      failure: "blocked" | "operation_failed";
      message: string;
      reasons?: string[];
    };

/**
 * Long-running video generation: start returns an operation name that any process can check
 * later, so no worker waits while the provider renders.
 */
export interface VideoProvider {
  readonly name: string;
  readonly model: string;
  readonly offline: boolean;
  start(request: VideoRequest): Promise<string>;
  check(operation: string): Promise<VideoCheck>;
  /** Streams the finished video to a local file, bounded in size. */
  download(video: string, destination: string): Promise<void>;
}

/** Speech as the provider returns it: headerless PCM, signed 16-bit little-endian, mono. */
export interface SpeechAudio {
  pcm: Uint8Array;
  sampleRate: number;
}

/** One line of a two-speaker exchange: `speaker` is the label the text uses for it. */
export interface SpeechTurn {
  speaker: string;
  voice: string;
  text: string;
}

/**
 * Text to speech with prebuilt voices (Gemini TTS; espeak-ng offline). Each call is one paid
 * request; the caller measures and joins what comes back (core/speech/).
 */
export interface SpeechProvider {
  readonly name: string;
  readonly model: string;
  readonly offline: boolean;
  /** One line in one voice. */
  speak(input: { text: string; voice: string }): Promise<Generated<SpeechAudio>>;
  /**
   * A whole exchange between exactly two speakers in one request (Gemini's
   * `multiSpeakerVoiceConfig` takes exactly two). Absent: the caller speaks line by line.
   */
  converse?(input: { turns: SpeechTurn[] }): Promise<Generated<SpeechAudio>>;
}
