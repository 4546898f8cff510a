import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { handleJobBatch } from "../core/jobs/batch.ts";

/** SQS → job steps, with partial batch failures (the queue subscription sets ReportBatchItemFailures). */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  handleJobBatch(event.Records);
