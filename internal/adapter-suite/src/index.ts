/**
 * `@arm/adapter-suite`: the conformance suite every framework adapter runs. Each adapter's
 * test starts a real server on port 0 for the suite's application; the suite sends the same
 * requests to each and expects the same statuses, headers and problem bodies.
 */
export { BURST_POLICY, GLOBAL_POLICY, SECRET, suiteApp } from './app';
export type { StartServer, SuiteApp, SuiteRoute, SuiteServer } from './app';
export { describeAdapter } from './describe-adapter';
export { describeReadmeExamples } from './readme-examples';
