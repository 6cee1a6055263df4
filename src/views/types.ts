import type { Query } from '../query/types.js';

export interface ViewDefinition {
  /**
   * 1-64 characters of `A-Z a-z 0-9 _ . -`, not starting with `_`, not `.` or `..`. The
   * names reserved for namespaces are allowed (`views`): a view's URL is `/api/v1/views/<name>`,
   * which no route shares.
   */
  name: string;
  namespace: string;
  query?: Query;
  /** Keep the view current on every write to its namespace. Default false. */
  autoRefresh?: boolean;
  description?: string;
}

export interface ViewInfo {
  name: string;
  namespace: string;
  description: string | null;
  autoRefresh: boolean;
  createdAt: string;
  lastRefreshed: string;
  recordCount: number;
}
