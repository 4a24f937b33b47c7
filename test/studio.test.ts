import type { ApolloServerPlugin } from '@apollo/server';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { studioPlugins } from '../src/studio.js';

const APOLLO = { APOLLO_KEY: 'service:recograph:not-a-real-key', APOLLO_GRAPH_REF: 'recograph@current' };

/** Apollo's own plugins name themselves; a disabled one says so. Landing pages are tested over HTTP. */
function reporting(plugins: ApolloServerPlugin[]): string[] {
  return plugins.flatMap((plugin) => {
    const { __internal_plugin_id__: id, __is_disabled_plugin__: disabled } = plugin as Record<string, unknown>;
    return typeof id === 'string' ? [`${id}${disabled ? ' disabled' : ''}`] : [];
  });
}

function pluginsFor(env: Record<string, string>) {
  const logger = pino({ level: 'silent' });
  const warn = vi.spyOn(logger, 'warn');
  return { ids: reporting(studioPlugins(loadConfig(env), logger)), warned: warn.mock.calls.length > 0 };
}

describe('Apollo Studio reporting, configured from the environment', () => {
  it('reports usage and the schema through Apollo’s plugins for a plain graph with APOLLO_KEY and APOLLO_GRAPH_REF', () => {
    expect(pluginsFor({ ...APOLLO, FEDERATION: 'off' }).ids).toEqual(['UsageReporting', 'SchemaReporting']);
  });

  it('reports nothing without Apollo credentials, explicitly', () => {
    expect(pluginsFor({ FEDERATION: 'off' }).ids).toEqual(['UsageReporting disabled', 'SchemaReporting disabled']);
  });

  it('as a subgraph, records inline traces for the router and leaves reporting to it', () => {
    expect(pluginsFor({}).ids).toEqual(['InlineTrace', 'UsageReporting disabled', 'SchemaReporting disabled']);
    expect(pluginsFor({}).warned).toBe(false);
  });

  it('warns when Apollo credentials are given to a subgraph, which does not report itself', () => {
    const { ids, warned } = pluginsFor(APOLLO);
    expect(ids).toEqual(['InlineTrace', 'UsageReporting disabled', 'SchemaReporting disabled']);
    expect(warned).toBe(true);
  });
});
