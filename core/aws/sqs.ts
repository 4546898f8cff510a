import { config } from "../config.ts";
import { type CallOptions, callJson, type JsonService } from "./request.ts";

/** SQS over its JSON protocol (what the SDK speaks since 2023): `AmazonSQS.<Operation>`. */
export const SQS: JsonService = {
  service: "sqs",
  targetPrefix: "AmazonSQS",
  endpointOverride: () => config().AWS_ENDPOINT_URL_SQS,
};

export interface SendMessageInput {
  QueueUrl: string;
  MessageBody: string;
  /** 0–900: the message stays invisible this long. */
  DelaySeconds?: number;
}

export function sendMessage(
  input: SendMessageInput,
  options?: CallOptions,
): Promise<{ MessageId?: string }> {
  return callJson(SQS, "SendMessage", input, options);
}

/** A received message, as ReceiveMessage returns it. */
export interface Message {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
  MD5OfBody?: string;
  Attributes?: Record<string, string>;
}

/** What the local poller needs (deployed, Lambda's event source receives and deletes). */
export async function receiveMessages(input: {
  QueueUrl: string;
  MaxNumberOfMessages?: number;
  WaitTimeSeconds?: number;
  VisibilityTimeout?: number;
  MessageSystemAttributeNames?: string[];
}): Promise<Message[]> {
  // A long poll holds the connection for WaitTimeSeconds: give the try that much more time.
  const timeoutMs = ((input.WaitTimeSeconds ?? 0) + 10) * 1000;
  const res = await callJson<{ Messages?: Message[] }>(SQS, "ReceiveMessage", input, { timeoutMs });
  return res.Messages ?? [];
}

export async function deleteMessage(input: { QueueUrl: string; ReceiptHandle: string }) {
  await callJson(SQS, "DeleteMessage", input);
}

export async function changeMessageVisibility(input: {
  QueueUrl: string;
  ReceiptHandle: string;
  VisibilityTimeout: number;
}) {
  await callJson(SQS, "ChangeMessageVisibility", input);
}
