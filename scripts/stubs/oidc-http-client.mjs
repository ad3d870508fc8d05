// Stands in for @actions/http-client inside @actions/core's OIDC helper (core.getIDToken), which this action never
// calls. Without it the action's entry would carry undici (~400 KB) it does not use; nothing else in the bundle uses
// @actions/http-client (Schwab and GitHub calls go through src/http).
const unused = () => {
  throw new Error('core.getIDToken is not available in schwab-token-rotator');
};
export class HttpClient {
  constructor() {
    unused();
  }
}
export class BearerCredentialHandler {
  constructor() {
    unused();
  }
}
