import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { handleDeadLetters } from "../core/jobs/dead-letter.ts";

/** The dead-letter queue's subscriber: each message's job fails as `dead_lettered`. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  handleDeadLetters(event.Records);
