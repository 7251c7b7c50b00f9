export { SUPPORTED_APIS_BEGIN, SUPPORTED_APIS_END, supportedApisMarkdown } from "./apis/supported-apis.js";
export { type RunningBroker, type StartBrokerOptions, startBroker } from "./server/start-broker.js";
