import type { Query } from '../query/types.js';

export interface ViewDefinition {
  /** Follows namespace rules. */
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
