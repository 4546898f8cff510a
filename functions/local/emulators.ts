import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { config, resetConfig } from "../../core/config.ts";
import { resetJobQueue } from "../../core/jobs/queue.ts";
import { resetJobStore } from "../../core/jobs/store.ts";
import { PROJECT_INDEX, STATUS_INDEX, STATUS_INDEX_ATTRIBUTES } from "../../core/jobs/types.ts";
import { resetRateLimiter } from "../../core/rate-limit.ts";

export interface Emulators {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  queueUrl: string;
  stop(): Promise<void>;
}

const listen = (server: import("node:http").Server) =>
  new Promise<string>((done) =>
    server.listen(0, "127.0.0.1", () =>
      done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

const STATUS_GSI = {
  IndexName: STATUS_INDEX,
  KeySchema: [
    { AttributeName: "status", KeyType: "HASH" as const },
    { AttributeName: "updated_at", KeyType: "RANGE" as const },
  ],
  Projection: {
    ProjectionType: "INCLUDE" as const,
    NonKeyAttributes: STATUS_INDEX_ATTRIBUTES,
  },
};

/**
 * The job table as infrastructure declares it: job_id key, project and status indexes, TTL.
 * A table kept under DATA_DIR by an older version may lack the status index (dynalite
 * cannot add one); the job store copes with that.
 */
export async function ensureJobTable(dynamo: DynamoDBClient, name: string) {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (error) {
    if ((error as Error).name !== "ResourceNotFoundException") throw error;
  }
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "job_id", AttributeType: "S" },
        { AttributeName: "project_id", AttributeType: "N" },
        { AttributeName: "created_at", AttributeType: "S" },
        { AttributeName: "status", AttributeType: "S" },
        { AttributeName: "updated_at", AttributeType: "S" },
      ],
      KeySchema: [{ AttributeName: "job_id", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [
        {
          IndexName: PROJECT_INDEX,
          KeySchema: [
            { AttributeName: "project_id", KeyType: "HASH" },
            { AttributeName: "created_at", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
        STATUS_GSI,
      ],
    }),
  );
  for (let i = 0; i < 50; i++) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === "ACTIVE") break;
    await new Promise((r) => setTimeout(r, 20));
  }
  // dynalite accepts but does not enforce TTL; DynamoDB does.
  await dynamo
    .send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: "expires_at", Enabled: true },
      }),
    )
    .catch(() => {});
}

/**
 * Local DynamoDB (dynalite, persisted under DATA_DIR) and SQS (local-aws-sqs) servers, with the
 * table and queue created by the AWS SDK (deployed, infrastructure creates them). Sets the same
 * variables a deployed function gets, so core code (core/aws) cannot tell it runs locally.
 */
export async function startEmulators(options: { persist?: boolean } = {}): Promise<Emulators> {
  const cfg = config();
  const dynalite = (await import("dynalite")).default;
  const { createSqsServer } = await import("local-aws-sqs");
  const dataPath = resolve(cfg.DATA_DIR, "dynamodb");
  if (options.persist) await mkdir(dataPath, { recursive: true });
  const dynamoServer = dynalite({
    createTableMs: 0,
    ...(options.persist ? { path: join(dataPath) } : {}),
  });
  const dynamoEndpoint = await listen(dynamoServer);
  const sqsServer = await createSqsServer({ port: 0, hostname: "127.0.0.1" } as never);
  const sqsEndpoint = `http://127.0.0.1:${(sqsServer.address() as AddressInfo).port}`;

  Object.assign(process.env, {
    AWS_REGION: cfg.AWS_REGION,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
  });
  const dynamo = new DynamoDBClient({ region: cfg.AWS_REGION });
  await ensureJobTable(dynamo, cfg.JOBS_TABLE);
  const sqs = new SQSClient({ region: cfg.AWS_REGION });
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: "storyboard-jobs",
      Attributes: { VisibilityTimeout: "300" },
    }),
  );
  process.env.JOBS_QUEUE_URL = QueueUrl;
  resetConfig();
  resetJobStore();
  resetJobQueue();
  resetRateLimiter();
  return {
    dynamoEndpoint,
    sqsEndpoint,
    queueUrl: QueueUrl as string,
    stop: async () => {
      await Promise.all([
        new Promise<void>((r) => dynamoServer.close(() => r())),
        new Promise<void>((r) => {
          sqsServer.closeAllConnections?.();
          sqsServer.close(() => r());
        }),
      ]);
    },
  };
}
