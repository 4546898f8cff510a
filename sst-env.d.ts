/* Resources linked to this app's functions, as `Resource` from "sst" sees them. Kept in step with infra/. */
import "sst";
declare module "sst" {
  export interface Resource {
    DatabaseUrl: { type: "sst.sst.Secret"; value: string };
    GoogleApiKey: { type: "sst.sst.Secret"; value: string };
    OpenRouterApiKey: { type: "sst.sst.Secret"; value: string };
    QiniuAccessKey: { type: "sst.sst.Secret"; value: string };
    QiniuSecretKey: { type: "sst.sst.Secret"; value: string };
    GoogleCredentialsJson: { type: "sst.sst.Secret"; value: string };
    Jobs: { type: "sst.aws.Dynamo"; name: string };
    JobQueue: { type: "sst.aws.Queue"; url: string };
    JobDeadLetters: { type: "sst.aws.Queue"; url: string };
    Api: { type: "sst.aws.ApiGatewayV2"; url: string };
  }
}
export {};
