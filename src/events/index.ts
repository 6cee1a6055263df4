export { ChangeFeed, type ChangeFeedOptions } from './change-feed.js';
export { checkSubscriptionFilter } from './filter.js';
export type { ChangeEvent, ChangeListener, ChangeType, Subscription, SubscriptionFilter } from './types.js';
