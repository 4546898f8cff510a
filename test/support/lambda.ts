/** A minimal API Gateway HTTP API (payload 2.0) event, as Lambda receives it. */
export function apiGatewayEvent(method: string, path: string, body?: string, query = "") {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: query,
    headers: {
      host: "abc123.execute-api.eu-west-1.amazonaws.com",
      ...(body ? { "content-type": "application/json" } : {}),
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
      domainPrefix: "abc123",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "test" },
      requestId: "apigw-request-1",
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "23/Nov/2026:10:00:00 +0000",
      timeEpoch: 1_795_420_800_000,
    },
    body,
    isBase64Encoded: false,
  };
}

export const lambdaContext = { awsRequestId: "lambda-1", functionName: "projects" };
