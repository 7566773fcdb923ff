/** The lazily loaded page of the README's retry example: it fails while `reportsPage.failing`. */
import { ServiceUnavailableError } from '@arm/errors';

/** Whether the page throws a retryable error when it renders. */
export const reportsPage = { failing: true };

export default function ReportsPage() {
  if (reportsPage.failing) throw new ServiceUnavailableError('Reports are warming up');
  return <h1>Reports</h1>;
}
