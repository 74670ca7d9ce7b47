/** The stored case event configuration of a domain (resource kind `eventConfig`, scope domainId, id `config`). */
import type { EventBridgeConfiguration } from '../../model/types.js';
import type { Tx } from '../store/types.js';

export interface EventConfigData {
  eventBridge: EventBridgeConfiguration;
}

export const EVENT_CONFIG_ID = 'config';

/** A domain without a stored configuration publishes nothing. */
export const DEFAULT_EVENT_CONFIG: EventConfigData = { eventBridge: { enabled: false } };

export async function loadEventConfig(tx: Tx, domainId: string): Promise<EventConfigData> {
  const r = await tx.getResource<EventConfigData>('eventConfig', domainId, EVENT_CONFIG_ID);
  return r?.data ?? DEFAULT_EVENT_CONFIG;
}
