/**
 * sluice-plugin-geo: a Sluice plugin package. The runtime imports it by name when a
 * pipeline lists it under `plugins:` and registers every export made by `definePlugin`.
 */
export { geoLookup } from './geo-lookup.ts';
