/** Keys of the operator's keyed map state: counts cells and test states of one segment. */
export const cellKey = (action: string, group: string): string => `${action}\u001f${group}`;
export const testKey = (action: string, metric: string, treatment: string): string => `${action}\u001f${metric}\u001f${treatment}`;
