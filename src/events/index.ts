export { ChangeFeed, type ChangeFeedOptions } from './change-feed.js';
export type { ChangeEvent, ChangeListener, ChangeType, Subscription, SubscriptionFilter } from './types.js';
