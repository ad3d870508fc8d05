// Stands in for @actions/http-client inside @actions/core's OIDC helper (core.getIDToken), which this action never
// calls. Without it the action's entry would carry undici (~400 KB) it does not use. Octokit's own use of
// @actions/http-client (in the lazily loaded GitHub chunk) is untouched.
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
