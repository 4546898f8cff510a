import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import {
  changeMessageVisibility,
  deleteMessage,
  type Message,
  receiveMessages,
} from "../../core/aws/sqs.ts";
import { config } from "../../core/config.ts";
import { MAX_RECEIVES } from "../../core/jobs/limits.ts";
import { log } from "../../core/log.ts";
import { handler as deadLetterHandler } from "../dead-letter.ts";

type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface PollerOptions {
  queueUrl: string;
  handler: SqsHandler;
  /** Messages handled at once, each as its own event (Lambda would run them in parallel too). */
  concurrency?: number;
  visibilityTimeoutSeconds?: number;
  /** How soon a failed message comes back. */
  retryDelaySeconds?: number;
  /** Deliveries of a message before it counts as dead-lettered (the queue's maxReceiveCount). */
  maxReceives?: number;
  /** Gets each message past `maxReceives`, as the dead-letter queue's subscriber does deployed. */
  deadLetter?: SqsHandler;
}

function toRecord(m: Message, queueUrl: string, receiveCount: number): SQSRecord {
  const region = config().AWS_REGION;
  const [account = "000000000000", name = "queue"] = new URL(queueUrl).pathname
    .split("/")
    .filter(Boolean);
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
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
 * SQSEvents, delete what succeeded, and let failed messages come back after a short delay. And
 * what the queue's redrive policy does: a message delivered `maxReceives` times without success
 * goes to the dead-letter handler instead of the worker. The poller counts deliveries itself:
 * local-aws-sqs has redrive policies, but counts a visibility change as one more receive.
 */
export function startPoller(options: PollerOptions): { stop(): Promise<void> } {
  const {
    queueUrl,
    handler,
    concurrency = 4,
    visibilityTimeoutSeconds = 300,
    retryDelaySeconds = 5,
    maxReceives = MAX_RECEIVES,
    deadLetter = deadLetterHandler,
  } = options;
  let running = true;
  const receives = new Map<string, number>();
  const handleOne = async (message: Message) => {
    const id = message.MessageId ?? "";
    const count = (receives.get(id) ?? 0) + 1;
    receives.set(id, count);
    const record = toRecord(message, queueUrl, count);
    const deadLettered = count > maxReceives;
    let failed = true;
    try {
      const { batchItemFailures } = await (deadLettered ? deadLetter : handler)({
        Records: [record],
      });
      failed = batchItemFailures.some((f) => f.itemIdentifier === record.messageId);
    } catch (error) {
      log.error(deadLettered ? "dead-letter handler threw" : "worker threw", { error });
    }
    if (!failed) receives.delete(id);
    const settle = failed
      ? changeMessageVisibility({
          QueueUrl: queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: retryDelaySeconds,
        })
      : deleteMessage({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle });
    await settle.catch((error: unknown) => log.warn("could not settle a message", { error }));
  };
  const loop = (async () => {
    while (running) {
      try {
        const messages = await receiveMessages({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: concurrency,
          WaitTimeSeconds: 1,
          VisibilityTimeout: visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ["All"],
        });
        await Promise.all(messages.map(handleOne));
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
