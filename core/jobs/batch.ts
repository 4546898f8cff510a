import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { processJobMessage } from "./worker.ts";

const processor = new BatchProcessor(EventType.SQS);

/**
 * The SQS batch contract through Powertools: a record whose step threw is reported in
 * `batchItemFailures` (SQS delivers only that one again); the others are deleted. Records run in
 * order, one at a time, and a batch where every record failed is reported, not thrown, so the
 * queue's own retry and dead-letter policy decides what happens next.
 */
export function handleJobBatch(records: SQSRecord[]): Promise<SQSBatchResponse> {
  return processPartialResponse(
    { Records: records },
    (record: SQSRecord) => processJobMessage(record.body, record.messageId),
    processor,
    { processInParallel: false, throwOnFullBatchFailure: false },
  );
}
