import { deadLetters } from "./jobs";
import { deadLetterWorker, sweeper, worker } from "./worker";

/**
 * Someone hears about failures: every alarm below notifies this topic (and again when it clears).
 * Subscribe with ALARM_EMAIL at deploy time, or any endpoint with `aws sns subscribe` (README).
 */
export const alerts = new sst.aws.SnsTopic("Alerts");

if (process.env.ALARM_EMAIL) {
  // AWS mails a confirmation link first; nothing is delivered until it is clicked.
  new aws.sns.TopicSubscription("AlertsEmail", {
    topic: alerts.arn,
    protocol: "email",
    endpoint: process.env.ALARM_EMAIL,
  });
}

const notify = {
  alarmActions: [alerts.arn],
  okActions: [alerts.arn],
  comparisonOperator: "GreaterThanThreshold",
  threshold: 0,
  period: 300,
  evaluationPeriods: 1,
  // Idle queues and functions publish no data points: that is not a failure.
  treatMissingData: "notBreaching",
};

/** What the notification's subject shows: which app, which stage, what. */
const alarmName = (what: string) => `${$app.name}-${$app.stage}-${what}`;

const deadLetterQueue = { QueueName: deadLetters.nodes.queue.name };

/** Messages waiting in the dead-letter queue: its subscriber is failing or not keeping up. */
new aws.cloudwatch.MetricAlarm("DeadLetterDepth", {
  ...notify,
  name: alarmName("DeadLetterDepth"),
  alarmDescription: "Job messages are waiting in the dead-letter queue",
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  dimensions: deadLetterQueue,
  statistic: "Maximum",
});

/**
 * Messages that reached the dead-letter queue. Its subscriber takes each within seconds (and
 * fails the job as `dead_lettered`), so the depth alone would rarely see one.
 */
new aws.cloudwatch.MetricAlarm("DeadLettered", {
  ...notify,
  name: alarmName("DeadLettered"),
  alarmDescription: "A job message was dead-lettered: its job failed as dead_lettered",
  namespace: "AWS/SQS",
  metricName: "NumberOfMessagesReceived",
  dimensions: deadLetterQueue,
  statistic: "Sum",
});

/**
 * Invocations that crashed, timed out or ran out of memory. A step's own failure is recorded on
 * its job instead, and a message that keeps failing ends up dead-lettered (above).
 */
const functions = {
  Worker: worker.apply((subscriber) => subscriber.nodes.function.name),
  DeadLetterWorker: deadLetterWorker.apply((subscriber) => subscriber.nodes.function.name),
  Sweeper: sweeper.nodes.function.name,
};
for (const [name, functionName] of Object.entries(functions)) {
  new aws.cloudwatch.MetricAlarm(`${name}Errors`, {
    ...notify,
    name: alarmName(`${name}Errors`),
    alarmDescription: `The ${name} function failed (error, timeout or out of memory)`,
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: functionName },
    statistic: "Sum",
  });
}
