/** Secrets: `sst secret set <Name> <value> --stage <stage>`; linked functions read them with Resource. */
export const databaseUrl = new sst.Secret("DatabaseUrl");
export const googleApiKey = new sst.Secret("GoogleApiKey");
export const openRouterApiKey = new sst.Secret("OpenRouterApiKey");
export const qiniuAccessKey = new sst.Secret("QiniuAccessKey");
export const qiniuSecretKey = new sst.Secret("QiniuSecretKey");
/** Service-account key JSON for the Vertex AI video route; leave unset on other routes. */
export const googleCredentialsJson = new sst.Secret("GoogleCredentialsJson", "");
/** Signs shot videos' completion-callback URLs; unset: polling alone (needs PUBLIC_BASE_URL). */
export const webhookSecret = new sst.Secret("WebhookSecret", "");
/** Second-wave video vendors (CONTRACT, "Models"): unset (empty) hides the vendor's models. */
export const dashscopeApiKey = new sst.Secret("DashscopeApiKey", "");
export const zhipuApiKey = new sst.Secret("ZhipuApiKey", "");
export const klingAccessKey = new sst.Secret("KlingAccessKey", "");
export const klingSecretKey = new sst.Secret("KlingSecretKey", "");
export const arkApiKey = new sst.Secret("ArkApiKey", "");

export const allSecrets = [
  databaseUrl,
  googleApiKey,
  openRouterApiKey,
  qiniuAccessKey,
  qiniuSecretKey,
  googleCredentialsJson,
  webhookSecret,
  dashscopeApiKey,
  zhipuApiKey,
  klingAccessKey,
  klingSecretKey,
  arkApiKey,
];
