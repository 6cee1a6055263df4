export { ViewManager } from './view-manager.js';
export type { ViewDefinition, ViewInfo } from './types.js';
