import type { SQSEvent } from "aws-lambda";

/** An SQS event as Lambda's event source hands it to a subscriber, one record per body. */
export function sqsEventOf(bodies: unknown[], queue = "storyboard-jobs", idPrefix = "m"): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `${idPrefix}-${i}`,
      receiptHandle: "r",
      body: typeof body === "string" ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "0",
        SenderId: "test",
        ApproximateFirstReceiveTimestamp: "0",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
      awsRegion: "us-east-1",
    })),
  };
}
