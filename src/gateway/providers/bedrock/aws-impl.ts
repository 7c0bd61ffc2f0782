/** Everything that pulls in the AWS libraries, imported lazily through aws-libs.ts. */
export { createAwsCredentials } from './credentials.js';
export { createEventStreamDecoder } from './event-stream.js';
export { signCall } from './sign.js';
