import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "../../functions/local/emulators.ts";
import { config } from "../config.ts";
import { changeMessageVisibility, deleteMessage, receiveMessages, sendMessage } from "./sqs.ts";

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators?.stop());

describe("SQS over its JSON protocol (signed fetch, local-aws-sqs)", () => {
  it("sends a delayed message that the real SDK receives only once the delay is over", async () => {
    const sqs = new SQSClient({ region: config().AWS_REGION });
    const QueueUrl = emulators.queueUrl;
    const receive = (WaitTimeSeconds: number) =>
      sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds, VisibilityTimeout: 30 }));
    const sentAt = Date.now();
    const { MessageId } = await sendMessage({
      QueueUrl,
      MessageBody: '{"job_id":"d"}',
      DelaySeconds: 1,
    });
    expect(MessageId).toEqual(expect.any(String));
    expect((await receive(0)).Messages ?? []).toEqual([]);
    const { Messages = [] } = await receive(5);
    expect(Messages.map((m) => [m.MessageId, m.Body])).toEqual([[MessageId, '{"job_id":"d"}']]);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(950);
  });

  it("receives, hands back and deletes messages as the local poller needs", async () => {
    const QueueUrl = emulators.queueUrl;
    await sendMessage({ QueueUrl, MessageBody: "again" });
    const [first] = await receiveMessages({ QueueUrl, WaitTimeSeconds: 2, VisibilityTimeout: 30 });
    expect(first?.Body).toBe("again");
    await changeMessageVisibility({
      QueueUrl,
      ReceiptHandle: first?.ReceiptHandle ?? "",
      VisibilityTimeout: 0,
    });
    const [second] = await receiveMessages({ QueueUrl, WaitTimeSeconds: 2, VisibilityTimeout: 30 });
    expect(second?.MessageId).toBe(first?.MessageId);
    await deleteMessage({ QueueUrl, ReceiptHandle: second?.ReceiptHandle ?? "" });
    expect(await receiveMessages({ QueueUrl, WaitTimeSeconds: 0 })).toEqual([]);
  });

  it("names a missing queue's error as SQS does", async () => {
    const missing = emulators.queueUrl.replace(/[^/]+$/, "no-such-queue");
    await expect(sendMessage({ QueueUrl: missing, MessageBody: "x" })).rejects.toMatchObject({
      name: "QueueDoesNotExist",
      retryable: false,
    });
  });
});
