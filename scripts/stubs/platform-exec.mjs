// Stands in for @actions/exec inside @actions/core's `platform` helper (core.platform.getDetails()), which this action
// never calls. Without it every run would load child_process, dgram, net and assert (through @actions/io) at start-up.
const unused = () => {
  throw new Error('core.platform is not available in schwab-token-rotator');
};
export const exec = unused;
export const getExecOutput = unused;
