import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { config } from "../config.ts";

let client: SQSClient | undefined;

export function resetJobQueue(): void {
  client = undefined;
}

/** SQS caps a message delay at 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

/** Puts a job on the work queue; `delaySeconds` schedules a later check without holding a worker. */
export async function enqueueJob(jobId: string, delaySeconds = 0): Promise<void> {
  const queueUrl = config().JOBS_QUEUE_URL;
  if (!queueUrl) throw new Error("JOBS_QUEUE_URL is not configured");
  client ??= new SQSClient({ region: config().AWS_REGION });
  await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ job_id: jobId }),
      DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(delaySeconds))),
    }),
  );
}
