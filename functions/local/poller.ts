import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { config } from "../../core/config.ts";
import { log } from "../../core/log.ts";

export interface PollerOptions {
  queueUrl: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Messages handled at once, each as its own event (Lambda would run them in parallel too). */
  concurrency?: number;
  visibilityTimeoutSeconds?: number;
  /** How soon a failed message comes back. */
  retryDelaySeconds?: number;
}

function toRecord(m: Message, queueUrl: string): SQSRecord {
  const region = config().AWS_REGION;
  const [account = "000000000000", name = "queue"] = new URL(queueUrl).pathname
    .split("/")
    .filter(Boolean);
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1",
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: "local",
      ApproximateFirstReceiveTimestamp:
        m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:${region}:${account}:${name}`,
    awsRegion: region,
  };
}

/**
 * What Lambda's SQS event source does, locally: long-poll the queue, hand the worker real
 * SQSEvents, delete what succeeded, and let failed messages come back after a short delay.
 */
export function startPoller(options: PollerOptions): { stop(): Promise<void> } {
  const sqs = new SQSClient({ region: config().AWS_REGION });
  const {
    queueUrl,
    handler,
    concurrency = 4,
    visibilityTimeoutSeconds = 300,
    retryDelaySeconds = 5,
  } = options;
  let running = true;
  const handleOne = async (message: Message) => {
    const record = toRecord(message, queueUrl);
    let failed = true;
    try {
      const { batchItemFailures } = await handler({ Records: [record] });
      failed = batchItemFailures.some((f) => f.itemIdentifier === record.messageId);
    } catch (error) {
      log.error("worker threw", { error });
    }
    const settle = failed
      ? sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: retryDelaySeconds,
          }),
        )
      : sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }),
        );
    await settle.catch((error: unknown) => log.warn("could not settle a message", { error }));
  };
  const loop = (async () => {
    while (running) {
      try {
        const res = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: concurrency,
            WaitTimeSeconds: 1,
            VisibilityTimeout: visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ["All"],
          }),
        );
        await Promise.all((res.Messages ?? []).map(handleOne));
      } catch (error) {
        if (running) log.warn("queue poll failed", { error });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
